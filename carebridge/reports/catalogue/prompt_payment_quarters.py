"""Prompt payment per quarter: per quarter of a financial year and provider, the council's valid
invoices and self-billed periods paid, how many within 30 days of receipt, the share, the
average days to pay and the value paid late: what the council publishes under the Public
Contracts Regulations 2015 (regulation 113).

The counting is `payments.selectors.prompt_payment.prompt_payment_rows`, by the one 30-day rule
(`payments.prompt_payment`), so the invoices' figures are the home page's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Max, Min

from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.core.calendar import today
from carebridge.organisations.models import Council, Provider
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import Invoice, PaymentRun
from carebridge.payments.prompt_payment import PROMPT_PAYMENT_DAYS
from carebridge.payments.selectors.prompt_payment import QuarterRow, prompt_payment_rows
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.charts import BLUE, GREY, BarChart, Series, bar_chart
from carebridge.reports.filters import ReportFilters, financial_year_field, provider_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

TENTH = Decimal("0.1")
ZERO = Decimal("0.00")
QUARTER, PAID, ON_TIME, LATE, DAYS_AVERAGE, LATE_VALUE = 0, 3, 4, 6, 7, 8

COLUMNS = (
    Column("Quarter", width=16),
    Column("Provider", width=28),
    Column("Paid as", width=18),
    Column("Paid", Kind.COUNT, total=True, width=8),
    Column(f"Within {PROMPT_PAYMENT_DAYS} days", Kind.COUNT, total=True, width=10),
    Column(f"Share within {PROMPT_PAYMENT_DAYS} days", Kind.PERCENT, width=10),
    Column("Paid late", Kind.COUNT, total=True, width=8),
    Column("Average days to pay", Kind.NUMBER, width=10),
    Column("Value paid late", Kind.MONEY, total=True, width=14),
)


def year_choices(council_id: int | None) -> list[int]:
    """The financial years the council paid invoices or finalised runs in, and every year from
    the first to this one, newest first (two queries)."""
    this_year = financial_year_of(today())
    days = [this_year]
    if council_id is not None:
        for span in (
            Invoice.objects.filter(council_id=council_id).aggregate(
                first=Min("paid_on"), last=Max("paid_on")
            ),
            PaymentRun.objects.filter(council_id=council_id, status=RunStatus.FINALISED).aggregate(
                first=Min("payment_date"), last=Max("payment_date")
            ),
        ):
            days += [financial_year_of(d) for d in span.values() if d is not None]
    return list(range(max(days), min(days) - 1, -1))


class Filters(ReportFilters):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["year"] = financial_year_field(year_choices(user.council_id))
        self.fields["provider"] = provider_field(user)


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(100 * part) / whole).quantize(TENTH, ROUND_HALF_UP) if whole else None


def _average(days: int, paid: int) -> Decimal | None:
    return (Decimal(days) / paid).quantize(TENTH, ROUND_HALF_UP) if paid else None


def _cells(row: QuarterRow, provider: str) -> tuple[Cell, ...]:
    quarter = row.quarter.label + (" (so far)" if row.quarter.in_progress else "")
    return (
        quarter,
        provider,
        row.paid_as,
        row.paid,
        row.on_time,
        _share(row.on_time, row.paid),
        row.paid - row.on_time,
        _average(row.days, row.paid),
        row.late_value,
    )


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """One row per quarter, provider and kind (invoice, self-billed period) with something paid
    in the quarter, by quarter and provider; five queries."""
    council_id = user.council_id
    assert council_id is not None  # a council's report (Report.may_use)
    year = int(filters["year"])
    found = prompt_payment_rows(council_id, year, provider_id=filters.get("provider") or None)
    names = dict(
        Provider.objects.filter(pk__in={r.provider_id for r in found}).values_list("pk", "name")
    )
    found.sort(
        key=lambda r: (r.quarter.number, names[r.provider_id].casefold(), r.provider_id, r.paid_as)
    )
    rows = [Row(_cells(r, names[r.provider_id]), council_id=council_id) for r in found]
    paid = sum(r.paid for r in found)
    on_time = sum(r.on_time for r in found)
    totals: tuple[Cell, ...] = (
        "Total",
        None,
        None,
        paid,
        on_time,
        _share(on_time, paid),
        paid - on_time,
        _average(sum(r.days for r in found), paid),
        sum((r.late_value for r in found), ZERO),
    )
    council = Council.objects.values_list("name", flat=True).get(pk=council_id)
    return Table(
        columns=COLUMNS,
        rows=rows,
        totals=totals,
        notes=_notes(council),
        empty=f"Nothing was paid in {financial_year_label(year)} so far.",
    )


def _notes(council: str) -> list[str]:
    return [
        f"{council}'s payments, by the {PROMPT_PAYMENT_DAYS}-day rule of the Public Contracts "
        f"Regulations 2015 (regulation 113): paid on or before the {PROMPT_PAYMENT_DAYS}th "
        "calendar day (in London) after it was received counts as within "
        f"{PROMPT_PAYMENT_DAYS} days; the day after is late.",
        "Each invoice or self-billed period counts in the quarter it was paid in (April to June "
        "is Q1). An invoice is received when submitted (or submitted again after it was "
        "returned) and paid on the payment date of the run that paid it; credit notes are not "
        "counted. A self-billed period is received at the provider's latest confirmation of it "
        "before the run that paid it was finalised.",
        "Value paid late: what finalised payment runs paid on the invoices and periods paid "
        "late, with VAT.",
    ]


def _by_quarter(rows: Sequence[Row]) -> list[tuple[str, int, int]]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        figures = sums[str(row.cells[QUARTER])]
        paid, on_time = row.cells[PAID], row.cells[ON_TIME]
        assert isinstance(paid, int) and isinstance(on_time, int)  # count columns
        figures[0] += paid
        figures[1] += on_time
    return [(label, paid, on_time) for label, (paid, on_time) in sums.items()]


def chart(table: Table) -> BarChart | None:
    """Per quarter over every provider shown: invoices and periods paid, and paid within 30
    days; the same figures as the table's rows, summed."""
    quarters = _by_quarter(list(table.rows))
    if not quarters:
        return None
    return bar_chart(
        id="prompt-payment-chart",
        title=f"Invoices and self-billed periods paid, and paid within {PROMPT_PAYMENT_DAYS} days, per quarter",
        description=description(quarters),
        unit="",
        axis_title="Paid",
        series=[
            Series("Paid", GREY),
            Series(f"Within {PROMPT_PAYMENT_DAYS} days", BLUE),
        ],
        groups=[(label[:10], label, [paid, on_time]) for label, paid, on_time in quarters],
    )


def description(quarters: Sequence[tuple[str, int, int]]) -> str:
    """The chart in words, for screen readers: each quarter's figures and share."""
    parts = [
        f"{label}: {paid:,} paid, {on_time:,} within {PROMPT_PAYMENT_DAYS} days ({_share(on_time, paid)}%)"
        for label, paid, on_time in quarters
    ]
    return (
        "Bar chart per quarter. "
        + "; ".join(parts)
        + ". The table below gives each provider's figures."
    )


register(
    Report(
        slug="prompt-payment-quarters",
        title="Prompt payment per quarter",
        summary="Per quarter and provider, the invoices and self-billed periods paid, the share paid within 30 days, the average days to pay and the value paid late.",
        side="council",
        group="Actuals and payments",
        form=Filters,
        build=build,
        chart=chart,
        order=50,
    )
)
