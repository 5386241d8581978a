"""The one write of reports: the audit of who read which report, in which format, and how many
rows of each council's work it showed (one event per council, `audit.record_listed`). The
filters are not recorded: a client's name typed in one would carry into another reader's log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from carebridge.audit.services import record_listed

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def report_read(
    *, by: User, slug: str, fmt: str, rows: Mapping[int, int], ip: str | None = None
) -> None:
    """`fmt` is "page" for the page, else the download's format ("csv", "xlsx", "pdf")."""
    action = "reports.report_viewed" if fmt == "page" else "reports.report_downloaded"
    detail: dict[str, object] = {"report": slug}
    if fmt != "page":
        detail["format"] = fmt
    record_listed(action=action, by=by, counts=rows, detail=detail, ip_address=ip)
