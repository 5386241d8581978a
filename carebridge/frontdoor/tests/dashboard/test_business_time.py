"""The front-door figures' business clock gives exactly what core.calendar gives, pair by pair."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from carebridge.core.calendar import ServiceHours, service_time_between
from carebridge.frontdoor.dashboard.business_time import BusinessClock

OFFICE = ServiceHours(
    start=time(9), end=time(17), weekdays=frozenset(range(5)), bank_holidays_closed=True
)
# Early and late, every day, so the clock changes (29 March, 25 October 2026) fall inside.
LONG_DAYS = ServiceHours(
    start=time(0, 30), end=time(23, 45), weekdays=frozenset(range(7)), bank_holidays_closed=False
)
FIRST = date(2026, 3, 2)


@pytest.mark.parametrize("hours", [OFFICE, LONG_DAYS])
def test_it_agrees_with_the_calendar_to_the_microsecond(hours: ServiceHours) -> None:
    rng = random.Random(22)
    clock = BusinessClock(hours, FIRST)
    start = datetime.combine(FIRST, time(0), tzinfo=UTC)
    for _ in range(3000):
        a = start + timedelta(seconds=rng.randrange(300 * 86400), microseconds=rng.randrange(10**6))
        b = a + timedelta(seconds=rng.randrange(-3 * 86400, 20 * 86400))
        assert clock.between(a, b) == service_time_between(a, b, hours), (a, b)


def test_it_counts_nothing_over_a_bank_holiday_weekend() -> None:
    clock = BusinessClock(OFFICE, FIRST)
    # Good Friday and Easter Monday 2026 are bank holidays: Thursday 5pm to Tuesday 10am is 1 hour.
    thursday = datetime(2026, 4, 2, 16, 0, tzinfo=UTC)  # 5pm in London (BST)
    tuesday = datetime(2026, 4, 7, 9, 0, tzinfo=UTC)  # 10am in London
    assert clock.between(thursday, tuesday) == timedelta(hours=1)


def test_it_falls_back_to_the_calendar_before_its_first_day() -> None:
    clock = BusinessClock(OFFICE, FIRST)
    a = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    b = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert clock.between(a, b) == service_time_between(a, b, OFFICE)
