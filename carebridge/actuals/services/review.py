"""The council's review of a provider's actuals names the provider's clients on every row: each
view of its page and each download of its rows is audited, one event with how many rows."""

from __future__ import annotations

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.actuals.models import Period
from carebridge.audit.services import record_listed
from carebridge.organisations.models import Provider


@transaction.atomic
def actuals_reviewed(
    *,
    by: User,
    period: Period,
    provider: Provider,
    rows: int,
    fmt: str = "",
    ip: str | None = None,
) -> None:
    """`rows`: how many rows the page showed, or the download held (the filters chosen); `fmt`:
    "csv" or "xlsx" for a download, empty for the page."""
    detail = {
        "period": period.pk,
        "start": period.start_date.isoformat(),
        "end": period.end_date.isoformat(),
        "provider": provider.pk,
    }
    if fmt:
        detail["format"] = fmt
    record_listed(
        action="actuals.review_exported" if fmt else "actuals.reviewed",
        by=by,
        counts={period.council_id: rows},
        detail=detail,
        ip_address=ip,
    )
