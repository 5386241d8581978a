"""What every browser journey does on a page: log in, find the menu, the heading, the banners, the
error summary, and fill GOV.UK date inputs and radios. Every page reached is checked with axe."""

import re
from datetime import date
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import axe_check
from tests.support import PASSCODE, PASSWORD


def log_in(page: Any, base_url: str, email: str) -> None:
    """Both log-in steps, with axe on each page."""
    page.goto(f"{base_url}/accounts/login/")
    axe_check(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your passcode")
    axe_check(page)
    page.get_by_label("Your 6-digit passcode").fill(PASSCODE)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    axe_check(page)


def menu_link(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)


def heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def success_banner(page: Any) -> Any:
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    return banner


def error_summary(page: Any) -> Any:
    """The error summary, each of whose links leads to an element on the page."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    for href in summary.get_by_role("link").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, f"The error summary links to {href}: not on page"
    return summary


def fill_date(scope: Any, legend: str, day: date) -> None:
    """A GOV.UK date input: the fieldset named by its legend, then its day, month and year."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def radio(page: Any, legend: str, label: str) -> Any:
    group = page.get_by_role("group", name=legend, exact=True)
    return group.get_by_role("radio", name=label, exact=True)


def summary_value(page: Any, key: str) -> Any:
    """The value beside a key of a GOV.UK summary list (the first such row on the page)."""
    return page.locator(f"dt:text-is('{key}') + dd").first
