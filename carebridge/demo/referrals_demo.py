"""The demo's referrals: for each provider of each council, a referral in every state of the
lifecycle (pending in time, due soon or missed; booked, delayed, awaiting an update or actuals;
completed, refused, failed, withdrawn), sent and answered through the referral services."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from carebridge.accounts.models import User
from carebridge.core import calendar
from carebridge.core.calendar import LONDON, now, to_london
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally, service_moment_before
from carebridge.demo.organisations_demo import DEMO_PROVIDERS, DemoCouncil, demo_email
from carebridge.organisations.models import Council, Provider
from carebridge.people.models import ServiceUser
from carebridge.referrals import services
from carebridge.referrals.choices import FailureReason, RefusalReason, Source
from carebridge.referrals.models import Referral

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
    today = calendar.today()
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


def demo_referrals(tally: Tally, plan: DemoCouncil, council: Council) -> None:
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
    broker = User.objects.filter(email=demo_email(Role.BROKER, plan.slug)).first()
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
            email=demo_email(Role.SUPER_USER_SCHEDULED, provider_plan.domain)
        )
        rng = random.Random(f"{plan.seed}-{provider_plan.domain}")
        for number, scenario in enumerate(_SCENARIOS):
            external_id = f"demo-{provider_plan.domain}-{scenario.key}"
            # Drawn whatever exists, so every run gives each referral the same answers.
            person = people[(index * len(_SCENARIOS) + number) % len(people)]
            drawn = _draw(rng, plan)
            if external_id in existing:
                tally.found("referrals")
                continue
            if scenario.window_used is not None:
                received_at = service_moment_before(moment, scenario.window_used, hours)
            else:
                received_at = moment - scenario.received_ago
            referral = _send(
                plan,
                council,
                provider,
                broker,
                person,
                drawn,
                received_at=received_at,
                external_id=external_id,
            )
            _demo_story(scenario.key, referral, provider_user, broker)
            tally.made("referrals")


@dataclass(frozen=True)
class _Drawn:
    """What a referral draws at random: where it came from and the person's needs."""

    from_hospital: bool
    hospital: str
    ward: str
    answers: dict[str, Any]


def _draw(rng: random.Random, plan: DemoCouncil) -> _Drawn:
    # Always in this order, so a referral draws the same whatever else exists.
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
    return _Drawn(from_hospital, hospital, ward, answers)


def _send(
    plan: DemoCouncil,
    council: Council,
    provider: Provider,
    broker: User,
    person: ServiceUser,
    drawn: _Drawn,
    *,
    received_at: datetime,
    external_id: str,
) -> Referral:
    """The broker sends the person's referral to the provider, as it arrived at `received_at`."""
    received_on = to_london(received_at).date()
    district = person.district or council.districts.order_by("name").first()
    assert district is not None
    from_hospital = drawn.from_hospital
    source: dict[str, Any] = {
        "source": Source.HOSPITAL if from_hospital else Source.DISTRICT_TEAM,
        "hospital": drawn.hospital if from_hospital else "",
        "ward": drawn.ward if from_hospital else "",
        "discharge_date": received_on + timedelta(days=1) if from_hospital else None,
        "district_team": "" if from_hospital else f"{district.name} District Team",
    }
    return services.referral_create(
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
        **drawn.answers,
    )
