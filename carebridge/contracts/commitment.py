"""What a care package costs: a CPLI's weekly cost, and a purchase order's value for a financial
year. Money is rounded half-up to the penny once per week, so a year's value is exactly the sum of
the weekly costs an actuals period would show for the same days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from carebridge.core.formats import round_money

WEEK = 7
_ONE_DAY = timedelta(days=1)


def weekly_cost(quantity: Decimal, rate: Decimal) -> Decimal:
    """Quantity a week times rate, rounded half-up to the penny once: "3.5 x Hours at £16.16"."""
    return round_money(quantity * rate)


def financial_year_of(day: date) -> int:
    """The year a day's financial year starts in: April to March, so 15/02/2027 is in 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first and last days of the financial year starting in April of `year`."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    """ "2026/27", as councils write financial years."""
    return f"{year}/{(year + 1) % 100:02d}"


def weeks_between(start: date, end: date, week_start: int) -> Iterator[tuple[date, int]]:
    """Each week (starting on the rulebook's weekday, 0 = Monday) that overlaps start..end,
    inclusive, with the number of those days inside it."""
    if end < start:
        return
    first = start - timedelta(days=(start.weekday() - week_start) % WEEK)
    while first <= end:
        last = first + timedelta(days=WEEK - 1)
        days = (min(last, end) - max(first, start)).days + 1
        yield first, days
        first += timedelta(days=WEEK)


def cost_of_days(weekly: Decimal, days: int) -> Decimal:
    """A week's cost for the days a CPLI is active in it: in full for seven, pro rata otherwise."""
    if days >= WEEK:
        return weekly
    return round_money(weekly * days / WEEK)


def commitment(
    weekly: Decimal, start: date, end: date | None, *, year: int, week_start: int
) -> Decimal:
    """A CPLI's value in one financial year: the sum of its weekly costs over the days it is
    active in that year (a week split by the year's start or end counts its days in the year)."""
    first, last = financial_year_bounds(year)
    begin = max(start, first)
    finish = min(end, last) if end is not None else last
    total = Decimal("0.00")
    if finish < begin:
        return total
    # Counted in whole weeks, not week by week (a county's purchase orders hold thousands of
    # lines): the first and last weeks may be part weeks, every week between is whole. The same
    # sum as cost_of_days over weeks_between, to the penny (contracts/tests/test_commitment.py).
    first_week = begin - timedelta(days=(begin.weekday() - week_start) % WEEK)
    last_week = finish - timedelta(days=(finish.weekday() - week_start) % WEEK)
    if first_week == last_week:
        return total + cost_of_days(weekly, (finish - begin).days + 1)
    whole = (last_week - first_week).days // WEEK - 1
    head = cost_of_days(weekly, (first_week + timedelta(days=WEEK) - begin).days)
    tail = cost_of_days(weekly, (finish - last_week).days + 1)
    return total + head + weekly * whole + tail


def allocation_commitment(
    allocation: Decimal, rate: Decimal, start: date, end: date | None, *, year: int
) -> Decimal:
    """A short break's value in one financial year: its whole allocation of nights at the rate,
    in any year it runs in at all (the client may take every night in the days it has), rounded
    half-up to the penny once; nothing in a year it does not run in."""
    first, last = financial_year_bounds(year)
    if start > last or (end is not None and end < first):
        return Decimal("0.00")
    return round_money(allocation * rate)
