"""Actuals periods: opening each council's as they start, finding the ones that hold some weeks,
and whether a week of one may still change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from carebridge.actuals.models import Period
from carebridge.actuals.periods import period_bounds, week_has_ended
from carebridge.core.calendar import now, today
from carebridge.organisations.models import Rulebook


def periods_open(on: date | None = None) -> int:
    """Open every council's periods up to the one that holds `on`, from its first period: the
    scheduled task's work, which also catches up on any run it missed. Returns how many opened."""
    day = on or today()
    opened = 0
    for rulebook in Rulebook.objects.all():
        current_start, _ = period_bounds(rulebook, day)
        have = set(
            Period.objects.filter(council_id=rulebook.council_id).values_list(
                "start_date", flat=True
            )
        )
        new = []
        start = rulebook.actuals_periods_from
        while start <= current_start:
            first, last = period_bounds(rulebook, start)
            if first not in have:
                new.append(
                    Period(
                        council_id=rulebook.council_id,
                        start_date=first,
                        end_date=last,
                        opened_at=now(),
                    )
                )
            start = last + timedelta(days=1)
        # Two runs at once cannot open a period twice: the unique start date stops the second.
        Period.objects.bulk_create(new, ignore_conflicts=True)
        opened += len(new)
    return opened


def periods_of(council_ids: Iterable[int], weeks: Iterable[date]) -> dict[tuple[int, date], Period]:
    """The period holding each (council, week), for those that are open."""
    weeks = set(weeks)
    if not weeks:
        return {}
    found: dict[tuple[int, date], Period] = {}
    periods = Period.objects.filter(
        council_id__in=set(council_ids),
        start_date__lte=max(weeks),
        end_date__gte=min(weeks),
    )
    for period in periods:
        for week in weeks:
            if period.start_date <= week <= period.end_date:
                found[(period.council_id, week)] = period
    return found


def week_refusal(period: Period | None, week: date, *, held: bool = False) -> str | None:
    """Why a row of the week may not change, if it may not. `held`: the row is held open
    (core.holds: in an open dispute), so its period's processed payment does not stop it, as a
    later payment run pays it at its final value; every other reason still does."""
    if not week_has_ended(week):
        return (
            "Actuals cannot be entered while the week is in progress: enter them from the day "
            "after it ends"
        )
    if period is None:
        return "The actuals period for this week has not been opened yet"
    if (week - period.start_date).days % 7:
        # Another day would make a second row for the same line and week, paid twice.
        return f"Actuals are entered for weeks beginning on a {period.start_date:%A}"
    if period.is_paid and not held:
        return "You cannot change actuals for a week where the payment has already been processed"
    return None
