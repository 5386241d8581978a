"""The week page's calendar: the weeks of the month holding the chosen week."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from carebridge.actuals.periods import WEEK, week_has_ended, week_of


@dataclass(frozen=True)
class CalendarWeek:
    start: date
    days: list[date]
    chosen: bool
    ended: bool


def month_weeks(week: date, week_start: int) -> tuple[date, list[CalendarWeek]]:
    """The weeks shown in the calendar for the month holding the chosen week's first day."""
    first = week.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    weeks = []
    start = week_of(first, week_start)
    while start <= last:
        weeks.append(
            CalendarWeek(
                start=start,
                days=[start + timedelta(days=i) for i in range(7)],
                chosen=start == week,
                ended=week_has_ended(start),
            )
        )
        start += WEEK
    return first, weeks
