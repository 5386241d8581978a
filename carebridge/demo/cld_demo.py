"""The demo's Client Level Data: each council's LA code (invented ONS-shaped codes: the demo's
councils are not real), each service level's CLD service type, component and delivery
mechanism, every service user's CLD person details, and a service user for each front-door
request the council triaged (the return's Request events need the person's NHS number and
details, which a request alone does not hold), so the demo's return validates with no failures.
Every write goes through the services (`la_code_set`, `service_level_settings_update`,
`cld_details_update`, `service_user_create`); seeding again changes nothing."""

from __future__ import annotations

import random
from collections.abc import Sequence

from carebridge.accounts.models import User
from carebridge.contracts.choices import CldDeliveryMechanism, CldServiceType
from carebridge.contracts.models import ServiceLevel
from carebridge.contracts.service_levels import service_level_settings_update
from carebridge.core.permissions import Role
from carebridge.demo.common import _AGES_FROM, Tally
from carebridge.demo.organisations_demo import DemoCouncil, demo_email
from carebridge.frontdoor.choices import Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.organisations.models import Council, District
from carebridge.people import cld
from carebridge.people.models import ServiceUser
from carebridge.people.services import cld_details_update, service_user_create
from carebridge.people.validators import generate_nhs_number
from carebridge.reports.cld.services import la_code_set

LA_CODES = {"northshire": "E10000901", "westbrook": "E10000902"}

# The service levels' names -> (type, component). Every demo level is commissioned by the
# council from a provider: "CASSR Commissioned Support".
T = CldServiceType
LEVELS: dict[str, tuple[str, str]] = {
    "Home Care - Double Assist": (T.LONG_TERM_COMMUNITY, "Home Support"),
    "Home Care - Single Assist Fixed Rate (Hour)": (T.LONG_TERM_COMMUNITY, "Home Support"),
    "Live in Care": (T.LONG_TERM_COMMUNITY, "Home Support"),
    "Night Sits": (T.LONG_TERM_COMMUNITY, "Home Support"),
    "Short Break - Nightly": (T.LONG_TERM_RESIDENTIAL, "Short Term Residential Care"),
    "Supported Living - Shared Support (Hour)": (
        T.LONG_TERM_COMMUNITY,
        "Community Supported Living",
    ),
}
DEFAULT_LEVEL = (T.LONG_TERM_COMMUNITY, "Home Support")

P = cld.PrimarySupportReason
REASONS = [P.PERSONAL_CARE] * 5 + [P.ACCESS_MOBILITY, P.MEMORY, P.MEMORY, P.LEARNING_DISABILITY]
REASONS += [P.MENTAL_HEALTH, P.VISUAL]
A = cld.AccommodationStatus
HOMES = [A.OWNER] * 4 + [A.COUNCIL_TENANT] * 2 + [A.PRIVATE_TENANT, A.FAMILY, A.SHELTERED]
ETHNICITIES = [cld.Ethnicity.BRITISH] * 8 + [
    cld.Ethnicity.IRISH,
    cld.Ethnicity.INDIAN,
    cld.Ethnicity.CARIBBEAN,
    cld.Ethnicity.OTHER_WHITE,
]
E = cld.EmploymentStatus
WORKING_AGE = [E.NOT_SEEKING, E.NOT_SEEKING, E.VOLUNTARY, E.UNDER_16_HOURS, E.SEEKING]


def _user(role: Role, slug: str) -> User | None:
    return User.objects.filter(email=demo_email(role, slug)).first()


def _levels(admin: User, council: Council) -> None:
    for level in ServiceLevel.objects.filter(council=council).order_by("pk"):
        service_type, component = LEVELS.get(level.name, DEFAULT_LEVEL)
        service_level_settings_update(
            by=admin,
            level=level,
            hospital_retainer_weeks=level.hospital_retainer_weeks,
            vat_rate=level.vat_rate,
            extras_allowed=level.extras_allowed,
            fixed_hours=level.fixed_hours,
            cost_centre=level.cost_centre,
            is_active=level.is_active,
            cld_service_type=service_type,
            cld_service_component=component,
            cld_delivery_mechanism=CldDeliveryMechanism.COMMISSIONED,
        )


def _requests_people(tally: Tally, council: Council, rng: random.Random) -> None:
    """A service user for each triaged front-door request about someone the council did not
    know, made from what the request holds, as the officer would record them."""
    taken = set(ServiceUser.objects.filter(council=council).values_list("nhs_number", flat=True))
    districts = list(District.objects.filter(council=council).order_by("pk"))
    requests = (
        FrontDoorRequest.objects.filter(
            council=council,
            route=Route.QUEUE,
            service_user__isnull=True,
            person_date_of_birth__isnull=False,
        )
        .exclude(decision="")
        .order_by("pk")
    )
    for request in requests:
        first, _, last = request.person_name.strip().partition(" ")
        nhs_number = generate_nhs_number(rng)
        while nhs_number in taken:
            nhs_number = generate_nhs_number(rng)
        taken.add(nhs_number)
        person = service_user_create(
            council=council,
            by=None,
            # Not the council's prefix: the demo's contracts go to the people under it. "ZF"
            # and the request's reference sort after the demo's own clients.
            ss_ref=f"ZF{request.reference.removeprefix('FD-')}".replace("-", ""),
            first_name=first or "Not given",
            last_name=last or first or "Not given",
            date_of_birth=request.person_date_of_birth,
            nhs_number=nhs_number,
            postcode=request.postcode,
            district=next((d for d in districts if d.covers_postcode(request.postcode)), None),
            phone=request.person_phone,
            consent_to_share=request.consent_to_share,
        )
        # The link the accept step makes (frontdoor's request_accept); a request closed without
        # an assessment has no step that makes it, so the demo sets it as that step would.
        FrontDoorRequest.objects.filter(pk=request.pk).update(service_user=person)
        tally.made("service users for front-door requests")


def _details(broker: User, council: Council) -> None:
    for person in ServiceUser.objects.filter(council=council).order_by("pk"):
        # Each person's own draw: the same details whatever else the run made or found.
        rng = random.Random(f"cld-{council.slug}-{person.ss_ref}")
        age = _AGES_FROM.year - person.date_of_birth.year
        reason = rng.choice(REASONS)
        cld_details_update(
            by=broker,
            service_user=person,
            gender=rng.choice([cld.Gender.FEMALE, cld.Gender.FEMALE, cld.Gender.MALE]),
            ethnicity=rng.choice(ETHNICITIES),
            primary_support_reason=reason,
            accommodation_status=rng.choice(HOMES),
            has_unpaid_carer=rng.choice([cld.UnpaidCarer.YES, cld.UnpaidCarer.NO]),
            client_funding_status=rng.choice(
                [cld.ClientFundingStatus.FULLY_FUNDED] * 3 + [cld.ClientFundingStatus.PART_FUNDED]
            ),
            employment_status=rng.choice(WORKING_AGE) if age < 65 else E.NOT_SEEKING,
        )


def demo_cld(tally: Tally, plans: Sequence[DemoCouncil]) -> None:
    for plan in plans:
        council = Council.objects.filter(slug=plan.slug).first()
        admin = _user(Role.COUNCIL_ADMINISTRATOR, plan.slug)
        broker = _user(Role.BROKER, plan.slug)
        if council is None or admin is None or broker is None:
            continue
        rng = random.Random(f"cld-{plan.slug}")  # the NHS numbers of the requests' people
        la_code_set(by=admin, council=council, la_code=LA_CODES.get(plan.slug, "E10000900"))
        _levels(admin, council)
        _requests_people(tally, council, rng)
        _details(broker, council)
