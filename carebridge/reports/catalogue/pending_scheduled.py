"""Pending Scheduled Payments (Stockport section 15): what each council's next payment runs will
pay the provider on schedule, down to CPLI level. A billing period with a run not yet finalised
shows that run's scheduled lines; the periods still to come in the financial year show what
their runs would pay, projected with the payment run's own rules. Both come from the scheduled
payments page's selector (`payments.selectors.scheduled`), so the report and that page agree to
the penny. Super User (Actuals) is shown no scheduled payments, so not this report either."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from carebridge.contracts.commitment import financial_year_of
from carebridge.core.calendar import today
from carebridge.core.permissions import Role
from carebridge.payments.selectors.scheduled import (
    CURRENT,
    BillingPeriod,
    scheduled_lines,
    scheduled_payments,
)
from carebridge.reports.base import Column, Kind, Report, Row, Table, register
from carebridge.reports.filters import ReportFilters, council_field, financial_year_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Council", width=22),
    Column("Period from", Kind.DATE, width=12),
    Column("Period to", Kind.DATE, width=12),
    Column("Run", width=16),
    Column("Client", width=24),
    Column("SS Ref", width=12),
    Column("Contract", width=14),
    Column("Service level", width=26),
    Column("Covers from", Kind.DATE, width=12),
    Column("Covers to", Kind.DATE, width=12),
    Column("Excl VAT", Kind.MONEY, total=True, width=12),
    Column("VAT", Kind.MONEY, total=True, width=10),
    Column("Total", Kind.MONEY, total=True, width=12),
)
# A period with no run yet: its figures are what the run would pay.
PROJECTED = "Not yet prepared"


def _years() -> list[int]:
    """Last financial year (a run for its last period may still be in hand in April), this one
    and the next (whose periods the projection reaches near the year's end)."""
    current = financial_year_of(today())
    return [current - 1, current, current + 1]


class Filters(ReportFilters):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["council"] = council_field(user)
        self.fields["year"] = financial_year_field(
            _years(), label="Financial year of the billing period", required=False
        )


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Every CPLI's scheduled payment in each billing period not yet paid by a finalised run,
    in period order (each council's own periods), then by client."""
    assert user.provider_id is not None  # a provider's report (Report.may_use)
    lines = scheduled_lines(user)
    council_id = filters.get("council")
    if council_id:
        lines = lines.filter(run__council_id=council_id)
    # A link naming only the council chooses this financial year, as a first visit does.
    year = filters.get("year") or financial_year_of(today())
    page = scheduled_payments(user, lines, year=year, by_cpli=True)
    periods = [
        period
        for period in page.periods
        if period.status == CURRENT and (not council_id or period.council_id == council_id)
    ]
    rules = sorted({f"{period.council}: {period.rules}." for period in periods})
    return Table(
        columns=COLUMNS,
        rows=_rows(periods),
        notes=[
            "Each council's periods follow its own scheduled payment rules. A period whose run "
            f'is "{PROJECTED}" shows what that run would pay on the care packages as they stand.',
            *rules,
        ],
        empty="No scheduled payments are waiting to be paid in this financial year.",
    )


def _rows(periods: list[BillingPeriod]) -> Iterator[Row]:
    for period in periods:
        run = PROJECTED if period.projected else period.reference
        for line in period.cpli_rows:
            yield Row(
                (
                    period.council,
                    period.start,
                    period.end,
                    run,
                    line.client,
                    line.ss_ref,
                    line.contract,
                    line.service_level,
                    line.covers_from,
                    line.covers_to,
                    line.excl_vat,
                    line.vat,
                    line.total,
                ),
                council_id=period.council_id,
            )


register(
    Report(
        slug="pending-scheduled-payments",
        title="Pending scheduled payments",
        summary="What each council's next payment runs will pay on schedule, for each client and care package line item.",
        side="provider",
        group="Payments",
        form=Filters,
        build=build,
        hidden_from=frozenset({Role.SUPER_USER_ACTUALS}),
        order=30,
    )
)
