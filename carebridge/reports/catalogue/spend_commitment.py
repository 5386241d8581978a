"""Spend against commitment: per provider, contract and service level, what the council has
committed for a financial year (its agreed CPLIs' value in the year, as their purchase orders
give it), what finalised payment runs have paid for it so far, what remains and the share spent.

The commitment is `Cpli.commitment_in` (contracts/commitment.py), the paid lines are
`payments.spend.finalised_lines_in`: the same figures the purchase order pages show, added up
by service level instead of by client."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Min, Sum

from carebridge.contracts.commitment import (
    allocation_commitment,
    cost_of_days,
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
    weekly_cost,
    weeks_between,
)
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.contracts.purchase_orders import COMMITTED, running_in
from carebridge.core.calendar import today
from carebridge.organisations.choices import Weekday
from carebridge.organisations.models import Contract, Provider, Rulebook
from carebridge.payments.spend import finalised_lines_in
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.charts import BLUE, ORANGE, BarChart, Series, bar_chart
from carebridge.reports.filters import ReportFilters, financial_year_field, provider_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

ZERO = Decimal("0.00")
TENTH = Decimal("0.1")
NO_CONTRACT = "None in force"
# The chart draws the service levels with the largest commitment; the table has every one.
CHART_LEVELS = 6
COMMITMENT, PAID, VAT, REMAINING, SHARE = 3, 4, 5, 6, 7

COLUMNS = (
    Column("Provider", width=26),
    Column("Contract", width=14),
    Column("Service level", width=30),
    Column("Commitment", Kind.MONEY, total=True, width=14),
    Column("Paid excl VAT", Kind.MONEY, total=True, width=14),
    Column("VAT paid", Kind.MONEY, total=True, width=10),
    Column("Remaining", Kind.MONEY, total=True, width=14),
    Column("Share spent", Kind.PERCENT, width=10),
)

# (provider, contract or None, service level)
Key = tuple[int, int | None, int]


def year_choices(council_id: int | None) -> list[int]:
    """The financial years the council's agreed CPLIs start in, and every year from the first
    to this one, newest first (one query)."""
    this_year = financial_year_of(today())
    span = (
        Cpli.objects.filter(council_id=council_id, status__in=COMMITTED).aggregate(
            first=Min("start_date"), last=Max("start_date")
        )
        if council_id is not None
        else {"first": None, "last": None}
    )
    first = min(this_year, financial_year_of(span["first"]) if span["first"] else this_year)
    last = max(this_year, financial_year_of(span["last"]) if span["last"] else this_year)
    return list(range(last, first - 1, -1))


class Filters(ReportFilters):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["year"] = financial_year_field(year_choices(user.council_id))
        self.fields["provider"] = provider_field(user)


@dataclass(frozen=True)
class _Contracts:
    """The council's contracts, latest started first per provider: the one in force on a day
    is found as a payment run finds a line's (`payments.selectors.run_sources`)."""

    by_provider: dict[int, list[tuple[int, date, date | None]]]
    references: dict[int, str]

    @classmethod
    def load(cls, council_id: int) -> _Contracts:
        by_provider: dict[int, list[tuple[int, date, date | None]]] = defaultdict(list)
        references: dict[int, str] = {}
        rows = Contract.objects.filter(council_id=council_id).order_by("-start_date", "-pk")
        for pk, provider_id, reference, starts, ends in rows.values_list(
            "pk", "provider_id", "reference", "start_date", "end_date"
        ):
            by_provider[provider_id].append((pk, starts, ends))
            references[pk] = reference
        return cls(by_provider, references)

    def on(self, provider_id: int, day: date) -> int | None:
        for pk, starts, ends in self.by_provider.get(provider_id, []):
            if starts <= day and (ends is None or ends >= day):
                return pk
        return None


class _YearWeeks:
    """The weeks of a financial year each run of days (a CPLI's first to last day in the year)
    is active in, by how many days of each week: a year's commitment is then each number of
    days' cost (`cost_of_days`) times its weeks, the same sum `commitment` adds one week at a
    time. Many CPLIs share their days in a year (those running all year share them all), so
    each run of days is counted once."""

    def __init__(self, year: int, week_start: int) -> None:
        self.first, self.last = financial_year_bounds(year)
        self.week_start = week_start
        self.counted: dict[tuple[date, date], tuple[tuple[int, int], ...]] = {}

    def commitment(self, weekly: Decimal, start: date, end: date | None) -> Decimal:
        begin = max(start, self.first)
        finish = self.last if end is None else min(end, self.last)
        weeks = self.counted.get((begin, finish))
        if weeks is None:
            days = Counter(days for _week, days in weeks_between(begin, finish, self.week_start))
            weeks = self.counted[(begin, finish)] = tuple(sorted(days.items()))
        return sum((cost_of_days(weekly, days) * count for days, count in weeks), ZERO)


def _commitments(
    council_id: int, year: int, provider: int | None, contracts: _Contracts, week_start: int
) -> dict[Key, Decimal]:
    """Each agreed CPLI's value in the year (`Cpli.commitment_in`, worked out per run of days),
    under the contract in force when its days in the year begin (one query)."""
    first, _last = financial_year_bounds(year)
    cplis = Cpli.objects.filter(running_in(year), council_id=council_id, status__in=COMMITTED)
    if provider is not None:
        cplis = cplis.filter(provider_id=provider)
    rows = cplis.order_by().values_list(
        "provider_id",
        "service_level_id",
        "quantity",
        "rate",
        "yearly_allocation",
        "start_date",
        "end_date",
    )
    weeks = _YearWeeks(year, week_start)
    committed: dict[Key, Decimal] = defaultdict(lambda: ZERO)
    for provider_id, level, quantity, rate, allocation, start, end in rows.iterator(2000):
        contract = contracts.on(provider_id, max(start, first))
        if allocation is not None:
            value = allocation_commitment(allocation, rate, start, end, year=year)
        else:
            value = weeks.commitment(weekly_cost(quantity, rate), start, end)
        committed[(provider_id, contract, level)] += value
    return committed


def _paid(council_id: int, year: int, provider: int | None) -> dict[Key, tuple[Decimal, Decimal]]:
    """What finalised runs paid for CPLIs' days starting in the year, before VAT and VAT, per
    provider, the line's contract and the CPLI's service level (one query, summed by the
    database)."""
    lines = finalised_lines_in(year).filter(council_id=council_id, cpli__isnull=False)
    if provider is not None:
        lines = lines.filter(provider_id=provider)
    sums = (
        lines.order_by()
        .values_list("provider_id", "contract_id", "cpli__service_level_id")
        .annotate(excl=Sum("excl_vat"), vat=Sum("vat"))
    )
    return {(p, c, level): (excl, vat) for p, c, level, excl, vat in sums}


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal place; None when there is no whole."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(TENTH, ROUND_HALF_UP)


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """One row per provider, contract and service level with a commitment or a payment in the
    financial year, by provider, contract and service level; seven queries."""
    council_id = user.council_id
    assert council_id is not None  # a council's report (Report.may_use)
    year = int(filters["year"])
    provider = filters.get("provider") or None
    week_start, council = (
        Rulebook.objects.filter(council_id=council_id)
        .values_list("actuals_week_start", "council__name")
        .get()
    )
    contracts = _Contracts.load(council_id)
    committed = _commitments(council_id, year, provider, contracts, week_start)
    paid = _paid(council_id, year, provider)
    keys = committed.keys() | paid.keys()
    providers = dict(Provider.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "name"))
    levels = dict(ServiceLevel.objects.filter(council_id=council_id).values_list("pk", "name"))
    rows = []
    for key in keys:
        provider_id, contract, level = key
        value = committed.get(key, ZERO)
        excl, vat = paid.get(key, (ZERO, ZERO))
        cells = (
            providers[provider_id],
            contracts.references[contract] if contract is not None else NO_CONTRACT,
            levels[level],
            value,
            excl,
            vat,
            value - excl,
            share(excl, value),
        )
        rows.append(Row(cells, council_id=council_id))
    rows.sort(key=lambda row: tuple(str(cell).casefold() for cell in row.cells[:3]))
    return Table(
        columns=COLUMNS,
        rows=rows,
        totals=_totals(rows),
        notes=_notes(council, year, week_start),
        empty=f"Nothing was committed or paid in {financial_year_label(year)}.",
    )


def _amount(cell: Cell) -> Decimal:
    assert isinstance(cell, Decimal)  # a money column's cell
    return cell


def _totals(rows: Sequence[Row]) -> tuple[Cell, ...]:
    sums = [
        sum((_amount(row.cells[i]) for row in rows), ZERO)
        for i in (COMMITMENT, PAID, VAT, REMAINING)
    ]
    return ("Total", None, None, *sums, share(sums[1], sums[0]))


def _notes(council: str, year: int, week_start: int) -> list[str]:
    first, last = financial_year_bounds(year)
    return [
        f"The figures follow {council}'s rules: its weeks start on {Weekday(week_start).label}, "
        f"and the financial year {financial_year_label(year)} runs from "
        f"{first:%d/%m/%Y} to {last:%d/%m/%Y}.",
        "Commitment: each agreed CPLI's weekly costs over its days in the year (a short break's, "
        "its whole allocation), as its purchase order shows it, under the contract in force "
        "when its days in the year begin.",
        "Paid: what finalised payment runs paid for CPLIs' days starting in the year, under the "
        "contract each payment line names, before VAT (the commitment is before VAT); the VAT "
        "paid is shown apart. One-off claims and balances carried forward are paid for no "
        "service level and are not counted.",
    ]


def _short(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def chart(table: Table) -> BarChart | None:
    """Commitment and paid per service level over every provider shown, in thousands of pounds,
    for the levels with the largest commitment."""
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for row in table.rows:
        figures = sums[str(row.cells[2])]
        figures[0] += _amount(row.cells[COMMITMENT])
        figures[1] += _amount(row.cells[PAID])
    if not sums:
        return None
    largest = sorted(sums.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    shown = largest[:CHART_LEVELS]
    width = max(8, 88 // len(shown))  # characters that fit under a group of bars
    return bar_chart(
        id="spend-commitment-chart",
        title="Commitment and paid per service level",
        description=description(shown, len(sums)),
        unit="thousand pounds",
        axis_title="£ thousands",
        series=[Series("Commitment", BLUE), Series("Paid excl VAT", ORANGE)],
        groups=[
            (_short(name, width), name, [float(v / 1000) for v in figures])
            for name, figures in shown
        ],
        whole=False,
    )


def description(shown: Sequence[tuple[str, Sequence[Decimal]]], levels: int) -> str:
    """The chart in words, for screen readers."""
    parts = [
        f"{name}: committed £{committed:,.2f}, paid £{paid:,.2f}"
        for name, (committed, paid) in shown
    ]
    which = (
        f"the {len(shown)} service levels with the largest commitment, of {levels}"
        if levels > len(shown)
        else f"{levels} service level{'' if levels == 1 else 's'}"
    )
    return (
        f"Bar chart of {which}. "
        + "; ".join(parts)
        + ". The table below gives each provider's and contract's figures."
    )


register(
    Report(
        slug="spend-against-commitment",
        title="Spend against commitment",
        summary="What the council committed for a financial year per provider, contract and service level, what it has paid so far and what remains.",
        side="council",
        group="Actuals and payments",
        form=Filters,
        build=build,
        chart=chart,
        order=40,
    )
)
