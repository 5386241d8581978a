"""Issue 19's council journey in real Chromium: a commissioner reads the referral-response chart
and its table, with axe (WCAG 2.2 AA) on every page, at 320 pixels wide too.

The world is the referral-response tests' (carebridge/reports/tests/test_referral_response.py,
whose docstring works each referral by hand): Alder Care's April and May 2026 and Birch Care's
May, read at noon on Wednesday 10 June 2026. Over April and May:

  Alder Care, April: received 4, 3 answered in the window (100% of those whose window closed),
      median 60 service minutes, none missed, 1 refused (cannot meet needs), 1 failed start,
      0 of 1 provider updates on time.
  Alder Care, May:   received 4, 2 in the window (50%), median 105, 2 missed (one refused late,
      one never answered), 1 refused (no capacity), 1 of 2 updates on time.
  Birch Care, May:   received 2, both in the window (100%), median 17.5, 0 of 2 updates on time.
  Total: received 10, 7 in the window (7 of 9 closed: 77.8%), median 45, 2 missed, 2 refused,
      1 failed start, 1 of 5 updates on time.

The broker changes the dates with the form alone (a GET form: no JavaScript), reads the chart's
name and description and the table, gives an impossible date and is shown the error summary,
then downloads the PDF, which is audited."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.audit.models import Event
from carebridge.reports.tests.test_referral_response import World, clock, told, world
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import error_summary, fill_date, heading, log_in
from tests.browser.reports_support import (
    body_rows,
    download,
    header,
    open_report,
    report_events,
    show,
    totals_row,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["clock", "told", "world"]  # the referral-response tests' fixtures, used by name

SLUG = "referral-response"
NARROW = 320
COLUMNS = [
    "Provider",
    "Month",
    "Received",
    "Answered in window",
    "Share in window",
    "Median service minutes to answer",
    "Missed",
    "Refused",
    "Refused by reason",
    "Failed starts",
    "Provider updates on time",
    "Provider updates due",
]
ROWS = [
    [
        "Alder Care",
        "April 2026",
        "4",
        "3",
        "100.0%",
        "60",
        "0",
        "1",
        "Cannot meet the care needs described 1",
        "1",
        "0",
        "1",
    ],
    [
        "Alder Care",
        "May 2026",
        "4",
        "2",
        "50.0%",
        "105",
        "2",
        "1",
        "No capacity in the area 1",
        "0",
        "1",
        "2",
    ],
    ["Birch Care", "May 2026", "2", "2", "100.0%", "17.5", "0", "0", "", "0", "0", "2"],
]
TOTALS = [
    "Total",
    "",
    "10",
    "7",
    "77.8%",
    "45",
    "2",
    "2",
    "No capacity in the area 1; Cannot meet the care needs described 1",
    "1",
    "1",
    "5",
]
CHART_NAME = "Referrals received, answered within the response window and missed, per month"
CHART_WORDS = (
    "Bar chart of the 2 months from April 2026 to May 2026: 10 referrals received, 7 answered "
    "within the response window (77.8% of those whose window has closed) and 2 missed. The most "
    "were received in May 2026 (6)."
)


def _april_and_may(page: Any) -> None:
    fill_date(page, "From", date(2026, 4, 1))
    fill_date(page, "To", date(2026, 5, 31))
    show(page)


def _reads_the_chart_and_its_table(page: Any) -> None:
    """April and May: the chart, named and described by its figures, and the same figures in
    the table."""
    _april_and_may(page)
    expect(heading(page)).to_have_text("Referral response")
    chart = page.locator("figure.cb-chart svg[role='img']")
    expect(chart).to_have_count(1)
    expect(chart.locator("title").first).to_have_text(CHART_NAME)
    expect(chart.locator("desc")).to_contain_text(CHART_WORDS)
    # Named by its title and described by its figures in words, which a screen reader reads
    # after the name.
    expect(chart).to_have_accessible_name(CHART_NAME)
    expect(chart).to_have_accessible_description(re.compile(re.escape(CHART_WORDS)))
    # Three bars a month: received, answered in window, missed, each named with its figure.
    bars = chart.locator("rect > title").all_text_contents()
    assert bars == [
        "April 2026: received 4",
        "April 2026: answered in window 3",
        "April 2026: missed 0",
        "May 2026: received 6",
        "May 2026: answered in window 4",
        "May 2026: missed 2",
    ]
    expect(page.get_by_role("heading", level=2, name="3 rows")).to_be_visible()
    assert header(page) == COLUMNS
    assert body_rows(page) == ROWS
    assert totals_row(page) == TOTALS
    axe_check(page)


def _at_320_pixels_the_table_scrolls_in_its_own_region(page: Any) -> None:
    """WCAG reflow: at 320 px the page does not scroll sideways; the wide table does, in its
    own focusable region."""
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.wait_for_timeout(100)  # a frame for the layout to follow the new width
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW + 1
    region = page.get_by_role("region", name="Referral response: the figures")
    expect(region).to_have_class("cb-table-scroll")
    # The table is wider than the screen, so the region is what scrolls.
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    axe_check(page)


def _an_impossible_date_is_shown_in_the_error_summary(page: Any) -> None:
    fill_date(page, "From", date(2026, 4, 1))
    group = page.get_by_role("group", name="From", exact=True)
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    show(page)
    summary = error_summary(page)  # each of its links leads to a field on the page
    expect(summary).to_contain_text("The first date must be a real date")
    link = summary.get_by_role("link", name="The first date must be a real date")
    assert link.get_attribute("href") == "#id_starts_0"
    link.click()
    expect(page.locator("#id_starts_0")).to_be_focused()
    # No table is shown for filters that cannot be used, nor any download link.
    expect(page.locator(".cb-table-scroll")).to_have_count(0)
    expect(page.get_by_role("link", name="Download as PDF")).to_have_count(0)
    axe_check(page)


def _downloads_the_pdf(page: Any) -> None:
    _april_and_may(page)
    expect(page.get_by_role("heading", level=2, name="3 rows")).to_be_visible()
    axe_check(page)
    name, pdf = download(page, "Download as PDF")
    assert name == "referral-response-2026-06-10.pdf"
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_a_commissioner_reads_the_referral_response_chart_and_its_table(
    chromium: Any, live_server: Any, told: World
) -> None:
    broker = told.broker  # a council role with the Reports function
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, broker.email)

    open_report(page, "Referral response")
    _reads_the_chart_and_its_table(page)
    _at_320_pixels_the_table_scrolls_in_its_own_region(page)
    _an_impossible_date_is_shown_in_the_error_summary(page)
    _downloads_the_pdf(page)
    context.close()

    # The first visit (the last 12 months: the same three rows), April and May twice, and the
    # PDF are in the council's log as the broker's, with the rows each carried; the page with
    # the impossible date showed no rows and is not.
    assert report_events(broker, SLUG) == [
        ("reports.report_viewed", None, 3),
        ("reports.report_viewed", None, 3),
        ("reports.report_viewed", None, 3),
        ("reports.report_downloaded", "pdf", 3),
    ]
    downloaded = Event.objects.get(action="reports.report_downloaded", actor=broker)
    assert downloaded.council_id == told.council.pk
