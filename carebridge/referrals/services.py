"""Every write to a referral. Each transition is one function: it checks the table in
`choices.TRANSITIONS`, changes the state with its compare-and-set (`Lifecycle.move`), writes the
update-log event (which is also the council's notice) and an audit event in the same transaction,
and does nothing when the same request arrives twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now, to_london
from carebridge.core.errors import Refused
from carebridge.core.idempotency import once_per_key
from carebridge.organisations.deadlines import referral_respond_by, referral_update_due_by
from carebridge.organisations.models import Council, District, Provider
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals.choices import (
    CLOSED_STATES,
    PURPOSE,
    TRANSITIONS,
    FailureReason,
    ReferralEventKind,
    ReferralStatus,
    RefusalReason,
)
from carebridge.referrals.models import Referral, ReferralEvent
from carebridge.referrals.rules import provider_update_check, referral_check, visit_actuals_check

E = ReferralEventKind


class TransitionRefused(Refused):
    """A request the referral's current state does not allow; the message says why, in plain words."""


def _by_label(by: User | None, via: str) -> str:
    if by is None:
        return via or "The council's case-management system"
    # A provider's system answers with its key's maker's rights: the log says it was the system.
    through = f", through {via}" if via else ""
    return f"{by.full_name} ({by.organisation}){through}"


def _event(
    referral: Referral,
    kind: ReferralEventKind,
    *,
    by: User | None,
    via: str,
    at: datetime,
    details: dict[str, Any],
) -> ReferralEvent:
    event = ReferralEvent.objects.create(
        referral=referral, kind=kind, at=at, by=by, by_label=_by_label(by, via), details=details
    )
    record(
        action=f"referral.{kind}",
        by=by,
        obj=referral,
        council=referral.council_id,
        provider=referral.provider_id,
        detail=details,
    )
    if kind != E.ADDED:
        # In the change's transaction: the council's system gets every change, or none of a
        # change rolled back. (A polled referral's first update, "acknowledged", is the
        # poller's.)
        from carebridge.integrations.case_updates import case_update_queue

        case_update_queue(referral=referral, event=kind.value, at=at, details=details)
    return event


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    return value


# --- Creating a referral -----------------------------------------------------------------------


# What a broker's "Send referral" or a system's POST claims its key for (core.idempotency):
# a repeat of `idempotency_key` (a double click, a retry) returns the first referral.
REFERRAL_CREATE = "referrals.referral_create"


@transaction.atomic
@once_per_key(
    REFERRAL_CREATE,
    find=lambda pk, call: Referral.objects.filter(pk=pk, council=call["council"]).first(),
)
def referral_create(
    *,
    council: Council,
    provider: Provider,
    district: District,
    by: User | None,
    service_user: ServiceUser | None = None,
    new_person: dict[str, Any] | None = None,
    received_at: datetime | None = None,
    via: str = "",
    idempotency_key: str | None = None,
    postcode_confirmed: bool = False,
    **fields: Any,
) -> Referral:
    """Offer a referral to one provider: for a known service user, or a new one made here.

    `postcode_confirmed`: the sender has checked that a postcode outside the district's postcode
    districts is right."""
    if by is not None and by.council_id != council.pk:
        raise PermissionError("Only the council's own staff can send its referrals.")
    moment = now()
    referral_check(
        council=council,
        district=district,
        provider=provider,
        service_user=service_user,
        new_person=new_person,
        received_at=received_at,
        postcode_confirmed=postcode_confirmed,
        **fields,
    )
    if received_at is None:
        received_at = moment
    if service_user is None:
        assert new_person is not None
        service_user = people.service_user_create(
            council=council, by=by, district=district, **new_person
        )
    referral = Referral(
        council=council,
        provider=provider,
        district=district,
        service_user=service_user,
        received_at=received_at,
        respond_by=referral_respond_by(council.rulebook, received_at),
        created_by=by,
        changed_at=moment,
        **fields,
    )
    referral.full_clean()
    referral.save()
    _event(
        referral,
        E.ADDED,
        by=by,
        via=via,
        at=moment,
        details={
            "provider": provider.name,
            "received_at": received_at.isoformat(),
            "respond_by": referral.respond_by.isoformat(),
        },
    )
    return referral


# --- Transitions -------------------------------------------------------------------------------


def transition_refusal(current: Referral, kind: ReferralEventKind) -> TransitionRefused | None:
    """Why the referral's state does not allow this event, in the guide's words; None if it does.

    Pages use it to explain, before anyone fills in a form, why it cannot be sent, and to offer
    only the answers that can be given."""
    if not TRANSITIONS.allows(ReferralStatus(current.status), kind):
        return _refusal(current, kind)
    if kind == E.DELAYED:
        return _delay_limit_refusal(current)
    return None


def _delay_limit_refusal(current: Referral) -> TransitionRefused | None:
    """The rulebook allows only so many delays to the start of a service."""
    limit = current.council.rulebook.referral_max_delays
    if current.delay_count < limit:
        return None
    times = f"{current.delay_count} {'time' if current.delay_count == 1 else 'times'}"
    return TransitionRefused(
        f"You cannot delay the start of this service again: it has already been delayed {times}, "
        "the most allowed. Contact the council, or use Failed service start if the service "
        "cannot start."
    )


def _refusal(current: Referral, kind: ReferralEventKind) -> TransitionRefused:
    needed = " or ".join(sorted(ReferralStatus(s).label for s in TRANSITIONS.sources(kind)))
    return TransitionRefused(
        f"The selected referral is currently in the state "
        f"{ReferralStatus(current.status).label}, but needs to be in the state {needed} in "
        f"order {PURPOSE[kind]}."
    )


def _check_actor(referral: Referral, by: User | None, kind: ReferralEventKind) -> None:
    if kind == E.WITHDRAWN:
        if by is not None and by.council_id != referral.council_id:
            raise PermissionError("Only the council can withdraw its referral.")
    elif by is None or by.provider_id != referral.provider_id:
        raise PermissionError("Only the provider the referral was sent to can answer it.")


def _transition(
    referral: Referral,
    kind: ReferralEventKind,
    *,
    by: User | None,
    via: str = "",
    changes: dict[str, Any | Callable[[Referral, datetime], Any]],
    already_done: Callable[[Referral], bool],
    check: Callable[[Referral], None] | None = None,
) -> Referral:
    """Move a referral by one event of the table, at most once however often it is asked."""
    _check_actor(referral, by, kind)
    moment = now()
    with transaction.atomic():
        current = Referral.objects.select_related("council__rulebook").get(pk=referral.pk)
        if already_done(current):
            return current  # a repeat of a request that has already been carried out
        if not TRANSITIONS.allows(ReferralStatus(current.status), kind):
            raise _refusal(current, kind)
        if check is not None:
            check(current)
        values = {
            key: (value(current, moment) if callable(value) else value)
            for key, value in changes.items()
        }
        if TRANSITIONS.target(kind) in CLOSED_STATES:
            values["closed_at"] = moment
        # Compare-and-set: the row changes only if nobody changed it since we read it, so two
        # requests at once cannot both win (SQLite ignores select_for_update; this works on both).
        won = TRANSITIONS.move(
            Referral,
            current.pk,
            kind,
            guard={"status": current.status, "changed_at": current.changed_at},
            changed_at=moment,
            **values,
        )
        if not won:
            current = Referral.objects.get(pk=referral.pk)
            if already_done(current):
                return current
            raise TransitionRefused(
                "Someone else changed this referral at the same moment. "
                f"It is now {ReferralStatus(current.status).label}: check it and try again."
            )
        current.refresh_from_db()
        # Who answered is the event's own `by`; the details are what was submitted.
        details = {
            key: _json(value)
            for key, value in values.items()
            if key not in {"closed_at", "answered_by"}
        }
        _event(current, kind, by=by, via=via, at=moment, details=details)
    return current


def _at_moment(_current: Referral, moment: datetime) -> datetime:
    return moment


def _in_future_of_receipt(referral: Referral, when: datetime, field: str) -> None:
    if to_london(when).date() < to_london(referral.received_at).date():
        raise ValidationError({field: "The first visit cannot be before the referral was received"})


def referral_accept(
    *, referral: Referral, by: User, first_visit_at: datetime, via: str = ""
) -> Referral:
    """The provider takes the person into service, with the date and time of the first visit."""

    def check(current: Referral) -> None:
        _in_future_of_receipt(current, first_visit_at, "first_visit_at")

    def due(current: Referral, _moment: datetime) -> datetime:
        return referral_update_due_by(current.council.rulebook, first_visit_at)

    return _transition(
        referral,
        E.ACCEPTED,
        by=by,
        via=via,
        changes={
            "answered_at": _at_moment,
            "answered_by": by,
            "first_visit_at": first_visit_at,
            "update_due_by": due,
        },
        already_done=lambda r: (
            r.status != ReferralStatus.PENDING
            and r.answered_by_id is not None
            and r.refusal_reason == ""
            and r.first_visit_at == first_visit_at
            and r.delay_count == 0
        ),
        check=check,
    )


def _reason_details(
    reason: str,
    details: str,
    reasons: type[RefusalReason] | type[FailureReason],
    *,
    choose: str,
    give: str,
) -> str:
    """A reason from the guide's list, and its details (which Other needs), stripped."""
    details = details.strip()
    if reason not in reasons.values:
        raise ValidationError({"reason": choose})
    if reason == reasons.OTHER and not details:
        raise ValidationError({"details": give})
    return details


def referral_refuse(
    *, referral: Referral, by: User, reason: str, details: str = "", via: str = ""
) -> Referral:
    """The provider turns the referral down; it leaves the provider's lists."""
    details = _reason_details(
        reason,
        details,
        RefusalReason,
        choose="Choose the reason for refusing this referral",
        give="Give the reason for refusing this referral",
    )
    return _transition(
        referral,
        E.REFUSED,
        by=by,
        via=via,
        changes={
            "answered_at": _at_moment,
            "answered_by": by,
            "refusal_reason": reason,
            "refusal_details": details,
        },
        already_done=lambda r: (
            r.status == ReferralStatus.REFUSED
            and r.refusal_reason == reason
            and r.refusal_details == details
        ),
    )


def referral_delay(
    *, referral: Referral, by: User, first_visit_at: datetime, via: str = ""
) -> Referral:
    """The provider moves the first visit later, at most the rulebook's number of times."""

    def check(current: Referral) -> None:
        if refusal := _delay_limit_refusal(current):
            raise refusal
        if current.first_visit_at is not None and first_visit_at <= current.first_visit_at:
            raise ValidationError(
                {"first_visit_at": "The new first visit must be later than the one booked"}
            )
        _in_future_of_receipt(current, first_visit_at, "first_visit_at")

    return _transition(
        referral,
        E.DELAYED,
        by=by,
        via=via,
        changes={
            "first_visit_at": first_visit_at,
            "delay_count": lambda current, _moment: current.delay_count + 1,
            # The update follows the first visit that really happens, not the one first booked.
            "update_due_by": lambda current, _moment: referral_update_due_by(
                current.council.rulebook, first_visit_at
            ),
        },
        already_done=lambda r: (
            r.status == ReferralStatus.ACCEPTED
            and r.delay_count > 0
            and r.first_visit_at == first_visit_at
        ),
        check=check,
    )


def referral_fail(
    *, referral: Referral, by: User, reason: str, details: str = "", via: str = ""
) -> Referral:
    """The accepted service did not start; the person leaves the provider's lists."""
    details = _reason_details(
        reason,
        details,
        FailureReason,
        choose="Choose the reason why the service was cancelled",
        give="Give details of why the service was cancelled",
    )
    return _transition(
        referral,
        E.FAILED,
        by=by,
        via=via,
        changes={"failure_reason": reason, "failure_details": details},
        already_done=lambda r: (
            r.status == ReferralStatus.FAILED
            and r.failure_reason == reason
            and r.failure_details == details
        ),
    )


def referral_update(
    *,
    referral: Referral,
    by: User,
    care_start_date: date,
    predicted_end_date: date | None,
    terminated_within_72_hours: bool,
    needs_changed: bool,
    needs_change_details: str,
    completed_by: str,
    completed_on: date,
    via: str = "",
) -> Referral:
    """The provider update, due the rulebook's hours after the first visit: how the service has
    started."""
    needs_change_details = needs_change_details.strip()
    provider_update_check(
        referral,
        care_start_date=care_start_date,
        predicted_end_date=predicted_end_date,
        needs_changed=needs_changed,
        needs_change_details=needs_change_details,
        completed_by=completed_by,
        completed_on=completed_on,
    )
    changes = {
        "provider_update_at": _at_moment,
        "care_start_date": care_start_date,
        "predicted_end_date": predicted_end_date,
        "terminated_within_72_hours": terminated_within_72_hours,
        "needs_changed": needs_changed,
        "needs_change_details": needs_change_details if needs_changed else "",
        "update_completed_by": completed_by.strip(),
        "update_completed_on": completed_on,
    }
    return _transition(
        referral,
        E.UPDATED,
        by=by,
        via=via,
        changes=changes,
        already_done=lambda r: (
            r.status == ReferralStatus.UPDATED
            and r.care_start_date == care_start_date
            and r.predicted_end_date == predicted_end_date
            and r.needs_changed == needs_changed
            and r.update_completed_on == completed_on
        ),
    )


def referral_send_actuals(
    *,
    referral: Referral,
    by: User,
    start_date: date,
    end_date: date,
    visits_delivered: int,
    hours_delivered: Decimal,
    carers_at_start: int,
    carers_at_end: int,
    via: str = "",
) -> Referral:
    """The visits and hours really delivered, sent on the last day; this ends the service."""
    visit_actuals_check(
        referral,
        start_date=start_date,
        end_date=end_date,
        visits_delivered=visits_delivered,
        hours_delivered=hours_delivered,
    )
    return _transition(
        referral,
        E.ACTUALS,
        by=by,
        via=via,
        changes={
            "actuals_at": _at_moment,
            "actuals_start_date": start_date,
            "actuals_end_date": end_date,
            "visits_delivered": visits_delivered,
            "hours_delivered": hours_delivered,
            "carers_at_start": carers_at_start,
            "carers_at_end": carers_at_end,
        },
        already_done=lambda r: (
            r.status == ReferralStatus.COMPLETED
            and r.actuals_start_date == start_date
            and r.actuals_end_date == end_date
            and r.visits_delivered == visits_delivered
            and r.hours_delivered == hours_delivered
        ),
    )


def referral_withdraw(
    *, referral: Referral, by: User | None, reason: str, via: str = ""
) -> Referral:
    """The council takes back a referral it no longer needs (for example the person died)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for withdrawing this referral"})
    return _transition(
        referral,
        E.WITHDRAWN,
        by=by,
        via=via,
        changes={"withdrawal_reason": reason},
        already_done=lambda r: (
            r.status == ReferralStatus.WITHDRAWN and r.withdrawal_reason == reason
        ),
    )
