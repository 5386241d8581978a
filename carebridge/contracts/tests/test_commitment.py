"""A CPLI's weekly cost and a purchase order's value: exact to the penny, for any dates."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.contracts.commitment import (
    commitment,
    cost_of_days,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    weekly_cost,
    weeks_between,
)
from carebridge.core.formats import round_money


@pytest.mark.parametrize(
    ("quantity", "rate", "cost"),
    [
        ("3.5", "16.16", "56.56"),  # "3.5 x Hours at £16.16 (Spot)"
        ("14", "16.16", "226.24"),  # "£226.24 = 14 (Actual + Frstd) Hours x £16.16"
        ("0.25", "16.18", "4.05"),  # 4.045 rounds half up, once
        ("7", "0", "0.00"),
    ],
)
def test_the_weekly_cost_is_quantity_times_rate_rounded_half_up_once(quantity, rate, cost):
    assert weekly_cost(Decimal(quantity), Decimal(rate)) == Decimal(cost)


def test_financial_years_run_from_april_to_march():
    assert financial_year_of(date(2027, 2, 15)) == 2026
    assert financial_year_of(date(2026, 4, 1)) == 2026
    assert financial_year_of(date(2026, 3, 31)) == 2025
    assert financial_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    assert financial_year_label(2026) == "2026/27"
    assert financial_year_label(2099) == "2099/00"


def test_a_whole_year_from_a_monday_is_52_weeks_and_the_days_left_over():
    # 2030/31 starts on a Monday: 52 whole weeks, then Monday 31 March 2031 alone.
    weekly = Decimal("100.00")
    value = commitment(weekly, date(2020, 1, 1), None, year=2030, week_start=0)
    assert value == Decimal("5200.00") + round_money(weekly / 7)


def test_nothing_is_committed_outside_the_cplis_dates():
    weekly = Decimal("56.56")
    assert commitment(weekly, date(2027, 5, 1), None, year=2026, week_start=0) == 0
    assert commitment(weekly, date(2025, 1, 1), date(2026, 3, 31), year=2026, week_start=0) == 0


def test_a_single_day_costs_a_seventh_of_the_week():
    value = commitment(
        Decimal("70.00"), date(2026, 6, 3), date(2026, 6, 3), year=2026, week_start=0
    )
    assert value == Decimal("10.00")


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31))
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)


@given(
    weekly=money,
    start=days,
    length=st.one_of(st.none(), st.integers(min_value=0, max_value=800)),
    week_start=st.integers(min_value=0, max_value=6),
)
def test_a_years_value_is_the_sum_of_its_weekly_costs(weekly, start, length, week_start):
    end = None if length is None else start + timedelta(days=length)
    for year in range(financial_year_of(start), financial_year_of(start) + 3):
        first, last = financial_year_bounds(year)
        # Counted day by day, independently of weeks_between: days active in each week.
        in_week: Counter[date] = Counter()
        day = max(start, first)
        while day <= min(end or last, last):
            in_week[day - timedelta(days=(day.weekday() - week_start) % 7)] += 1
            day += timedelta(days=1)
        expected = sum((cost_of_days(weekly, n) for n in in_week.values()), start=Decimal("0.00"))
        assert commitment(weekly, start, end, year=year, week_start=week_start) == expected
        assert expected == expected.quantize(Decimal("0.01")), "to the penny"


@given(start=days, end=days, week_start=st.integers(min_value=0, max_value=6))
def test_weeks_cover_every_day_once(start, end, week_start):
    weeks = list(weeks_between(start, end, week_start))
    assert sum(n for _first, n in weeks) == max((end - start).days + 1, 0)
    assert all(first.weekday() == week_start and 1 <= n <= 7 for first, n in weeks)
