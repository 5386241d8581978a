"""The benchmark's referrals, one at a time: a referral in each state (pending in time, due soon
or missed; accepted or updated; completed, refused, failed or withdrawn) with the fields and
update-log events the referral services write on the way there."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from carebridge.core.calendar import to_london
from carebridge.demo.common import PersonMaker, _landline, service_moment_before
from carebridge.demo.scale_council import Actor
from carebridge.organisations.deadlines import referral_respond_by, referral_update_due_by
from carebridge.organisations.models import Council, Provider, Rulebook
from carebridge.referrals.choices import (
    CLOSED_STATES,
    FailureReason,
    ReferralEventKind,
    ReferralStatus,
    RefusalReason,
    Source,
)
from carebridge.referrals.models import Referral

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


@dataclass(frozen=True)
class Person:
    pk: int
    district_id: int
    next_of_kin_name: str
    next_of_kin_relationship: str
    next_of_kin_phone: str
    consent_to_share: bool


@dataclass(frozen=True)
class EventSpec:
    kind: ReferralEventKind
    at: datetime
    actor: Actor
    details: dict[str, Any]


class ReferralMaker:
    """Referrals in every state, with the fields and update-log events the services write."""

    def __init__(
        self,
        *,
        seed: int,
        moment: datetime,
        council: Council,
        rulebook: Rulebook,
        people: Sequence[Person],
        district_names: dict[int, str],
        persona_provider: Provider,
        providers: Sequence[Provider],
        answerers: dict[int, Actor],
        broker: Actor,
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

    def _base(self, received_at: datetime) -> tuple[Referral, list[EventSpec]]:
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
        added = EventSpec(
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
        events: list[EventSpec],
        kind: ReferralEventKind,
        to: ReferralStatus,
        at: datetime,
        actor: Actor,
        changes: dict[str, Any],
    ) -> None:
        for key, value in changes.items():
            setattr(referral, key, value)
        referral.status = to
        referral.changed_at = at
        if to in CLOSED_STATES:
            referral.closed_at = at
        details = {key: _iso(value) for key, value in changes.items() if key != "answered_by"}
        events.append(EventSpec(kind, at, actor, details))

    def _accept(
        self, referral: Referral, events: list[EventSpec], *, latest_visit: timedelta
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

    def _update(self, referral: Referral, events: list[EventSpec]) -> None:
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

    def _send_actuals(self, referral: Referral, events: list[EventSpec]) -> None:
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

    def _refuse(self, referral: Referral, events: list[EventSpec]) -> None:
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

    def _fail(self, referral: Referral, events: list[EventSpec]) -> None:
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

    def _withdraw(self, referral: Referral, events: list[EventSpec]) -> None:
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

    def pending(self, number: int) -> tuple[Referral, list[EventSpec]]:
        return self._base(self._pending_receipt(_PENDING_MIX[number % len(_PENDING_MIX)]))

    def in_service(self, number: int) -> tuple[Referral, list[EventSpec]]:
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

    def closed(self, number: int) -> tuple[Referral, list[EventSpec]]:
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
