"""What the reports' browser journeys share: opening a report from the menu, reading its table
and totals row as the page shows them, downloading a file from one of its links, and the audit
events its pages and downloads left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from tests.browser.conftest import axe_check
from tests.browser.pages import heading, menu_link

_CELLS = "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"


def open_report(page: Any, title: str) -> None:
    """Home, then Reports in the menu, then the report's link on the reports page."""
    menu_link(page, "Reports").click()
    expect(heading(page)).to_have_text("Reports")
    axe_check(page)
    page.locator("main").get_by_role("link", name=title, exact=True).click()
    expect(heading(page)).to_have_text(title)
    axe_check(page)


def show(page: Any) -> None:
    """Submit the filters (a plain GET form: no JavaScript is needed)."""
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_load_state("load")


def header(page: Any) -> list[str]:
    return page.locator(".cb-table-scroll thead th").all_inner_texts()


def body_rows(page: Any) -> list[list[str]]:
    """The table's rows on this page, each as the texts of its cells."""
    rows: list[list[str]] = page.locator(".cb-table-scroll tbody tr").evaluate_all(_CELLS)
    return rows


def totals_row(page: Any) -> list[str]:
    (row,) = page.locator(".cb-table-scroll tfoot tr").evaluate_all(_CELLS)
    return list(row)


def as_dicts(page: Any) -> list[dict[str, str]]:
    """The rows keyed by their column headings."""
    names = header(page)
    return [dict(zip(names, row, strict=True)) for row in body_rows(page)]


def download(page: Any, link: str) -> tuple[str, bytes]:
    """Follow a download link of the report page: the file's suggested name and its bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    done = info.value
    return done.suggested_filename, Path(done.path()).read_bytes()


def report_events(reader: User, slug: str) -> list[tuple[str, str | None, int]]:
    """The reader's audit events for a report, oldest first: (action, format, rows counted)."""
    events = Event.objects.filter(actor=reader, action__startswith="reports.report_").order_by("pk")
    return [
        (e.action, e.detail.get("format"), e.detail["count"])
        for e in events
        if e.detail.get("report") == slug
    ]
