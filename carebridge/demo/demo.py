"""The demo data set: two councils with different rulebooks, three providers, a log-in for every
role, and referrals in every state of their lifecycle."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core.calendar import LONDON, now, to_london
from carebridge.core.permissions import Role
from carebridge.demo.actions_demo import demo_actions
from carebridge.demo.actuals_demo import demo_actuals
from carebridge.demo.common import (
    DASH,
    PersonMaker,
    Tally,
    Writer,
    _contract,
    _council,
    _districts,
    _login,
    _provider,
    _report,
    _say,
    _service,
    _teams,
    login_table,
)
from carebridge.demo.contracts_demo import demo_contracts
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.details_demo import demo_details
from carebridge.demo.frontdoor_demo import demo_front_door
from carebridge.demo.frontdoor_directory_demo import directory_demo
from carebridge.demo.frontdoor_hubs_demo import hubs_demo
from carebridge.demo.scale import service_moment_before
from carebridge.organisations.choices import (
    ActualsPeriod,
    ConfirmationRule,
    ContractType,
    Weekday,
)
from carebridge.organisations.models import Council, District, Provider
from carebridge.people.models import ServiceUser
from carebridge.people.services import service_user_create
from carebridge.referrals import services
from carebridge.referrals.choices import FailureReason, RefusalReason, Source
from carebridge.referrals.models import Referral

# The address part of each log-in, by role: broker@northshire.example, readonly@larkspur.example…
LOGIN_NAMES: dict[Role, str] = {
    Role.BROKER: "broker",
    Role.PAYMENTS_OFFICER: "payments",
    Role.FRONT_DOOR_OFFICER: "frontdoor",
    Role.COUNCIL_ADMINISTRATOR: "admin",
    Role.SUPER_USER_SCHEDULED: "superuser",
    Role.SUPER_USER_ACTUALS: "superuser.actuals",
    Role.PAYMENTS: "payments",
    Role.ADMINISTRATION: "administration",
    Role.REPORTS: "reports",
    Role.INVOICE_ONLY: "invoices",
    Role.READ_ONLY: "readonly",
}


@dataclass(frozen=True)
class DemoUser:
    role: Role
    first_name: str
    last_name: str


@dataclass(frozen=True)
class DemoDistrict:
    name: str
    # Invented for the demo: outward codes of the shape NG22, never a real council's map.
    postcode_districts: str


@dataclass(frozen=True)
class DemoCouncil:
    name: str
    slug: str
    phone: str
    county: str
    rulebook: dict[str, Any]
    districts: tuple[DemoDistrict, ...]
    hospitals: tuple[str, ...]
    users: tuple[DemoUser, ...]
    ss_ref_prefix: str
    ss_ref_base: int
    seed: int
    clients: int = 35


@dataclass(frozen=True)
class DemoService:
    name: str
    address_line_1: str
    town: str
    county: str
    postcode: str
    phone: str


@dataclass(frozen=True)
class DemoContract:
    council_slug: str
    reference: str
    contract_type: ContractType
    start_date: date


@dataclass(frozen=True)
class DemoProvider:
    name: str
    domain: str
    address_line_1: str
    address_line_2: str
    town: str
    county: str
    postcode: str
    phone: str
    services: tuple[DemoService, ...]
    contracts: tuple[DemoContract, ...]
    users: tuple[DemoUser, ...] = field(default_factory=tuple)


DEMO_COUNCILS = (
    DemoCouncil(
        name="Northshire County Council",
        slug="northshire",
        phone="0113 496 0100",
        county="Northshire",
        rulebook={
            "referral_service_start": time(8, 0),
            "referral_service_end": time(17, 30),
            "referral_service_days": "01234",
            "referral_service_closed_on_bank_holidays": True,
            "actuals_period": ActualsPeriod.FOUR_WEEKLY,
            "actuals_confirmation_rule": ConfirmationRule.WORKING_DAYS_AFTER,
            "actuals_confirmation_working_days": 5,
            "password_min_length": 9,
            "password_min_capitals": 1,
            "password_min_letters": 1,
            "password_min_digits": 2,
            "password_expiry_days": 365,
            "login_failures_before_lock": 3,
            "suspend_after_days": 60,
        },
        districts=(
            DemoDistrict("Hollowmere", "HX3 HX4 HX5"),
            DemoDistrict("Brindle Vale", "HX6 HX7"),
            DemoDistrict("Kettleby Moor", "HD7 HD9"),
            DemoDistrict("Ashwell Green", "HD4 HD8"),
        ),
        hospitals=("Northshire General Hospital", "Hollowmere Community Hospital"),
        users=(
            DemoUser(Role.BROKER, "Priya", "Mistry"),
            DemoUser(Role.PAYMENTS_OFFICER, "Gareth", "Llewelyn"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Naomi", "Fairweather"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Owen", "Blackwood"),
        ),
        ss_ref_prefix="NS",
        ss_ref_base=100000,
        seed=20260101,
    ),
    DemoCouncil(
        name="Westbrook Borough Council",
        slug="westbrook",
        phone="0117 496 0200",
        county="",
        rulebook={
            "referral_service_start": time(7, 0),
            "referral_service_end": time(22, 0),
            "referral_service_days": "0123456",
            "referral_service_closed_on_bank_holidays": False,
            "actuals_period": ActualsPeriod.WEEKLY,
            "actuals_confirmation_rule": ConfirmationRule.WEEKDAY_AFTER,
            "actuals_confirmation_weekday": Weekday.TUESDAY,
            "close_of_business": time(17, 0),
            "password_min_length": 12,
            "password_min_capitals": 0,
            "password_min_letters": 0,
            "password_min_digits": 0,
            "password_expiry_days": 0,
            "login_failures_before_lock": 3,
            "suspend_after_days": 90,
            # Left off so demo log-ins need only the passcode.
            "staff_require_authenticator": False,
        },
        districts=(
            DemoDistrict("Fairholt", "BS15 BS16"),
            DemoDistrict("Sallowfield", "BS20 BS21"),
            DemoDistrict("Westbrook Central", "BS1 BS2 BS5"),
        ),
        hospitals=("Westbrook Royal Infirmary", "Fairholt Community Hospital"),
        users=(
            DemoUser(Role.BROKER, "Femi", "Adeyemi"),
            DemoUser(Role.PAYMENTS_OFFICER, "Rosa", "Kowalczyk"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Callum", "Reid"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Imogen", "Thorpe"),
        ),
        ss_ref_prefix="WB",
        ss_ref_base=200000,
        seed=20260102,
    ),
)


DEMO_PROVIDERS = (
    DemoProvider(
        name="Larkspur Home Care",
        domain="larkspur",
        address_line_1="Unit 4, Kestrel Court",
        address_line_2="Mill Lane",
        town="Hollowmere",
        county="Northshire",
        postcode="HX4 8QT",
        phone="0114 496 0311",
        services=(
            DemoService(
                f"Larkspur Home Care {DASH} Hollowmere",
                "Unit 4, Kestrel Court, Mill Lane",
                "Hollowmere",
                "Northshire",
                "HX4 8QT",
                "0114 496 0312",
            ),
            DemoService(
                f"Larkspur Home Care {DASH} Brindle Vale",
                "12 Chapel Street",
                "Brindle Vale",
                "Northshire",
                "HX7 2LB",
                "0114 496 0313",
            ),
            DemoService(
                f"Larkspur Home Care {DASH} Fairholt",
                "The Old Post Office, 3 Market Place",
                "Fairholt",
                "",
                "BS16 4RJ",
                "0117 496 0314",
            ),
        ),
        contracts=(
            DemoContract("northshire", "NS/HC/2025/014", ContractType.FRAMEWORK, date(2025, 4, 1)),
            DemoContract("westbrook", "WB-SPOT-2025-0031", ContractType.SPOT, date(2025, 9, 1)),
        ),
        users=(
            DemoUser(Role.SUPER_USER_SCHEDULED, "Helen", "Castellano"),
            DemoUser(Role.SUPER_USER_ACTUALS, "Marcus", "Dunmore"),
            DemoUser(Role.PAYMENTS, "Aisha", "Rahman"),
            DemoUser(Role.ADMINISTRATION, "Declan", "Moss"),
            DemoUser(Role.REPORTS, "Yvonne", "Petrie"),
            DemoUser(Role.INVOICE_ONLY, "Sunil", "Varma"),
            DemoUser(Role.READ_ONLY, "Bethany", "Quayle"),
        ),
    ),
    DemoProvider(
        name="Meadowbank Care Services",
        domain="meadowbank",
        address_line_1="Meadowbank House",
        address_line_2="41 Station Road",
        town="Kettleby Moor",
        county="Northshire",
        postcode="HD9 3PW",
        phone="0115 496 0422",
        services=(
            DemoService(
                f"Meadowbank Care Services {DASH} Kettleby Moor",
                "Meadowbank House, 41 Station Road",
                "Kettleby Moor",
                "Northshire",
                "HD9 3PW",
                "0115 496 0423",
            ),
            DemoService(
                f"Meadowbank Care Services {DASH} Ashwell Green",
                "2 Orchard Parade",
                "Ashwell Green",
                "Northshire",
                "HD8 6TN",
                "0115 496 0424",
            ),
        ),
        contracts=(
            DemoContract(
                "northshire", "NS/HC/2025/022", ContractType.BLOCK_2015, date(2025, 10, 1)
            ),
        ),
        users=(DemoUser(Role.SUPER_USER_SCHEDULED, "Joanna", "Whitlock"),),
    ),
    DemoProvider(
        name="Riverside Support at Home",
        domain="riverside",
        address_line_1="First Floor, 18 Quay Street",
        address_line_2="",
        town="Sallowfield",
        county="",
        postcode="BS20 7NF",
        phone="0116 496 0533",
        services=(
            DemoService(
                f"Riverside Support at Home {DASH} Sallowfield",
                "First Floor, 18 Quay Street",
                "Sallowfield",
                "",
                "BS20 7NF",
                "0116 496 0534",
            ),
        ),
        contracts=(
            DemoContract("westbrook", "WB-FW-2025-0007", ContractType.FRAMEWORK, date(2025, 7, 1)),
        ),
        users=(DemoUser(Role.SUPER_USER_SCHEDULED, "Kwame", "Osei"),),
    ),
)


def _demo_service_users(
    tally: Tally, plan: DemoCouncil, council: Council, districts: list[District]
) -> None:
    existing = ServiceUser.objects.filter(council=council)
    existing_refs = set(existing.values_list("ss_ref", flat=True))
    taken_nhs_numbers = set(existing.values_list("nhs_number", flat=True))
    maker = PersonMaker(plan.seed, pool_size=200)
    # The references and people are drawn whatever exists, so every run draws the same ones.
    numbers = sorted(
        maker.rng.sample(range(plan.ss_ref_base + 1, plan.ss_ref_base + 1000), plan.clients)
    )
    codes = {d.name: d.postcode_districts.split() for d in plan.districts}
    for number in numbers:
        district = maker.rng.choice(districts)
        details = maker.person(town=district.name, county=plan.county)
        # The person lives in their district: a postcode with one of its outward codes.
        outward = maker.rng.choice(codes[district.name])
        details["postcode"] = f"{outward} {details['postcode'].split()[1]}"
        ss_ref = f"{plan.ss_ref_prefix}{number}"
        if ss_ref in existing_refs:
            tally.found("service users")
            continue
        if details["nhs_number"] in taken_nhs_numbers:
            # Someone added a person with this number by hand: leave theirs alone.
            details["nhs_number"] = ""
        service_user_create(council=council, by=None, ss_ref=ss_ref, district=district, **details)
        tally.made("service users")


# --- Referrals ---------------------------------------------------------------------------------

# Invented needs, for the referral's requirements; every referral draws one of each.
_HEALTH_NEEDS = (
    "Type 2 diabetes, managed with tablets. Mild memory loss.",
    "Recovering from a fractured hip; on blood thinners.",
    "Heart failure; breathless on exertion. Takes several medicines a day.",
    "Parkinson's disease; tremor in both hands.",
    "Recent chest infection; still tired and weak.",
    "Early dementia; needs prompting with medicines.",
)
_HOME_CIRCUMSTANCES = (
    "Lives alone in a ground-floor flat; family visit at weekends.",
    "Lives with a husband who is also frail.",
    "Lives alone in a two-storey house; bed moved downstairs.",
    "Lives with a daughter who works full time.",
)
_MOBILITY = (
    "Walks with a frame indoors; one carer to transfer.",
    "Uses a wheelchair; hoist for transfers, two carers.",
    "Independent on the flat with a stick; needs help on stairs.",
    "Stand-aid for transfers; unsteady when tired.",
)
_SUPPORT = (
    "Help to wash and dress each morning, meals prepared at lunch and tea, help to bed.",
    "Personal care twice a day and prompting with medicines.",
    "Help with meals and medicines; a check at bedtime.",
    "Full personal care; continence support; help to reposition at night.",
)
_RISKS = (
    "Falls, especially at night.",
    "Skin breakdown: pressure areas to be checked.",
    "Forgets to eat and drink; risk of dehydration.",
    "Smokes indoors.",
    "",
)
_WARDS = ("Ward 4", "Ward 12", "Elm Ward", "Larch Ward", "Discharge lounge")


@dataclass(frozen=True)
class _DemoScenario:
    """One demo referral: how long ago it arrived and what has happened to it since."""

    key: str
    received_ago: timedelta
    # Service time of the reply window already used, for referrals due soon (overrides above).
    window_used: timedelta | None = None


# The referral's story, in the order the brokers' list shows them (newest first).
_SCENARIOS = (
    _DemoScenario("pending-new", timedelta(minutes=10)),
    _DemoScenario("pending", timedelta(minutes=40)),
    _DemoScenario("due-soon", timedelta(0), window_used=timedelta(minutes=105)),
    _DemoScenario("missed", timedelta(days=6)),
    _DemoScenario("booked", timedelta(days=1)),
    _DemoScenario("delayed", timedelta(days=1, hours=3)),
    _DemoScenario("awaiting-update", timedelta(days=3)),
    _DemoScenario("awaiting-actuals", timedelta(days=5)),
    _DemoScenario("completed", timedelta(days=12)),
    _DemoScenario("refused", timedelta(days=2)),
    _DemoScenario("failed", timedelta(days=4)),
    _DemoScenario("withdrawn", timedelta(days=2, hours=5)),
)


def _london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _demo_story(key: str, referral: Referral, provider_user: User, broker: User) -> None:
    """Carry a new referral through the product's own transitions to the scenario's state."""
    today = to_london(now()).date()
    days = timedelta(days=1)
    if key == "booked":
        services.referral_accept(
            referral=referral, by=provider_user, first_visit_at=_london(today + days, 9, 30)
        )
    elif key == "delayed":
        referral = services.referral_accept(
            referral=referral, by=provider_user, first_visit_at=_london(today + days, 10)
        )
        services.referral_delay(
            referral=referral, by=provider_user, first_visit_at=_london(today + 3 * days, 10)
        )
    elif key == "awaiting-update":
        services.referral_accept(
            referral=referral, by=provider_user, first_visit_at=_london(today - 2 * days, 9)
        )
    elif key in ("awaiting-actuals", "completed"):
        started = today - (11 if key == "completed" else 4) * days
        referral = services.referral_accept(
            referral=referral, by=provider_user, first_visit_at=_london(started, 8, 30)
        )
        referral = services.referral_update(
            referral=referral,
            by=provider_user,
            care_start_date=started,
            predicted_end_date=today - days if key == "completed" else today + 10 * days,
            terminated_within_72_hours=False,
            needs_changed=False,
            needs_change_details="",
            completed_by=provider_user.full_name,
            completed_on=today,
        )
        if key == "completed":
            services.referral_send_actuals(
                referral=referral,
                by=provider_user,
                start_date=started,
                end_date=today - days,
                visits_delivered=30,
                hours_delivered=Decimal("22.5"),
                carers_at_start=1,
                carers_at_end=1,
            )
    elif key == "refused":
        services.referral_refuse(
            referral=referral,
            by=provider_user,
            reason=RefusalReason.NO_CAPACITY,
            details="No carers free in this area until next week.",
        )
    elif key == "failed":
        referral = services.referral_accept(
            referral=referral, by=provider_user, first_visit_at=_london(today + days, 11)
        )
        services.referral_fail(
            referral=referral, by=provider_user, reason=FailureReason.NOT_DISCHARGED
        )
    elif key == "withdrawn":
        services.referral_withdraw(
            referral=referral,
            by=broker,
            reason="The person has gone to stay with family outside the council's area.",
        )


def _demo_referrals(tally: Tally, plan: DemoCouncil, council: Council) -> None:
    """A referral in every state for each provider the council has a contract with.

    Each is sent and answered through the services, so the demo holds only states the product
    reaches; times are counted back from now, so pending ones are in time, due soon or missed.
    A referral is known again by its case-management reference, so a second run adds nothing.
    """
    people = list(
        ServiceUser.objects.filter(council=council, ss_ref__startswith=plan.ss_ref_prefix)
        .select_related("district")
        .order_by("ss_ref")
    )
    broker = User.objects.filter(email=f"{LOGIN_NAMES[Role.BROKER]}@{plan.slug}.example").first()
    if not people or broker is None:
        return
    existing = set(
        Referral.objects.filter(council=council, external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    hours = council.rulebook.referral_service_hours()
    moment = now()
    providers = [p for p in DEMO_PROVIDERS if any(c.council_slug == plan.slug for c in p.contracts)]
    for index, provider_plan in enumerate(providers):
        provider = Provider.objects.get(name=provider_plan.name)
        provider_user = User.objects.get(
            email=f"{LOGIN_NAMES[Role.SUPER_USER_SCHEDULED]}@{provider_plan.domain}.example"
        )
        rng = random.Random(f"{plan.seed}-{provider_plan.domain}")
        for number, scenario in enumerate(_SCENARIOS):
            external_id = f"demo-{provider_plan.domain}-{scenario.key}"
            # Drawn whatever exists, so every run gives each referral the same answers.
            person = people[(index * len(_SCENARIOS) + number) % len(people)]
            from_hospital = rng.random() < 0.6
            hospital = rng.choice(plan.hospitals)
            ward = rng.choice(_WARDS)
            answers: dict[str, Any] = {
                "health_needs": rng.choice(_HEALTH_NEEDS),
                "home_circumstances": rng.choice(_HOME_CIRCUMSTANCES),
                "mobility": rng.choice(_MOBILITY),
                "support_summary": rng.choice(_SUPPORT),
                "risks": rng.choice(_RISKS),
                "carers_required": rng.choice((1, 1, 1, 2)),
                "visits_per_day": rng.choice((2, 3, 4, 4)),
            }
            if external_id in existing:
                tally.found("referrals")
                continue
            if scenario.window_used is not None:
                received_at = service_moment_before(moment, scenario.window_used, hours)
            else:
                received_at = moment - scenario.received_ago
            received_on = to_london(received_at).date()
            district = person.district or council.districts.order_by("name").first()
            assert district is not None
            source: dict[str, Any] = {
                "source": Source.HOSPITAL if from_hospital else Source.DISTRICT_TEAM,
                "hospital": hospital if from_hospital else "",
                "ward": ward if from_hospital else "",
                "discharge_date": received_on + timedelta(days=1) if from_hospital else None,
                "district_team": "" if from_hospital else f"{district.name} District Team",
            }
            referral = services.referral_create(
                council=council,
                provider=provider,
                district=district,
                by=broker,
                service_user=person,
                received_at=received_at,
                external_id=external_id,
                requested_start_date=received_on + timedelta(days=1),
                next_of_kin_name=person.next_of_kin_name,
                next_of_kin_relationship=person.next_of_kin_relationship,
                next_of_kin_phone=person.next_of_kin_phone,
                consent_to_share=person.consent_to_share,
                mca_best_interest=(
                    ""
                    if person.consent_to_share
                    else "Lacks capacity to decide on care at home; best-interest meeting held "
                    "with the family and the ward team."
                ),
                worker_name=broker.full_name,
                worker_team="Hospital discharge team" if from_hospital else "District team",
                worker_phone=plan.phone,
                completed_on=received_on,
                **source,
                **answers,
            )
            _demo_story(scenario.key, referral, provider_user, broker)
            tally.made("referrals")


def _demo_logins() -> list[dict[str, str]]:
    logins = []
    for council_plan in DEMO_COUNCILS:
        for user in council_plan.users:
            logins.append(
                {
                    "email": f"{LOGIN_NAMES[user.role]}@{council_plan.slug}.example",
                    "organisation": council_plan.name,
                    "role": str(user.role.label),
                }
            )
        logins.append(
            {
                "email": f"safeguarding@{council_plan.slug}.example",
                "organisation": council_plan.name,
                "role": f"{Role.FRONT_DOOR_OFFICER.label}, safeguarding team",
            }
        )
    for provider_plan in DEMO_PROVIDERS:
        for user in provider_plan.users:
            logins.append(
                {
                    "email": f"{LOGIN_NAMES[user.role]}@{provider_plan.domain}.example",
                    "organisation": provider_plan.name,
                    "role": str(user.role.label),
                }
            )
    return logins


@transaction.atomic
def seed_demo(stdout: Writer | None = None) -> dict[str, Any]:
    """Build the demo: two councils, three providers, a log-in for every role, 70 clients, a
    referral in every state for each provider of each council, contract documents, and the last
    few periods of actuals."""
    tally = Tally()
    councils: dict[str, Council] = {}
    for plan in DEMO_COUNCILS:
        council = _council(
            tally,
            name=plan.name,
            slug=plan.slug,
            rulebook=plan.rulebook,
            email=f"adultsocialcare@{plan.slug}.example",
            phone=plan.phone,
        )
        councils[plan.slug] = council
        _teams(tally, council)
        _districts(
            tally,
            council,
            [d.name for d in plan.districts],
            {d.name: d.postcode_districts for d in plan.districts},
        )

    # Contracts before log-ins: a provider's password rules are those of its councils.
    for provider_plan in DEMO_PROVIDERS:
        provider = _provider(
            tally,
            name=provider_plan.name,
            address_line_1=provider_plan.address_line_1,
            address_line_2=provider_plan.address_line_2,
            town=provider_plan.town,
            county=provider_plan.county,
            postcode=provider_plan.postcode,
            phone=provider_plan.phone,
            email=f"office@{provider_plan.domain}.example",
        )
        for service in provider_plan.services:
            _service(
                tally,
                provider,
                name=service.name,
                address_line_1=service.address_line_1,
                town=service.town,
                county=service.county,
                postcode=service.postcode,
                phone=service.phone,
                email=f"{service.town.lower().replace(' ', '')}@{provider_plan.domain}.example",
            )
        for contract in provider_plan.contracts:
            _contract(
                tally,
                councils[contract.council_slug],
                provider,
                reference=contract.reference,
                contract_type=contract.contract_type,
                start_date=contract.start_date,
            )
        for user in provider_plan.users:
            _login(
                tally,
                email=f"{LOGIN_NAMES[user.role]}@{provider_plan.domain}.example",
                first_name=user.first_name,
                last_name=user.last_name,
                role=user.role,
                provider=provider,
            )

    for plan in DEMO_COUNCILS:
        council = councils[plan.slug]
        for user in plan.users:
            _login(
                tally,
                email=f"{LOGIN_NAMES[user.role]}@{plan.slug}.example",
                first_name=user.first_name,
                last_name=user.last_name,
                role=user.role,
                council=council,
            )
        names = [d.name for d in plan.districts]
        districts = list(District.objects.filter(council=council, name__in=names))
        districts.sort(key=lambda d: names.index(d.name))
        _demo_service_users(tally, plan, council, districts)
        _demo_referrals(tally, plan, council)
        broker = User.objects.filter(
            email=f"{LOGIN_NAMES[Role.BROKER]}@{plan.slug}.example"
        ).first()
        if broker is not None:
            demo_contracts(tally, council, broker, plan.ss_ref_prefix)
    demo_details(tally, DEMO_PROVIDERS)
    demo_actuals(tally, DEMO_COUNCILS)
    demo_actions(tally, list(councils.values()))
    # The front door: Northshire's with the demo directory and postcode table (its invented WB
    # district), both councils' queues and figures, and hubs with appointments.
    made = directory_demo(councils["northshire"])
    for kind, count in (
        ("postcodes", made.get("postcodes", 0)),
        ("directory services", made["services"]["new"]),
    ):
        if count:
            tally.made(kind, count)
    demo_front_door(tally, list(councils.values()))
    for council in councils.values():
        hubs_demo(council)

    logins = _demo_logins()
    _say(stdout, "Demo data:")
    _report(stdout, tally)
    _say(stdout)
    _say(stdout, login_table(logins))
    _say(stdout)
    _say(stdout, f"Every demo log-in: password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}")
    return {
        "created": tally.created,
        "existing": tally.existing,
        "logins": logins,
        "password": DEMO_PASSWORD,
        "passcode": DEMO_PASSCODE,
    }
