"""What the provider sees of getting paid names its clients: each view of its scheduled
payments and each view or download of a remittance advice is audited, one event with how many
rows it showed, in the log of each council whose people it names."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record, record_listed
from carebridge.payments.models import PaymentRun


@transaction.atomic
def scheduled_payments_viewed(*, by: User, rows: Mapping[int, int], ip: str | None = None) -> None:
    """`rows`: per council, how many client lines the page showed of its periods."""
    record_listed(action="payments.scheduled_viewed", by=by, counts=rows, ip_address=ip)


@transaction.atomic
def remittances_listed(*, by: User, rows: Mapping[int, int], ip: str | None = None) -> None:
    """The provider's remittance list: `rows` per council, how many remittances it showed."""
    record_listed(action="payments.remittances_listed", by=by, counts=rows, ip_address=ip)


@transaction.atomic
def remittance_viewed(
    *,
    by: User,
    run: PaymentRun,
    provider_id: int,
    rows: int,
    fmt: str = "",
    ip: str | None = None,
) -> None:
    """A remittance's page (`fmt` empty) or its download (`fmt` "pdf" or "csv"), with how many
    lines it holds, in the log of the run's council and of the provider it paid."""
    detail: dict[str, object] = {"run": run.reference, "provider": provider_id, "count": rows}
    if fmt:
        detail["format"] = fmt
    record(
        action="payments.remittance_downloaded" if fmt else "payments.remittance_viewed",
        by=by,
        obj=run,
        council=run.council_id,
        provider=provider_id,
        detail=detail,
        ip_address=ip,
    )
