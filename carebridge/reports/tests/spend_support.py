"""Builders for the spend and prompt-payment reports' tests: finalised runs' lines written as the
run services leave them (a run's status, its payment date and its lines' sources, days and
amounts are what the reports read; the run services' own tests prove how lines come about)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from carebridge.actuals.models import Actual, Period
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import Invoice, PaymentLine, PaymentRun
from carebridge.payments.tests.paid_lines import run_of
from carebridge.reports.base import REGISTRY, Table
from carebridge.reports.catalogue import discover
from tests.support import make_user

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.contracts.models import Cpli
    from carebridge.organisations.models import Contract, Council


def a_run(
    council: Council,
    *,
    by: User,
    n: int = 0,
    status: str = RunStatus.FINALISED,
    payment_date: date | None = None,
) -> PaymentRun:
    """A run of the council's n-th period, prepared by `by` and approved by another officer."""
    period = Period.objects.filter(council=council).order_by("start_date")[n]
    approver = make_user(council=council, role="payments_officer")
    return run_of(period, by=by, approver=approver, status=status, payment_date=payment_date)


def cpli_line(
    run: PaymentRun,
    cpli: Cpli,
    contract: Contract | None,
    *,
    covers_from: date,
    excl_vat: str,
    vat: str = "0.00",
    source: str = LineSource.SCHEDULE,
    **fields: Any,
) -> PaymentLine:
    """A line paying the CPLI for a week from `covers_from`, under the contract given."""
    return PaymentLine.objects.create(
        run=run,
        council_id=run.council_id,
        provider_id=cpli.provider_id,
        contract=contract,
        source=source,
        service_id=cpli.service_id,
        service_user_id=cpli.service_user_id,
        cpli=cpli,
        covers_from=covers_from,
        covers_to=covers_from + timedelta(days=6),
        description="Paid",
        excl_vat=Decimal(excl_vat),
        vat=Decimal(vat),
        total=Decimal(excl_vat) + Decimal(vat),
        **fields,
    )


def invoice_line(run: PaymentRun, invoice: Invoice, total: str) -> PaymentLine:
    """The run's payment of the invoice's first line (with no VAT), for `total`."""
    first = invoice.lines.order_by("pk").first()
    assert first is not None and first.cpli is not None and first.actual is not None
    return PaymentLine.objects.create(
        run=run,
        council_id=run.council_id,
        provider_id=invoice.provider_id,
        source=LineSource.INVOICE_LINE,
        service_id=invoice.service_id,
        service_user_id=first.actual.service_user_id,
        cpli=first.cpli,
        invoice=invoice,
        invoice_line=first,
        actual=first.actual,
        covers_from=first.actual.week_start,
        covers_to=first.actual.week_start + timedelta(days=6),
        description=f"Invoice {invoice.reference}",
        excl_vat=Decimal(total),
        vat=Decimal("0.00"),
        total=Decimal(total),
    )


def actual_line(run: PaymentRun, actual: Actual, total: str) -> PaymentLine:
    """The run's payment of one confirmed actual (a self-billed week)."""
    return cpli_line(
        run,
        actual.cpli,
        None,
        covers_from=actual.week_start,
        excl_vat=total,
        source=LineSource.ACTUAL,
        actual=actual,
    )


def table_of(slug: str, user: User, **filters: Any) -> tuple[Table, list[tuple[Any, ...]]]:
    """The report's table as its page builds it, with its rows' cells."""
    discover()
    report = REGISTRY[slug]
    table = report.build(user, filters)
    rows = list(table.rows)
    table.rows = rows
    return table, [row.cells for row in rows]
