"""What every browser journey does on a page: log in, find the menu, the heading, the banners, the
error summary, and fill GOV.UK date inputs and radios. Every page reached is checked with axe.

The service navigation is in sections (`carebridge.home.navigation`): the Menu lists the sections,
and the current section's pages are its sub-navigation. `menu_link` finds a page's link in
either, opening the section that holds it when the page is in neither."""

import re
from datetime import date
from typing import Any

from django.urls import reverse
from playwright.sync_api import expect

from carebridge.home.navigation import COUNCIL, PROVIDER, Section
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


def menu(page: Any) -> Any:
    """The service navigation: the sections."""
    return page.get_by_role("navigation", name="Menu")


def sub_navigation(page: Any) -> Any:
    """The current section's pages (a section of one page has none)."""
    return page.locator("nav.cb-sub-navigation")


def _sections_holding(page: Any, name: str) -> list[tuple[str, str]]:
    """The sections in the page's Menu that may hold an item called `name`, with the item's
    address: the provider's or the council's, told apart by the sections only one side has."""
    shown = set(menu(page).get_by_role("link").all_text_contents())
    shown = {label.strip() for label in shown}
    sides: list[tuple[Section, ...]] = [PROVIDER, COUNCIL]
    own = [side for side in sides if shown - {s.label for s in side} == set()]
    candidates = []
    for side in own or sides:
        for section in side:
            for item in section.items:
                if section.label in shown and item.label == name:
                    url = reverse(item.url_name, kwargs=dict(item.kwargs))
                    candidates.append((section.label, url))
    return list(dict.fromkeys(candidates))


def menu_link(page: Any, name: str) -> Any:
    """The link called `name` in the sub-navigation or the Menu; when it is in neither, the
    section that opens it (its first page, or the only one the role sees), else the section
    that holds it is opened (a click) and its sub-navigation's link returned."""
    for scope in (sub_navigation(page), menu(page)):
        link = scope.get_by_role("link", name=name, exact=True)
        if link.count():
            return link.first
    candidates = _sections_holding(page, name)
    for section, url in candidates:
        link = menu(page).get_by_role("link", name=section, exact=True)
        if link.get_attribute("href") == url:
            return link
    for section, _url in candidates:
        menu(page).get_by_role("link", name=section, exact=True).click()
        link = sub_navigation(page).get_by_role("link", name=name, exact=True)
        if link.count():
            return link.first
    raise AssertionError(f"No page called {name!r} in the navigation of {page.url}")


def header_links(page: Any) -> Any:
    """Help, Your account and Log out, at the top right of the header."""
    return page.get_by_role("navigation", name="Help and account")


def help_link(page: Any) -> Any:
    """The header's Help link (its accessible name also carries the topic's title)."""
    return header_links(page).get_by_role("link", name=re.compile(r"^Help\b"))


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
