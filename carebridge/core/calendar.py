"""The one calendar every deadline in CareBridge comes from.

Working days follow England and Wales bank holidays. Service time (for example a
referral team's "reply within 2 hours") is counted only inside the team's daily
window, in Europe/London wall-clock time, so deadlines stay right across the
March and October clock changes.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")

# A run of closed days this long means the hours can never open (for example no
# weekdays, or every day closed), so we stop rather than loop for ever.
MAX_CLOSED_DAYS = 400

_ONE_DAY = timedelta(days=1)


def _require_date(d: date) -> None:
    # datetime is a subclass of date but never equals one, so a datetime would
    # silently miss every bank holiday and closure in the set lookups below.
    if isinstance(d, datetime):
        raise TypeError(
            "Pass a date, not a datetime: use to_london(dt).date() to get the London day."
        )


def _require_aware(dt: datetime, name: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {dt!r}")


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in a year, so working days match GOV.UK."""
    # The holidays package also lists the real date of a holiday that falls at a
    # weekend (e.g. Sat 26 Dec 2020) beside its substitute Monday; GOV.UK lists
    # only the weekday a bank actually closes, so we keep weekdays only.
    found = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in found if day.weekday() < 5)


def is_working_day(d: date, *, closures: Iterable[date] = ()) -> bool:
    """Whether a day counts for working-day deadlines, including council closure days."""
    _require_date(d)
    if d.weekday() >= 5 or d in bank_holidays(d.year):
        return False
    return d not in frozenset(closures)


def _next_working_day_from(d: date, closed: frozenset[date]) -> date:
    # Closures and bank holidays are finite sets, so this always ends.
    while not is_working_day(d, closures=closed):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int, *, closures: Iterable[date] = ()) -> date:
    """The date n working days after d, for "within N working days" deadlines."""
    _require_date(d)
    if n < 0:
        raise ValueError(f"n must be 0 or more, got {n}")
    # Set look-ups, not govuk-bank-holidays' work_days(), whose holiday iterator
    # is consumed by membership tests and lets Christmas count as a working day.
    closed = frozenset(closures)
    # Something received on a non-working day is treated as received on the next one.
    result = _next_working_day_from(d, closed)
    for _ in range(n):
        result = _next_working_day_from(result + _ONE_DAY, closed)
    return result


@dataclass(frozen=True)
class ServiceHours:
    """When a service (for example a referral team) counts time towards a deadline."""

    start: time
    end: time
    weekdays: frozenset[int]
    bank_holidays_closed: bool
    closures: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Service hours are London wall-clock times: give naive times.")
        if not self.start < self.end:
            raise ValueError(
                f"Service hours must start before they end, got {self.start} to {self.end}."
            )
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"Weekdays run from 0 (Monday) to 6 (Sunday), got {self.weekdays}.")

    def is_open_on(self, d: date) -> bool:
        """Whether the service counts any time on a London calendar day."""
        _require_date(d)
        if d.weekday() not in self.weekdays or d in self.closures:
            return False
        return not (self.bank_holidays_closed and d in bank_holidays(d.year))

    def window_on(self, d: date) -> tuple[datetime, datetime] | None:
        """The UTC instants the service opens and closes on a London day, or None if shut."""
        if not self.is_open_on(d):
            return None
        # Build the bounds in London time and convert, so the window is the right
        # length on clock-change days; all arithmetic is then done in UTC.
        opens = datetime.combine(d, self.start, tzinfo=LONDON).astimezone(UTC)
        closes = datetime.combine(d, self.end, tzinfo=LONDON).astimezone(UTC)
        # A window starting inside the spring-forward gap can map past its end.
        if closes <= opens:
            return None
        return opens, closes


def add_service_time(start: datetime, duration: timedelta, hours: ServiceHours) -> datetime:
    """The moment `duration` of service time has passed after `start`, for reply deadlines."""
    _require_aware(start, "start")
    if duration < timedelta(0):
        raise ValueError(f"duration must not be negative, got {duration}")
    if not hours.weekdays:
        raise ValueError("These service hours are never open.")
    cursor = start.astimezone(UTC)
    remaining = duration
    day = to_london(start).date()
    closed_run = 0
    while True:
        window = hours.window_on(day)
        if window is not None:
            opens, closes = window
            begin = max(opens, cursor)
            if begin < closes:
                closed_run = 0
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            else:
                closed_run += 1
        else:
            closed_run += 1
        if closed_run > MAX_CLOSED_DAYS:
            raise ValueError(
                f"These service hours did not open for {MAX_CLOSED_DAYS} days after {start}."
            )
        day += _ONE_DAY


def service_time_between(a: datetime, b: datetime, hours: ServiceHours) -> timedelta:
    """Service time elapsed from a to b (negative if b is before a), for time-left displays."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    a_utc, b_utc = a.astimezone(UTC), b.astimezone(UTC)
    if b_utc < a_utc:
        return -service_time_between(b_utc, a_utc, hours)
    total = timedelta(0)
    day = to_london(a_utc).date()
    last = to_london(b_utc).date()
    while day <= last:
        window = hours.window_on(day)
        if window is not None:
            opens, closes = window
            overlap = min(closes, b_utc) - max(opens, a_utc)
            if overlap > timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total


def to_london(dt: datetime) -> datetime:
    """An aware datetime in London time, because that is the time people in the product read."""
    _require_aware(dt, "dt")
    return dt.astimezone(LONDON)


def now() -> datetime:
    """The current moment, aware and in UTC; the one place tests need to freeze."""
    # Looked up on the module at call time so patching django's timezone.now also works.
    return timezone.now()


def today() -> date:
    """Today's date in London: the day people in the product are living, whatever UTC says."""
    return to_london(now()).date()


def london_midnight(day: date) -> datetime:
    """The moment `day` begins in London, in UTC: where a day's rows start, across clock
    changes."""
    _require_date(day)
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


_Day = TypeVar("_Day", date, datetime)


def add_calendar_months(moment: _Day, months: int) -> _Day:
    """The corresponding day `months` calendar months later (earlier when negative), or that
    month's last day when it has none (31 January + 1 month -> 28 or 29 February), as UK GDPR's
    one month and a retention period count; a datetime keeps its time of day and zone."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
