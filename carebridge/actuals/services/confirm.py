"""Confirming a period: the provider says its actuals are complete and correct, by the
council's deadline; the council records that the period's payment has been processed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Sum

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import WEEK, week_has_ended, weeks_between
from carebridge.actuals.rules import ZERO
from carebridge.actuals.services.common import ActualsRefused, require_editor, running_in
from carebridge.audit.services import record
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now, today
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Rulebook


@dataclass(frozen=True)
class ConfirmationState:
    period: Period
    deadline: object
    confirmed_at: object | None
    changed_since: bool
    missing: int
    # The latest confirmation came after the deadline: the council sees it as late, and so must
    # the provider.
    confirmed_late: bool = False

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and not self.changed_since

    @property
    def is_late(self) -> bool:
        """Not confirmed (or changed since) and past the deadline."""
        return not self.is_confirmed and now() > self.deadline  # type: ignore[operator]


def missing_actuals(provider_id: int, period: Period) -> int:
    """How many (CPLI, week) pairs of the period have no actual yet (short breaks aside)."""
    weeks = list(weeks_between(period.start_date, period.end_date))
    cplis = Cpli.objects.filter(
        provider_id=provider_id,
        council_id=period.council_id,
        yearly_allocation__isnull=True,
    ).filter(running_in(period.start_date, period.end_date))
    # Pairs, not counts: a row left in a week a line no longer runs in (ended early by a
    # termination) must not stand in for another line's missing week.
    have = set(
        Actual.objects.filter(provider_id=provider_id, period=period).values_list(
            "cpli_id", "week_start"
        )
    )
    missing = 0
    for cpli_id, start, end in cplis.values_list("pk", "start_date", "end_date"):
        for week in weeks:
            last = week + WEEK - timedelta(days=1)
            if start <= last and (end is None or end >= week) and (cpli_id, week) not in have:
                missing += 1
    return missing


def confirmation_state(
    provider_id: int, period: Period, *, count_missing: bool = True
) -> ConfirmationState:
    """Whether the provider has confirmed the period (and not changed it since), its deadline,
    and (unless not wanted: it reads every line of the period) how many weekly actuals are
    still to be entered."""
    latest, late = (
        Confirmation.objects.filter(period=period, provider_id=provider_id)
        .order_by("-confirmed_at")
        .values_list("confirmed_at", "late")
        .first()
    ) or (None, False)
    changed = False
    if latest is not None:
        last_change = Actual.objects.filter(period=period, provider_id=provider_id).aggregate(
            at=Max("changed_at")
        )["at"]
        changed = last_change is not None and last_change > latest
    rulebook = Rulebook.objects.get(council_id=period.council_id)
    return ConfirmationState(
        period=period,
        deadline=actuals_confirm_by(rulebook, period.end_date),
        confirmed_at=latest,
        changed_since=changed,
        missing=missing_actuals(provider_id, period) if count_missing else 0,
        confirmed_late=late,
    )


@transaction.atomic
def actuals_confirm(user: User, period: Period) -> Confirmation:
    """The provider confirms a period's actuals are complete and correct. Every week must have
    ended and every line must have its actuals; a paid period cannot be confirmed again."""
    require_editor(user)
    provider_id = user.provider_id
    assert provider_id is not None
    # Lock the period's row where the database can, so confirming races the payment run safely.
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_paid:
        raise ActualsRefused(
            "You cannot confirm actuals for a period where the payment has already been processed"
        )
    if period.end_date >= today():
        raise ActualsRefused(
            "Actuals cannot be confirmed while the period is in progress: confirm them after "
            "its last day"
        )
    state = confirmation_state(provider_id, period)
    if state.missing:
        raise ActualsRefused(
            f"{state.missing} weekly actuals of this period have not been entered: generate "
            "the actuals for every week first"
        )
    if state.is_confirmed:
        existing = Confirmation.objects.filter(period=period, provider_id=provider_id).first()
        assert existing is not None
        return existing
    moment = now()
    confirmation = Confirmation.objects.create(
        period=period,
        provider_id=provider_id,
        confirmed_at=moment,
        confirmed_by=user,
        late=moment > state.deadline,  # type: ignore[operator]
    )
    totals = Actual.objects.filter(period=period, provider_id=provider_id).aggregate(
        cost=Sum("cost")
    )
    record(
        action="actuals.confirmed",
        by=user,
        obj=period,
        council=period.council_id,
        provider=provider_id,
        detail={"late": confirmation.late, "total": f"{totals['cost'] or ZERO:.2f}"},
    )
    return confirmation


@transaction.atomic
def period_mark_paid(user: User, period: Period) -> bool:
    """The council's payments team records that a period's payment has been processed: from
    then on nobody can change or confirm its actuals. Twice changes nothing."""
    if user.council_id != period.council_id or not can_edit(user.role, Function.ACTUALS):
        raise ActualsRefused("You do not have permission to record payments.")
    if not week_has_ended(period.end_date - timedelta(days=6)):
        raise ActualsRefused("A period cannot be paid before it has ended")
    done = Period.objects.filter(pk=period.pk, payment_processed_at__isnull=True).update(
        payment_processed_at=now(), payment_processed_by=user
    )
    if done:
        record(action="actuals.period_paid", by=user, obj=period, council=period.council_id)
    return bool(done)
