"""A run with the lines a read needs (spend to date, the home page's runs, the daily e-mail),
written as the run services leave them: the run's status and its lines' days and amounts are
what those reads look at, so their tests name them directly rather than preparing whole periods
(the run services' own tests prove how lines come about)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from carebridge.actuals.models import Period
from carebridge.core.calendar import now, today
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.contracts.models import Cpli

_references = iter(range(1, 10**6))


def run_of(
    period: Period,
    *,
    by: User,
    approver: User | None = None,
    status: str = RunStatus.FINALISED,
    payment_date: date | None = None,
) -> PaymentRun:
    """A council's run for the period in the status given, prepared by `by` (and, once past
    Prepared, approved by `approver`)."""
    moment = now()
    past_prepared = status != RunStatus.PREPARED
    return PaymentRun.objects.create(
        council_id=period.council_id,
        period=period,
        reference=f"PR{period.start_date:%Y%m%d}-{next(_references)}",
        payment_date=payment_date or today(),
        status=status,
        prepared_at=moment,
        prepared_by=by,
        approved_at=moment if past_prepared else None,
        approved_by=approver if past_prepared else None,
        finalised_at=moment if status == RunStatus.FINALISED else None,
        finalised_by=by if status == RunStatus.FINALISED else None,
        changed_at=moment,
    )


def scheduled_line(
    run: PaymentRun,
    cpli: Cpli,
    *,
    covers_from: date,
    days: int = 28,
    excl_vat: str = "100.00",
    vat: str = "0.00",
) -> PaymentLine:
    """A scheduled block of the CPLI's on the run, from `covers_from` for `days` days."""

    return PaymentLine.objects.create(
        run=run,
        council_id=run.council_id,
        provider_id=cpli.provider_id,
        source=LineSource.SCHEDULE,
        service_id=cpli.service_id,
        service_user_id=cpli.service_user_id,
        cpli=cpli,
        covers_from=covers_from,
        covers_to=covers_from + timedelta(days=days - 1),
        description=f"Scheduled payment from {covers_from:%d/%m/%Y}",
        excl_vat=Decimal(excl_vat),
        vat=Decimal(vat),
        total=Decimal(excl_vat) + Decimal(vat),
    )
