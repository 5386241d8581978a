"""The reports' short cuts for a county's size give the figures of the long way to the penny:
spend against commitment's year of weeks per run of days (against `Cpli.commitment_in`) and
referral response's running total of service time (against `service_time_between`)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from carebridge.contracts.models import Cpli
from carebridge.core.calendar import ServiceHours, service_time_between
from carebridge.reports.catalogue.referral_response import ServiceClock, micro_of
from carebridge.reports.catalogue.spend_commitment import _YearWeeks


def test_a_years_commitment_per_run_of_days_is_each_cplis_own_to_the_penny() -> None:
    chance = random.Random(22)
    for week_start in range(7):
        weeks = _YearWeeks(2026, week_start)
        for _ in range(300):
            start = date(2025, 1, 1) + timedelta(days=chance.randrange(900))
            end = None if chance.random() < 0.3 else start + timedelta(days=chance.randrange(400))
            cpli = Cpli(
                quantity=Decimal(chance.randrange(1, 400)) / 8,
                rate=Decimal(chance.randrange(900, 3000)) / 100,
                start_date=start,
                end_date=end,
            )
            if (end is not None and end < date(2026, 4, 1)) or start > date(2027, 3, 31):
                continue  # not running in the year: the report never asks
            expected = cpli.commitment_in(year=2026, week_start=week_start)
            got = weeks.commitment(cpli.weekly_cost, start, end)
            assert (got, str(got)) == (expected, str(expected))


def test_service_time_as_a_running_total_is_the_calendars_to_the_second() -> None:
    hours = ServiceHours(
        start=time(8),
        end=time(17, 30),
        weekdays=frozenset(range(5)),
        bank_holidays_closed=True,
        closures=frozenset({date(2026, 12, 24)}),
    )
    chance = random.Random(22)
    # Across both clock changes of 2026 and Christmas.
    first = datetime(2026, 3, 1, tzinfo=UTC)
    clock = ServiceClock(hours, date(2026, 3, 1), date(2027, 1, 31))
    for _ in range(2000):
        start = first + timedelta(seconds=chance.randrange(300 * 86400), microseconds=17)
        end = start + timedelta(seconds=chance.randrange(-3 * 86400, 9 * 86400))
        end = min(max(end, first), datetime(2027, 1, 31, 23, tzinfo=UTC))
        expected = service_time_between(start, end, hours) // timedelta(seconds=1)
        assert clock.seconds_between(micro_of(start), micro_of(end)) == expected
