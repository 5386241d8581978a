"""The benchmark data set: one council-sized council, its service users and referrals
bulk-loaded."""

from __future__ import annotations

import functools
import random
import time as clock
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction

from carebridge.accounts.models import User
from carebridge.core.calendar import MAX_CLOSED_DAYS, ServiceHours, now, to_london
from carebridge.core.permissions import Role
from carebridge.demo.common import (
    DASH,
    PersonMaker,
    Tally,
    Writer,
    _contract,
    _council,
    _districts,
    _landline,
    _login,
    _provider,
    _report,
    _say,
    _service,
    _teams,
)
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.demo.scale_actions import scale_actions
from carebridge.demo.scale_actuals import scale_actuals
from carebridge.demo.scale_contracts import scale_contracts
from carebridge.demo.scale_frontdoor import scale_front_door
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import api_token_create, key_hash
from carebridge.organisations.choices import (
    ContractType,
)
from carebridge.organisations.deadlines import referral_respond_by, referral_update_due_by
from carebridge.organisations.models import Council, District, Provider, Rulebook
from carebridge.people.models import ServiceUser
from carebridge.referrals.choices import (
    CLOSED_STATES,
    FailureReason,
    ReferralEventKind,
    ReferralStatus,
    RefusalReason,
    Source,
)
from carebridge.referrals.models import Referral, ReferralEvent

SCALE_COUNCIL_NAME = "Scale County Council"


SCALE_SLUG = "scale"


SCALE_SS_REF_PREFIX = "SC"


SCALE_DISTRICTS = (
    "Amberleigh",
    "Brackenholt",
    "Copperdale",
    "Dunmere",
    "Elmsworth",
    "Foxhollow",
    "Greywater",
    "Hazelcombe",
    "Ironmoor",
    "Juniper Cross",
)


_SCALE_WORDS = (
    "Alder",
    "Beacon",
    "Bramble",
    "Clover",
    "Harebell",
    "Heron",
    "Lantana",
    "Marigold",
    "Oakleaf",
    "Primrose",
    "Rowan",
    "Saffron",
    "Sorrel",
    "Thistle",
    "Willow",
)


_SCALE_KINDS = ("Home Care", "Care Services", "Support at Home", "Homecare", "Care at Home")


_SCALE_CONTRACT_TYPES = (ContractType.SPOT, ContractType.BLOCK_2015, ContractType.FRAMEWORK)


SCALE_CONTACT_DOMAIN = "scale-providers.example"


SCALE_BATCH = 2000


def scale_provider_name(number: int) -> str:
    word = _SCALE_WORDS[number % len(_SCALE_WORDS)]
    kind = _SCALE_KINDS[number // len(_SCALE_WORDS) % len(_SCALE_KINDS)]
    return f"{word} {kind} (Scale {number:03d})"


def _scale_providers(
    tally: Tally, council: Council, maker: PersonMaker, districts: list[District], count: int
) -> list[Provider]:
    providers = []
    for number in range(1, count + 1):
        name = scale_provider_name(number)
        town = districts[number % len(districts)].name
        provider = _provider(
            tally,
            name=name,
            address_line_1=f"{maker.rng.randint(1, 120)} {maker.rng.choice(maker.streets)}",
            town=town,
            postcode=maker.postcode(),
            phone=_landline(maker.rng),
            email=f"office{number:03d}@{SCALE_CONTACT_DOMAIN}",
        )
        for branch in (0, 1):
            branch_town = districts[(number + branch * 5) % len(districts)].name
            _service(
                tally,
                provider,
                name=f"{name} {DASH} {branch_town}",
                address_line_1=f"{maker.rng.randint(1, 120)} {maker.rng.choice(maker.streets)}",
                town=branch_town,
                postcode=maker.postcode(),
                phone=_landline(maker.rng),
            )
        _contract(
            tally,
            council,
            provider,
            reference=f"SCALE-{number:04d}",
            contract_type=_SCALE_CONTRACT_TYPES[number % len(_SCALE_CONTRACT_TYPES)],
            start_date=date(2025, 4, 1) + timedelta(days=7 * (number % 60)),
        )
        providers.append(provider)
    return providers


def _free_numbers(taken: set[str], prefix: str, start: int) -> Iterator[str]:
    number = start
    while True:
        number += 1
        reference = f"{prefix}{number}"
        if reference not in taken:
            yield reference


def _scale_service_users(
    tally: Tally, council: Council, maker: PersonMaker, districts: list[District], clients: int
) -> int:
    existing = ServiceUser.objects.filter(council=council)
    have = existing.count()
    wanted = max(clients - have, 0)
    tally.found("service users", have)
    if not wanted:
        return have
    maker.reserve_nhs_numbers(
        list(existing.exclude(nhs_number="").values_list("nhs_number", flat=True))
    )
    references = _free_numbers(
        set(existing.values_list("ss_ref", flat=True)), SCALE_SS_REF_PREFIX, 300000
    )
    # The services write one person at a time, each with its audit event: right for people
    # entered by staff, far too slow for a benchmark's 20,000. This loader is the one exception:
    # it writes rows the services would accept (NHS numbers and postcodes are only ever drawn
    # valid) and records no audit events, since no one entered or viewed these people.
    batch: list[ServiceUser] = []
    for _ in range(wanted):
        district = maker.rng.choice(districts)
        batch.append(
            ServiceUser(
                council=council,
                ss_ref=next(references),
                district=district,
                **maker.person(town=district.name, county=""),
            )
        )
        if len(batch) == SCALE_BATCH:
            ServiceUser.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceUser.objects.bulk_create(batch)
    tally.made("service users", wanted)
    return have + wanted


def _scale_contacts(
    tally: Tally, providers: list[Provider], maker: PersonMaker, wanted: int
) -> None:
    # Read-only contacts are bulk-loaded for the same reason as the service users; they have
    # no usable password, so nobody can log in as one.
    emails = set(
        User.objects.filter(email__endswith=f"@{SCALE_CONTACT_DOMAIN}").values_list(
            "email", flat=True
        )
    )
    have = len(emails)
    tally.found("provider contacts", have)
    if have >= wanted:
        return
    batch: list[User] = []
    number = 0
    made = 0
    while have + made < wanted:
        number += 1
        email = f"contact{number:05d}@{SCALE_CONTACT_DOMAIN}"
        if email in emails:
            continue
        female = maker.rng.random() < 0.7
        user = User(
            email=email,
            first_name=maker.rng.choice(maker.female_names if female else maker.male_names),
            last_name=maker.rng.choice(maker.last_names),
            role=Role.READ_ONLY,
            provider=providers[number % len(providers)],
        )
        user.set_unusable_password()
        batch.append(user)
        made += 1
        if len(batch) == SCALE_BATCH:
            User.objects.bulk_create(batch)
            batch = []
    if batch:
        User.objects.bulk_create(batch)
    tally.made("provider contacts", made)


# --- Referrals ------------------------------------------------------------------------------

# The bench calls the API as the scale council's case-management system with this key, which
# is published here on purpose: it opens only the invented scale council, and only seed_scale
# (bench data) makes it; seed_demo never does.
SCALE_API_KEY = "scale-bench-key-not-a-secret-4f1c9a2e7b"
SCALE_API_CLIENT_NAME = "Case management (benchmark)"

# What `carebridge seed_scale` builds unless told otherwise; the function builds none unless
# asked, so the seeding tests stay fast.
PENDING_REFERRALS = 5000
CLOSED_REFERRALS = 200000
# About one document for each of three in four clients of a 20,000-client council.
CONTRACT_DOCUMENTS = 15000
# The provider persona's actuals: generated for the last week that has ended.
ACTUALS_WEEKS = 1
# Actions between the council and its providers, a quarter of them the provider persona's.
# A county's year of front-door journeys, and its community directory.
FRONT_DOOR_REQUESTS = 20000
DIRECTORY_SERVICES = 3000
ACTIONS = 5000
# Accepted and updated referrals (the provider's "existing service users"), per pending one.
IN_SERVICE_PER_PENDING = 16

# Who answers the referrals of the providers without a log-in of their own: one duty officer
# each, bulk-loaded without a usable password (nobody logs in as them).
SCALE_DUTY_DOMAIN = "scale-duty.example"
# The share of referrals sent to the provider persona's own provider, so its lists are long.
PERSONA_PROVIDER_SHARE = 0.5

# Which kind each referral is, in a fixed repeating pattern, so that even 20 referrals have a
# few of each and a top-up carries on where the last run stopped.
_PENDING_MIX = ("missed",) * 12 + ("amber",) * 3 + ("green",) * 5
_CLOSED_MIX = (
    (ReferralStatus.COMPLETED,) * 9
    + (ReferralStatus.REFUSED,) * 5
    + (ReferralStatus.FAILED,) * 2
    + (ReferralStatus.WITHDRAWN,) * 4
)
_IN_SERVICE_MIX = (ReferralStatus.ACCEPTED,) * 3 + (ReferralStatus.UPDATED,) * 2
IN_SERVICE_STATES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.UPDATED})

_HOSPITALS = (
    "Scale General Hospital",
    "Amberleigh Community Hospital",
    "Copperdale Royal Infirmary",
    "Greywater Memorial Hospital",
)
_WARDS = ("Ward 3", "Ward 7", "Ward 12", "Elm Ward", "Rowan Ward", "Stroke Unit", "Frailty Unit")
_WORKER_TEAMS = ("Hospital discharge team", "Reablement team", "Locality team", "Review team")
_HEALTH_NEEDS = (
    "Type 2 diabetes, managed with tablets.",
    "Recovering from a fractured hip.",
    "Early-stage dementia; forgets medication.",
    "COPD; breathless on exertion.",
    "Parkinson's disease.",
    "Heart failure; on a fluid restriction.",
)
_HOME_CIRCUMSTANCES = (
    "Lives alone in a bungalow.",
    "Lives with a spouse who has limited mobility.",
    "First-floor flat with a lift.",
    "Two-storey house; bed moved downstairs.",
)
_MOBILITY = (
    "Walks with a frame; one to transfer.",
    "Hoist transfers; two carers.",
    "Independent indoors; stick outdoors.",
    "Wheelchair user; stand-aid transfers.",
)
_SUPPORT = (
    "Help to wash, dress and prepare meals.",
    "Personal care morning and evening; medication prompts.",
    "Meal preparation and a welfare check at lunchtime.",
    "Help with continence care and getting to bed.",
)
_RISKS = ("Falls at night.", "Pressure sores.", "Self-neglect when unwell.", "", "")
_MCA = "Lacks capacity to consent; best-interest decision made with the family and the GP."
_WITHDRAWAL_REASONS = (
    "Service user died.",
    "Service user moved into residential care.",
    "Family now providing care.",
    "Service user moved out of the area.",
    "Referral sent in error.",
)
_OTHER_DETAILS = "Discussed with the broker by telephone."


def _iso(value: Any) -> Any:
    """An event's details as the services write them (see referrals.services._json)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def service_moment_before(at: datetime, elapsed: timedelta, hours: ServiceHours) -> datetime:
    """The latest moment from which `elapsed` of service time has passed by `at`.

    The reverse of calendar.add_service_time, for receipt times whose reply window is a chosen
    part used up: the bench wants pending referrals that are in time, due soon and missed.
    """
    cursor = at.astimezone(UTC)
    remaining = elapsed
    day = to_london(at).date()
    closed_run = 0
    while True:
        window = hours.window_on(day)
        if window is not None and window[0] < cursor:
            opens, closes = window
            end = min(closes, cursor)
            available = end - opens
            if remaining <= available:
                return end - remaining
            remaining -= available
            closed_run = 0
        else:
            closed_run += 1
            if closed_run > MAX_CLOSED_DAYS:
                raise ValueError("These service hours never open.")
        day -= timedelta(days=1)


@dataclass(frozen=True)
class _Person:
    pk: int
    district_id: int
    next_of_kin_name: str
    next_of_kin_relationship: str
    next_of_kin_phone: str
    consent_to_share: bool


@dataclass(frozen=True)
class _Actor:
    user: User
    label: str  # as referrals.services._by_label writes it


@dataclass(frozen=True)
class _EventSpec:
    kind: ReferralEventKind
    at: datetime
    actor: _Actor
    details: dict[str, Any]


class _ReferralMaker:
    """Referrals in every state, with the fields and update-log events the services write."""

    def __init__(
        self,
        *,
        seed: int,
        moment: datetime,
        council: Council,
        rulebook: Rulebook,
        people: Sequence[_Person],
        district_names: dict[int, str],
        persona_provider: Provider,
        providers: Sequence[Provider],
        answerers: dict[int, _Actor],
        broker: _Actor,
        maker: PersonMaker,
    ) -> None:
        self.rng = random.Random(seed)
        self.now = moment
        self.council = council
        self.rulebook = rulebook
        self.hours = rulebook.referral_service_hours()
        self.people = people
        self.district_names = district_names
        self.persona_provider = persona_provider
        self.other_providers = [p for p in providers if p.pk != persona_provider.pk]
        self.answerers = answerers
        self.broker = broker
        self.maker = maker
        self.first_names = maker.female_names + maker.male_names
        reply = timedelta(minutes=rulebook.referral_response_minutes)
        amber = timedelta(
            minutes=min(rulebook.referral_amber_minutes, reply // timedelta(minutes=1))
        )
        # The last moment a referral could arrive and still be missed by now, and the span of
        # service time already used up that makes one show amber rather than green.
        self.missed_before = service_moment_before(moment, reply, self.hours)
        self.reply = reply
        self.amber = amber

    # --- times ---

    def _between(self, earliest: datetime, latest: datetime) -> datetime:
        seconds = max(int((latest - earliest).total_seconds()), 0)
        return earliest + timedelta(seconds=self.rng.randint(0, seconds))

    def _after(self, start: datetime, low: timedelta, high: timedelta) -> datetime:
        return min(self._between(start + low, start + high), self.now)

    def _london_date(self, moment: datetime) -> date:
        return to_london(moment).date()

    def _pending_receipt(self, kind: str) -> datetime:
        minute = timedelta(minutes=1)
        if kind == "missed":
            # Over the last few days; further back when a long weekend kept the service shut.
            earliest = min(self.now - timedelta(days=4), self.missed_before - timedelta(days=1))
            return self._between(earliest, self.missed_before - minute)
        # Service time already used: amber when less than the amber minutes remain. A minute
        # of margin each side, so a test looking right after seeding sees what was meant.
        if kind == "amber":
            low, high = self.reply - self.amber + minute, self.reply - minute
        else:
            low, high = timedelta(0), max(self.reply - self.amber - minute, timedelta(0))
        used = low + (high - low) * self.rng.random()
        return service_moment_before(self.now, used, self.hours)

    # --- the referral as the broker sent it ---

    def _base(self, received_at: datetime) -> tuple[Referral, list[_EventSpec]]:
        rng = self.rng
        person = rng.choice(self.people)
        if self.other_providers and rng.random() >= PERSONA_PROVIDER_SHARE:
            provider = rng.choice(self.other_providers)
        else:
            provider = self.persona_provider
        received_on = self._london_date(received_at)
        hospital = rng.random() < 0.7
        respond_by = referral_respond_by(self.rulebook, received_at)
        referral = Referral(
            council=self.council,
            provider=provider,
            service_user_id=person.pk,
            district_id=person.district_id,
            status=ReferralStatus.PENDING,
            source=Source.HOSPITAL if hospital else Source.DISTRICT_TEAM,
            hospital=rng.choice(_HOSPITALS) if hospital else "",
            ward=rng.choice(_WARDS) if hospital else "",
            district_team=""
            if hospital
            else f"{self.district_names[person.district_id]} district team",
            discharge_date=received_on + timedelta(days=rng.randint(0, 2)) if hospital else None,
            requested_start_date=received_on + timedelta(days=rng.randint(0, 3)),
            next_of_kin_name=person.next_of_kin_name,
            next_of_kin_relationship=person.next_of_kin_relationship,
            next_of_kin_phone=person.next_of_kin_phone,
            consent_to_share=person.consent_to_share,
            mca_best_interest="" if person.consent_to_share else _MCA,
            health_needs=rng.choice(_HEALTH_NEEDS),
            home_circumstances=rng.choice(_HOME_CIRCUMSTANCES),
            mobility=rng.choice(_MOBILITY),
            support_summary=rng.choice(_SUPPORT),
            risks=rng.choice(_RISKS),
            carers_required=1 if rng.random() < 0.75 else 2,
            visits_per_day=rng.choice((1, 2, 3, 3, 4)),
            worker_name=f"{rng.choice(self.first_names)} {rng.choice(self.maker.last_names)}",
            worker_team=rng.choice(_WORKER_TEAMS),
            worker_phone=_landline(rng),
            completed_on=received_on,
            received_at=received_at,
            respond_by=respond_by,
            created_by=self.broker.user,
            # Sent as it arrived: referral_create stamps its own moment, here the receipt.
            changed_at=received_at,
        )
        added = _EventSpec(
            ReferralEventKind.ADDED,
            received_at,
            self.broker,
            {
                "provider": provider.name,
                "received_at": received_at.isoformat(),
                "respond_by": respond_by.isoformat(),
            },
        )
        return referral, [added]

    # --- transitions, as referrals.services._transition writes them ---

    def _move(
        self,
        referral: Referral,
        events: list[_EventSpec],
        kind: ReferralEventKind,
        to: ReferralStatus,
        at: datetime,
        actor: _Actor,
        changes: dict[str, Any],
    ) -> None:
        for key, value in changes.items():
            setattr(referral, key, value)
        referral.status = to
        referral.changed_at = at
        if to in CLOSED_STATES:
            referral.closed_at = at
        details = {key: _iso(value) for key, value in changes.items() if key != "answered_by"}
        events.append(_EventSpec(kind, at, actor, details))

    def _accept(
        self, referral: Referral, events: list[_EventSpec], *, latest_visit: timedelta
    ) -> None:
        actor = self.answerers[referral.provider.pk]
        answered_at = self._after(referral.received_at, timedelta(minutes=5), timedelta(hours=3))
        first_visit_at = self._after(answered_at, timedelta(hours=2), latest_visit)
        self._move(
            referral,
            events,
            ReferralEventKind.ACCEPTED,
            ReferralStatus.ACCEPTED,
            answered_at,
            actor,
            {
                "answered_at": answered_at,
                "answered_by": actor.user,
                "first_visit_at": first_visit_at,
                "update_due_by": referral_update_due_by(self.rulebook, first_visit_at),
            },
        )

    def _update(self, referral: Referral, events: list[_EventSpec]) -> None:
        assert referral.first_visit_at is not None
        actor = self.answerers[referral.provider.pk]
        at = self._after(referral.first_visit_at, timedelta(hours=2), timedelta(hours=60))
        start = self._london_date(referral.first_visit_at)
        needs_changed = self.rng.random() < 0.15
        self._move(
            referral,
            events,
            ReferralEventKind.UPDATED,
            ReferralStatus.UPDATED,
            at,
            actor,
            {
                "provider_update_at": at,
                "care_start_date": start,
                "predicted_end_date": start + timedelta(weeks=6)
                if self.rng.random() < 0.6
                else None,
                "terminated_within_72_hours": False,
                "needs_changed": needs_changed,
                "needs_change_details": "A second carer is needed for transfers."
                if needs_changed
                else "",
                "update_completed_by": actor.user.full_name,
                "update_completed_on": self._london_date(at),
            },
        )

    def _send_actuals(self, referral: Referral, events: list[_EventSpec]) -> None:
        assert referral.provider_update_at is not None and referral.care_start_date is not None
        actor = self.answerers[referral.provider.pk]
        at = self._after(referral.provider_update_at, timedelta(days=7), timedelta(days=42))
        end = self._london_date(at)
        days = (end - referral.care_start_date).days + 1
        visits = max(days * referral.visits_per_day - self.rng.randint(0, 3), 0)
        per_visit = self.rng.choice((Decimal("0.5"), Decimal("0.75"), Decimal("1")))
        self._move(
            referral,
            events,
            ReferralEventKind.ACTUALS,
            ReferralStatus.COMPLETED,
            at,
            actor,
            {
                "actuals_at": at,
                "actuals_start_date": referral.care_start_date,
                "actuals_end_date": end,
                "visits_delivered": visits,
                "hours_delivered": visits * per_visit,
                "carers_at_start": referral.carers_required,
                "carers_at_end": referral.carers_required,
            },
        )

    def _refuse(self, referral: Referral, events: list[_EventSpec]) -> None:
        actor = self.answerers[referral.provider.pk]
        at = self._after(referral.received_at, timedelta(minutes=5), timedelta(hours=3))
        reason = self.rng.choice(RefusalReason.values)
        self._move(
            referral,
            events,
            ReferralEventKind.REFUSED,
            ReferralStatus.REFUSED,
            at,
            actor,
            {
                "answered_at": at,
                "answered_by": actor.user,
                "refusal_reason": reason,
                "refusal_details": _OTHER_DETAILS if reason == RefusalReason.OTHER else "",
            },
        )

    def _fail(self, referral: Referral, events: list[_EventSpec]) -> None:
        assert referral.answered_at is not None
        actor = self.answerers[referral.provider.pk]
        at = self._after(referral.answered_at, timedelta(hours=1), timedelta(hours=48))
        reason = self.rng.choice(FailureReason.values)
        self._move(
            referral,
            events,
            ReferralEventKind.FAILED,
            ReferralStatus.FAILED,
            at,
            actor,
            {
                "failure_reason": reason,
                "failure_details": _OTHER_DETAILS if reason == FailureReason.OTHER else "",
            },
        )

    def _withdraw(self, referral: Referral, events: list[_EventSpec]) -> None:
        at = self._after(referral.received_at, timedelta(minutes=30), timedelta(days=3))
        self._move(
            referral,
            events,
            ReferralEventKind.WITHDRAWN,
            ReferralStatus.WITHDRAWN,
            at,
            self.broker,
            {"withdrawal_reason": self.rng.choice(_WITHDRAWAL_REASONS)},
        )

    # --- one referral of each kind ---

    def pending(self, number: int) -> tuple[Referral, list[_EventSpec]]:
        return self._base(self._pending_receipt(_PENDING_MIX[number % len(_PENDING_MIX)]))

    def in_service(self, number: int) -> tuple[Referral, list[_EventSpec]]:
        status = _IN_SERVICE_MIX[number % len(_IN_SERVICE_MIX)]
        if status == ReferralStatus.ACCEPTED:
            # Some first visits still to come, some past with the update awaited or overdue.
            received = self._between(self.now - timedelta(days=5), self.now - timedelta(hours=3))
            referral, events = self._base(received)
            self._accept(referral, events, latest_visit=timedelta(hours=72))
            return referral, events
        received = self._between(self.now - timedelta(days=40), self.now - timedelta(days=6))
        referral, events = self._base(received)
        self._accept(referral, events, latest_visit=timedelta(hours=48))
        self._update(referral, events)
        return referral, events

    def closed(self, number: int) -> tuple[Referral, list[_EventSpec]]:
        status = _CLOSED_MIX[number % len(_CLOSED_MIX)]
        # Older than anything open: two years of history, completed ones ended by now.
        newest = timedelta(days=60 if status == ReferralStatus.COMPLETED else 5)
        received = self._between(self.now - timedelta(days=730), self.now - newest)
        referral, events = self._base(received)
        if status == ReferralStatus.REFUSED:
            self._refuse(referral, events)
        elif status == ReferralStatus.WITHDRAWN:
            self._withdraw(referral, events)
        else:
            self._accept(referral, events, latest_visit=timedelta(hours=48))
            if status == ReferralStatus.FAILED:
                self._fail(referral, events)
            else:
                self._update(referral, events)
                self._send_actuals(referral, events)
        return referral, events


def _label(user: User) -> str:
    return f"{user.full_name} ({user.organisation})"


def _answerers(
    tally: Tally, providers: list[Provider], persona: User, maker: PersonMaker
) -> dict[int, _Actor]:
    """Who answers each provider's referrals: the persona for its own, a duty officer elsewhere."""
    wanted = {
        f"duty{number:03d}@{SCALE_DUTY_DOMAIN}": provider
        for number, provider in enumerate(providers, start=1)
        if provider.pk != persona.provider_id
    }
    existing = {
        user.email: user
        for user in User.objects.filter(email__in=list(wanted)).select_related("provider")
    }
    tally.found("duty officers", len(existing))
    missing = []
    for email, provider in wanted.items():
        if email not in existing:
            user = User(
                email=email,
                first_name=maker.rng.choice(maker.female_names + maker.male_names),
                last_name=maker.rng.choice(maker.last_names),
                role=Role.SUPER_USER_SCHEDULED,
                provider=provider,
            )
            user.set_unusable_password()
            missing.append(user)
    if missing:
        User.objects.bulk_create(missing)
        tally.made("duty officers", len(missing))
    assert persona.provider_id is not None
    answerers = {persona.provider_id: _Actor(persona, _label(persona))}
    for user in [*existing.values(), *missing]:
        assert user.provider_id is not None
        answerers[user.provider_id] = _Actor(user, _label(user))
    return answerers


class _RowWriter:
    """Writes many rows of one model at once, for bench data that must load in minutes.

    bulk_create would be the obvious tool, but it sends every one of a referral's 65 values
    through the field machinery one at a time and, on SQLite, 15 rows per INSERT: four fifths of
    a 200,000-referral load went there. This writer has the database backend adapt only the
    values that need it (moments, dates, decimals, JSON: the same adapters bulk_create ends in)
    and sends the rows with executemany. `numbered`: it gives the rows their ids itself, for
    rows that others refer to (the referrals, which their events point at).
    """

    def __init__(self, model: type[models.Model], *, numbered: bool) -> None:
        self.model = model
        self.numbered = numbered
        self.fields = [f for f in model._meta.concrete_fields if numbered or not f.primary_key]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        values = ", ".join(["%s"] * len(self.fields))
        # Only the model's own table and column names, quoted, are formatted into the SQL.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
        self.columns = [(field.attname, _adapter(field)) for field in self.fields]
        last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
        self.next_pk = (last or 0) + 1
        self.written = 0

    def write_instances(self, instances: Sequence[models.Model]) -> None:
        if self.numbered:
            for instance in instances:
                instance.pk = self.next_pk
                self.next_pk += 1
        # A model instance keeps each field's value in its __dict__ under the field's attname.
        self.write([vars(instance) for instance in instances])

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        values = [tuple(adapt(row[name]) for name, adapt in self.columns) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)
        self.written += len(values)

    def finish(self) -> None:
        """Move the table's id sequence past the rows numbered here (PostgreSQL needs it)."""
        if self.numbered and self.written:
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                    cursor.execute(sql)


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField | models.JSONField | models.TimeField):
        return functools.partial(field.get_db_prep_save, connection=connection)
    return _plain


def _plain(value: Any) -> Any:
    # A TextChoices member is a str subclass that not every database driver binds.
    return value.value if isinstance(value, Enum) else value


def _save_referrals(
    batch: list[tuple[Referral, list[_EventSpec]]], referrals: _RowWriter, events: _RowWriter
) -> None:
    referrals.write_instances([referral for referral, _specs in batch])
    events.write(
        [
            {
                "referral_id": referral.pk,
                "kind": spec.kind,
                "at": spec.at,
                "by_id": spec.actor.user.pk,
                "by_label": spec.actor.label,
                "details": spec.details,
            }
            for referral, specs in batch
            for spec in specs
        ]
    )


def _scale_referrals(
    tally: Tally,
    council: Council,
    providers: list[Provider],
    districts: list[District],
    maker: PersonMaker,
    *,
    pending: int,
    in_service: int,
    closed: int,
) -> dict[str, int]:
    """Top the council's referrals up to the numbers asked for, by state."""
    referrals = Referral.objects.filter(council=council)
    have = {
        "pending": referrals.filter(status=ReferralStatus.PENDING).count(),
        "in service": referrals.filter(status__in=IN_SERVICE_STATES).count(),
        "closed": referrals.filter(status__in=CLOSED_STATES).count(),
    }
    wanted = {
        "pending": max(pending - have["pending"], 0),
        "in service": max(in_service - have["in service"], 0),
        "closed": max(closed - have["closed"], 0),
    }
    for kind, count in have.items():
        tally.found(f"{kind} referrals", count)
    if not any(wanted.values()):
        return have
    people = [
        _Person(*row)
        for row in ServiceUser.objects.filter(council=council, district__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "district_id",
            "next_of_kin_name",
            "next_of_kin_relationship",
            "next_of_kin_phone",
            "consent_to_share",
        )
    ]
    if not people:
        raise ValueError("Referrals need service users: seed some with --clients first.")
    persona = User.objects.select_related("provider").get(email=f"provider@{SCALE_SLUG}.example")
    broker = User.objects.select_related("council").get(email=f"broker@{SCALE_SLUG}.example")
    assert persona.provider is not None
    rulebook = Rulebook.objects.get(council=council)
    referral_maker = _ReferralMaker(
        # A fixed seed per run size would repeat referrals on a top-up; it follows the count.
        seed=40000 + sum(have.values()),
        moment=now(),
        council=council,
        rulebook=rulebook,
        people=people,
        district_names={district.pk: district.name for district in districts},
        persona_provider=persona.provider,
        providers=providers,
        answerers=_answerers(tally, providers, persona, maker),
        broker=_Actor(broker, _label(broker)),
        maker=maker,
    )
    # The services write one referral at a time, each transition with its compare-and-set,
    # update-log event and audit event: right for the product, far too slow for 200,000 rows of
    # benchmark data. This loader is the second exception (after the service users): it writes
    # only rows and update-log events the services would write themselves, in states reached by
    # the transitions of choices.TRANSITIONS (closed_at set when closed, answered_at and
    # answered_by when answered, a refusal or failure reason when refused or failed), and no
    # audit events, since nobody did any of this.
    makers = (
        ("pending", referral_maker.pending),
        ("in service", referral_maker.in_service),
        ("closed", referral_maker.closed),
    )
    referral_writer = _RowWriter(Referral, numbered=True)
    event_writer = _RowWriter(ReferralEvent, numbered=False)
    for kind, make in makers:
        batch: list[tuple[Referral, list[_EventSpec]]] = []
        for number in range(have[kind], have[kind] + wanted[kind]):
            batch.append(make(number))
            if len(batch) == SCALE_BATCH:
                _save_referrals(batch, referral_writer, event_writer)
                batch = []
        if batch:
            _save_referrals(batch, referral_writer, event_writer)
        tally.made(f"{kind} referrals", wanted[kind])
    referral_writer.finish()
    event_writer.finish()
    tally.made("referral events", event_writer.written)
    return {kind: have[kind] + wanted[kind] for kind in have}


def _scale_api_token(tally: Tally, council: Council) -> None:
    if ApiToken.objects.filter(key_hash=key_hash(SCALE_API_KEY)).exists():
        tally.found("API tokens")
        return
    api_token_create(council=council, name=SCALE_API_CLIENT_NAME, by=None, key=SCALE_API_KEY)
    tally.made("API tokens")


@transaction.atomic
def seed_scale(
    clients: int = 20000,
    stdout: Writer | None = None,
    *,
    pending_referrals: int = 0,
    closed_referrals: int = 0,
    in_service_referrals: int | None = None,
    contract_documents: int = 0,
    actuals_weeks: int = 0,
    actions: int = 0,
    front_door_requests: int = 0,
    directory_services: int = 0,
) -> dict[str, Any]:
    """A council-sized data set for the benchmarks, topped up to `clients` service users and to
    the numbers of referrals asked for (in service: a sixteenth of the pending ones unless
    given), with the provider persona's actuals for the last `actuals_weeks` ended weeks and
    `actions` actions between the council and its providers."""
    if in_service_referrals is None:
        in_service_referrals = pending_referrals // IN_SERVICE_PER_PENDING
    started = clock.perf_counter()
    tally = Tally()
    council = _council(tally, name=SCALE_COUNCIL_NAME, slug=SCALE_SLUG)
    _teams(tally, council)
    districts = _districts(tally, council, SCALE_DISTRICTS)
    # A fixed seed per run size would repeat people on a top-up; the seed follows the count.
    maker = PersonMaker(30000 + ServiceUser.objects.filter(council=council).count())

    providers = _scale_providers(tally, council, maker, districts, max(5, clients // 100))
    _login(
        tally,
        email=f"admin@{SCALE_SLUG}.example",
        first_name="Morgan",
        last_name="Ellery",
        role=Role.COUNCIL_ADMINISTRATOR,
        council=council,
    )
    _login(
        tally,
        email=f"broker@{SCALE_SLUG}.example",
        first_name="Jordan",
        last_name="Pike",
        role=Role.BROKER,
        council=council,
    )
    _login(
        tally,
        email=f"provider@{SCALE_SLUG}.example",
        first_name="Robin",
        last_name="Okafor",
        role=Role.SUPER_USER_SCHEDULED,
        provider=providers[0],
    )
    total = _scale_service_users(tally, council, maker, districts, clients)
    _scale_contacts(tally, providers, maker, clients // 10)
    _scale_api_token(tally, council)
    referrals_started = clock.perf_counter()
    referrals = _scale_referrals(
        tally,
        council,
        providers,
        districts,
        maker,
        pending=pending_referrals,
        in_service=in_service_referrals,
        closed=closed_referrals,
    )
    referral_seconds = clock.perf_counter() - referrals_started
    contracts_started = clock.perf_counter()
    contracts = scale_contracts(
        tally,
        council,
        providers,
        documents=contract_documents,
        persona=User.objects.select_related("provider").get(email=f"provider@{SCALE_SLUG}.example"),
        broker=User.objects.get(email=f"broker@{SCALE_SLUG}.example"),
        maker=maker,
    )
    contract_seconds = clock.perf_counter() - contracts_started
    actuals_started = clock.perf_counter()
    actuals = scale_actuals(
        tally,
        council,
        User.objects.get(email=f"provider@{SCALE_SLUG}.example"),
        weeks=actuals_weeks,
    )
    actuals_seconds = clock.perf_counter() - actuals_started
    actions_started = clock.perf_counter()
    threads = scale_actions(
        tally,
        council,
        providers,
        actions=actions,
        persona=User.objects.select_related("provider").get(email=f"provider@{SCALE_SLUG}.example"),
        broker=User.objects.get(email=f"broker@{SCALE_SLUG}.example"),
        admin=User.objects.get(email=f"admin@{SCALE_SLUG}.example"),
        maker=maker,
    )
    actions_seconds = clock.perf_counter() - actions_started
    front_door_started = clock.perf_counter()
    front_door = scale_front_door(
        tally, council, requests=front_door_requests, directory_services=directory_services
    )
    front_door_seconds = clock.perf_counter() - front_door_started
    seconds = clock.perf_counter() - started

    _say(stdout, f"Scale data ({SCALE_COUNCIL_NAME}):")
    _report(stdout, tally)
    _say(stdout, f"  {total} service users in the council now; took {seconds:.1f} s")
    _say(
        stdout,
        f"  referrals: {referrals['pending']} pending, {referrals['in service']} accepted or "
        f"updated, {referrals['closed']} closed; {referral_seconds:.1f} s of that",
    )
    _say(
        stdout,
        f"  contracts: {contracts['documents']} contract documents, {contracts['cplis']} CPLIs; "
        f"{contract_seconds:.1f} s of that",
    )
    if actuals_weeks:
        _say(
            stdout,
            f"  actuals: {actuals['actuals']} of the provider persona for the last "
            f"{actuals_weeks} ended week(s), {actuals['periods']} periods open; "
            f"{actuals_seconds:.1f} s of that",
        )
    if actions:
        _say(
            stdout,
            f"  actions: {threads['actions']} with {threads['posts']} posts; "
            f"{actions_seconds:.1f} s of that",
        )
    if front_door_requests or directory_services:
        _say(
            stdout,
            f"  front door: {front_door['requests']} requests and {front_door['directory services']} "
            f"directory services added, {front_door['postcodes']} postcodes; "
            f"{front_door_seconds:.1f} s of that",
        )
    _say(stdout, f"  API key of {SCALE_API_CLIENT_NAME}: {SCALE_API_KEY} (benchmark data only)")
    _say(
        stdout,
        f"Log-ins admin@{SCALE_SLUG}.example, broker@{SCALE_SLUG}.example, "
        f"provider@{SCALE_SLUG}.example: password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}",
    )
    return {
        "created": tally.created,
        "existing": tally.existing,
        "clients": total,
        "providers": len(providers),
        "referrals": referrals,
        "referral_seconds": referral_seconds,
        "contracts": contracts,
        "actuals": actuals,
        "actions": threads,
        "seconds": seconds,
    }
