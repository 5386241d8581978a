"""The help pages and the new navigation at desktop, at 320 px and at 200 % zoom (issue 21).

As a provider's Super User of two councils and as a council administrator: the home page, a
section page with its sub-navigation, the help index, the Record actuals topic, the glossary,
What's new, the council's help management page, the "Change council" page and the log-in page
with its "Problems logging in?" open show no axe violations at each size, and nothing scrolls
sideways at 320 px but the tables' own scrolling containers. At 320 px the service navigation
folds behind its Menu button; every page of the provider's is a section and an item away. A
provider chooses the council it looks at with the keyboard alone.
"""

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from carebridge.core.permissions import Role
from carebridge.home.navigation import navigation_for
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import heading, menu, sub_navigation
from tests.support import client_for, make_two_council_provider, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NARROW = {"viewport": {"width": 320, "height": 640}}
ZOOMED = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
SIZES = {"desktop": DESKTOP, "320 px": NARROW, "200 % zoom": ZOOMED}

# What sticks out past the right edge of the window, outside the tables' scrolling containers.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
        .filter(e => !e.closest('.cb-table-scroll') && e.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map(e => e.outerHTML.slice(0, 120));
}"""


def _pages(section_url: str, admin: bool) -> list[str]:
    pages = [
        reverse("home:home"),
        section_url,
        reverse("help:index"),
        reverse("help:topic", kwargs={"slug": "record-actuals"}),
        reverse("help:glossary"),
        reverse("help:whats_new"),
        reverse("organisations:council_focus") + "?next=/",
    ]
    return [*pages, reverse("help:manage")] if admin else pages


def _context(chromium: Any, base_url: str, user: Any, size: dict[str, Any]) -> tuple[Any, Any]:
    """A page of the size, logged in as `user` (the log-in pages have their own journeys)."""
    context = new_context(chromium, **{k: v for k, v in size.items() if k != "viewport"})
    page = context.new_page()
    page.set_viewport_size(size["viewport"])
    if user is not None:
        session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )
    return context, page


def _no_sideways_scrolling(page: Any, size: str, problems: list[str]) -> None:
    if size != "320 px":
        return
    overflowing = page.evaluate(OVERFLOWING)
    if overflowing:
        problems.append(f"{page.url} scrolls sideways at 320 px: {overflowing}")


def _check_pages(chromium: Any, base_url: str, user: Any, pages: list[str]) -> list[str]:
    problems: list[str] = []
    for size_name, size in SIZES.items():
        context, page = _context(chromium, base_url, user, size)
        for url in pages:
            response = page.goto(base_url + url)
            assert response is not None and response.status == 200, f"{url} at {size_name}"
            try:
                axe_check(page)
            except AssertionError as failure:
                problems.append(f"{size_name}: {failure}")
            _no_sideways_scrolling(page, size_name, problems)
        context.close()
    return problems


def _check_log_in_page(chromium: Any, base_url: str) -> list[str]:
    problems: list[str] = []
    for size_name, size in SIZES.items():
        context, page = _context(chromium, base_url, None, size)
        page.goto(f"{base_url}{reverse('accounts:login')}")
        page.get_by_text("Problems logging in?").click()
        expect(page.get_by_role("link", name="Help with logging in")).to_be_visible()
        try:
            axe_check(page)
        except AssertionError as failure:
            problems.append(f"{size_name}: {failure}")
        _no_sideways_scrolling(page, size_name, problems)
        context.close()
    return problems


def _every_item_two_clicks_away_at_320(chromium: Any, base_url: str, user: Any) -> None:
    """At 320 px: the Menu button opens the sections; each section, then its item, opens every
    page of the navigation."""
    context, page = _context(chromium, base_url, user, NARROW)
    sections = navigation_for(user, "")["sections"]
    checked = 0
    for section in sections:  # type: ignore[attr-defined]
        for item in section["items"]:
            page.goto(base_url + "/")
            toggle = menu(page).get_by_role("button", name="Menu")
            expect(toggle).to_be_visible()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            section_link = menu(page).get_by_role("link", name=section["label"], exact=True)
            expect(section_link).to_be_hidden()
            toggle.click()
            expect(section_link).to_be_visible()
            section_link.click()  # click 1: the section
            if len(section["items"]) > 1:
                link = sub_navigation(page).get_by_role("link", name=item["label"], exact=True)
                expect(link).to_be_visible()
                link.click()  # click 2: the item
            expect(page).to_have_url(base_url + str(item["url"]))
            checked += 1
    assert checked >= 15, f"only {checked} pages in the provider's navigation"
    context.close()


def _choose_council_with_the_keyboard(chromium: Any, base_url: str, user: Any, name: str) -> None:
    """Tab to "Change council", Enter; Tab into the choices, the arrow keys to the council (as
    radios work from the keyboard), Space; Tab to Continue, Enter; the bar names the council."""
    context, page = _context(chromium, base_url, user, DESKTOP)
    page.goto(base_url + reverse("actuals:week"))
    bar = page.locator(".cb-council-bar")
    expect(bar).to_contain_text("all 2 of your councils")

    def tab_to(test: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(test):
                return
        raise AssertionError(f"Tab never reached {test}")

    tab_to("document.activeElement.textContent.startsWith('Change council')")
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Choose a council")
    tab_to("document.activeElement.type === 'radio'")
    for _ in range(3):
        if page.evaluate("document.activeElement.labels[0].textContent.trim()") == name:
            break
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name=name)).to_be_checked()
    tab_to("document.activeElement.textContent.trim() === 'Continue'")
    page.keyboard.press("Enter")
    expect(heading(page)).to_contain_text("Week beginning")
    expect(bar).to_contain_text(f"Looking at {name}")
    axe_check(page)
    context.close()


def test_a_two_council_provider_reads_help_and_moves_around_at_every_size(
    chromium: Any, live_server: Any
) -> None:
    two = make_two_council_provider()
    base_url = live_server.url
    problems = _check_pages(chromium, base_url, two.carer, _pages(reverse("actuals:week"), False))
    problems += _check_log_in_page(chromium, base_url)
    _every_item_two_clicks_away_at_320(chromium, base_url, two.carer)
    _choose_council_with_the_keyboard(chromium, base_url, two.carer, two.four_weekly.name)
    assert problems == [], "\n\n".join(problems)


def test_a_council_administrator_reads_and_manages_help_at_every_size(
    chromium: Any, live_server: Any
) -> None:
    two = make_two_council_provider()
    admin = make_user(council=two.weekly, role=Role.COUNCIL_ADMINISTRATOR)
    section = reverse("accounts:user_list")  # Administration, with its sub-navigation
    problems = _check_pages(chromium, live_server.url, admin, _pages(section, True))
    assert problems == [], "\n\n".join(problems)
