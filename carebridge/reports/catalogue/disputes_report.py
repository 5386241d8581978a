"""Disputes by reason and time to resolve: the council's disputes raised in the dates, by the
reason from its own catalogue and by provider: how many were raised, resolved and are still open,
the median time from raising to resolving, and how many actual rows they disputed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from carebridge.core.calendar import london_midnight
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.catalogue.confirmations import GROUP, CouncilRangeFilters, council_of

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Reason", width=40),
    Column("Provider", width=30),
    Column("Raised", Kind.COUNT, total=True, width=8),
    Column("Resolved", Kind.COUNT, total=True, width=8),
    Column("Open", Kind.COUNT, total=True, width=8),
    Column("Median days to resolve", Kind.NUMBER, width=10),
    Column("Rows disputed", Kind.COUNT, total=True, width=10),
)
DAY = Decimal(86400)


def days(raised: Any, resolved: Any) -> Decimal:
    """From raising to resolving, in days (of 24 hours) to one decimal place."""
    seconds = Decimal((resolved - raised).total_seconds())
    return (seconds / DAY).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def median_days(durations: list[Decimal]) -> Decimal | None:
    if not durations:
        return None
    return Decimal(median(durations)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Tally:
    raised: int = 0
    resolved: int = 0
    rows: int = 0
    durations: list[Decimal] = field(default_factory=list)

    def add(self, status: str, raised_at: Any, resolved_at: Any, rows: int) -> None:
        self.raised += 1
        self.rows += rows
        if status == DisputeStatus.RESOLVED:
            self.resolved += 1
            self.durations.append(days(raised_at, resolved_at))

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.raised,
            self.resolved,
            self.raised - self.resolved,
            median_days(self.durations),
            self.rows,
        )


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """One query whatever the size: each dispute raised in the dates, its reason, provider,
    status, times and number of rows; counted here by reason and provider."""
    council_id = council_of(user)
    disputes = Dispute.objects.filter(
        council_id=council_id,
        raised_at__gte=london_midnight(filters["starts"]),
        raised_at__lt=london_midnight(filters["ends"] + timedelta(days=1)),
    )
    if filters.get("provider") is not None:
        disputes = disputes.filter(provider_id=filters["provider"])
    found = (
        disputes.order_by()
        .annotate(disputed=Count("rows"))
        .values_list(
            "reason__order",
            "reason__label",
            "provider__name",
            "provider_id",
            "status",
            "raised_at",
            "resolved_at",
            "disputed",
        )
    )
    tallies: dict[tuple[int, str, str, int], Tally] = {}
    everything = Tally()
    for order, reason, provider, provider_id, status, raised_at, resolved_at, rows in found:
        tally = tallies.setdefault((order, reason, provider, provider_id), Tally())
        tally.add(status, raised_at, resolved_at, rows)
        everything.add(status, raised_at, resolved_at, rows)
    rows_out = [
        Row((reason, provider, *tally.cells()), council_id=council_id)
        for (_order, reason, provider, _pk), tally in sorted(tallies.items())
    ]
    return Table(
        columns=COLUMNS,
        rows=rows_out,
        totals=("Total", None, *everything.cells()),
        notes=[
            "The reasons are the council's own catalogue, in its order. Days to resolve run "
            "from raising a dispute to resolving it, in days of 24 hours; the median is of the "
            "disputes resolved, the total's of all of them. A dispute counts once, under the "
            "date it was raised (London time).",
        ],
        empty="No dispute was raised in these dates.",
    )


register(
    Report(
        slug="disputes-by-reason",
        title="Disputes by reason and time to resolve",
        summary="The disputes raised with each provider by reason: how many were resolved, how long that took, and how many are open.",
        side="council",
        group=GROUP,
        form=CouncilRangeFilters,
        build=build,
        order=42,
    )
)
