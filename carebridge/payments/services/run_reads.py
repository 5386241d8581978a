"""The audit of reading a payment run: its page lists the council's clients line by line, and its
finance export is what the council's finance system pays, so every view and download says who
read which run (decision 0008)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carebridge.audit.services import record

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.payments.models import PaymentRun


def run_viewed(*, run: PaymentRun, by: User, lines: int, ip: str | None = None) -> None:
    """A view of a run's page, with how many of its lines the page showed."""
    record(
        action="payment_run.viewed",
        by=by,
        obj=run,
        council=run.council_id,
        detail={"count": lines},
        ip_address=ip,
    )


def run_exported(*, run: PaymentRun, by: User, rows: int, ip: str | None = None) -> None:
    """A download of a run's finance export, with its row count."""
    record(
        action="payment_run.exported",
        by=by,
        obj=run,
        council=run.council_id,
        detail={"format": "csv", "count": rows},
        ip_address=ip,
    )
