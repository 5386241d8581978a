"""The arithmetic of money a run pays that is not read from the database: a line's VAT, and
scheduled payments' blocks (docs/decisions/0011-payment-runs.md): blocks of the rulebook's weeks,
each paid by the run whose period ends once its weeks in arrears have passed, a CPLI's share of a
block pro rata by days. The run (run_sources), the scheduled-payments page's projection and the
payment exceptions all use these, so they agree to the penny."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from carebridge.contracts.commitment import cost_of_days, weekly_cost, weeks_between
from carebridge.core.formats import round_money

if TYPE_CHECKING:
    from carebridge.actuals.models import Period
    from carebridge.organisations.models import Rulebook

ZERO = Decimal("0.00")
DAY = timedelta(days=1)


class Scheduled(Protocol):
    """What a scheduled amount needs of a CPLI (a Cpli, or its values)."""

    @property
    def quantity(self) -> Decimal: ...
    @property
    def rate(self) -> Decimal: ...
    @property
    def start_date(self) -> date: ...
    @property
    def end_date(self) -> date | None: ...


def line_vat(amount: Decimal, vat_rate: Decimal) -> Decimal:
    """A line's VAT: its rate on the amount, rounded half-up once, as invoice totals round each
    line's (selectors.invoices.lines_totals), so a paid invoice's lines total its Total."""
    return round_money(amount * vat_rate / 100)


def arrears_days(rulebook: Rulebook) -> int:
    """The days of a block paid in arrears: those before the run that pays it."""
    return (rulebook.scheduled_payment_weeks - rulebook.scheduled_weeks_in_advance) * 7


def block_of(rulebook: Rulebook, day: date) -> date:
    """The first day of the scheduled block that holds the day."""
    length = rulebook.scheduled_payment_weeks * 7
    origin = rulebook.actuals_periods_from + timedelta(days=arrears_days(rulebook))
    return origin + timedelta(days=length * ((day - origin).days // length))


def schedule_blocks(rulebook: Rulebook, start: date, end: date) -> list[tuple[date, date]]:
    """The scheduled blocks (first and last days) overlapping start..end, in order."""
    length = timedelta(days=rulebook.scheduled_payment_weeks * 7)
    blocks = []
    first = block_of(rulebook, start)
    while first <= end:
        blocks.append((first, first + length - DAY))
        first += length
    return blocks


def block_due_in(rulebook: Rulebook, block_start: date, period: Period) -> bool:
    """Whether the block is paid by (or before) the run of the period: once its weeks in
    arrears have passed by the period's end."""
    return block_start + timedelta(days=arrears_days(rulebook)) - DAY <= period.end_date


def scheduled_amount(
    cpli: Scheduled, block_start: date, block_end: date, week_start: int
) -> Decimal:
    """What a block pays for a CPLI: for each week of the block, its weekly cost for the days
    it runs in that week and block (pro rata by days); nothing if it does not run in it."""
    first = max(cpli.start_date, block_start)
    last = block_end if cpli.end_date is None else min(cpli.end_date, block_end)
    weekly = weekly_cost(cpli.quantity, cpli.rate)
    return sum(
        (cost_of_days(weekly, days) for _week, days in weeks_between(first, last, week_start)),
        ZERO,
    )
