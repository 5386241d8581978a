"""Issue 20's connection pages in real Chromium, with axe (WCAG 2.2 AA) on every page reached.

A council administrator sets up the council's case-management system (the simulator, over real
HTTP on loopback): a bad address is refused with the error summary, the saved system's signing
secret is shown once. One referral is put in the simulator's feed and polled; the poll log shows
it received and created, the delivery log its acknowledgement delivered, at desktop width and at
320 pixels. The Dynamics 365 and single sign-on pages are reached through the sub-navigation.

A provider's Super User makes an API key (shown once) and revokes it after the confirmation
page; and makes one with the keyboard alone (Tab to the field and the button, Enter submits)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.integrations.models import ApiToken, CaseSystem
from carebridge.integrations.simulator import Simulator
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.referrals import casefeed
from carebridge.referrals.models import Referral
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import error_summary, heading, log_in, menu_link, success_banner
from tests.support import make_contract, make_council, make_district, make_provider, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY = "simulator-key-20"
DISTRICT = "Newark and Sherwood"
NARROW = {"width": 320, "height": 900}
WIDE = {"width": 1280, "height": 900}


@pytest.fixture
def peer() -> CaseManagement:
    return CaseManagement(api_key=KEY)


@pytest.fixture
def sim(peer: CaseManagement, loopback_allowed: None, empty_huey: None) -> Iterator[Simulator]:
    with Simulator(peer) as simulator:
        yield simulator


def _sub_nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Connections").get_by_role("link", name=name).click()
    expect(heading(page)).to_have_text(name)
    axe_check(page)


def _at_320_too(page: Any) -> None:
    """The same page at 320 CSS pixels wide (WCAG 1.4.10 reflow): axe again, then back."""
    page.set_viewport_size(NARROW)
    page.reload()
    axe_check(page)
    page.set_viewport_size(WIDE)


def _fill_system(page: Any, address: str) -> None:
    page.get_by_label("Name", exact=True).fill("Mosaic")
    page.get_by_label("Address", exact=True).fill(address)
    page.get_by_label("API key", exact=True).fill(KEY)
    page.get_by_role("button", name="Save", exact=True).click()


def test_an_administrator_connects_the_case_system_and_reads_the_poll_and_delivery_logs(
    chromium: Any, live_server: Any, sim: Simulator, peer: CaseManagement
) -> None:
    council = make_council("Sherwood Vale County Council", case_feed_poll_seconds=120)
    provider = make_provider("Bluebell Lane Care")
    make_contract(council, provider)
    make_district(council, DISTRICT)
    administrator = make_user(council=council, role="council_administrator")
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, administrator.email)

    menu_link(page, "Connections").click()
    expect(page).to_have_url(f"{live_server.url}/integrations/case-management/")
    expect(heading(page)).to_have_text("Case-management system")
    axe_check(page)

    _fill_system(page, "ftp://x")
    summary = error_summary(page)
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_base_url")
    expect(page.locator(".govuk-error-message")).to_have_text(
        "Error: Enter a web address that starts with https://"
    )
    summary.get_by_role("link").click()
    expect(page.get_by_label("Address", exact=True)).to_be_focused()
    assert not CaseSystem.objects.filter(council=council).exists()
    axe_check(page)

    _fill_system(page, f"{sim.url}/case-management")
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading")).to_have_text("New signing secret")
    secret = CaseSystem.objects.get(council=council).signing_secret
    assert secret
    expect(panel).to_contain_text(secret)
    expect(page.get_by_text("it is not shown again")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server.url}/integrations/case-management/")  # shown once: not again
    expect(page.get_by_text("New signing secret", exact=True)).to_have_count(0)
    expect(page.get_by_text(secret)).to_have_count(0)
    expect(page.locator("dt:text-is('API key') + dd")).to_have_text("Set")
    axe_check(page)

    external_id = peer.add_referral(peer.referral_body(provider_id=provider.pk, district=DISTRICT))
    record = casefeed.poll(council.pk)
    assert record is not None and (record.received, record.created) == (1, 1), record
    referral = Referral.objects.get(council=council)
    updates = peer.updates_for(external_id)
    assert [u["event"] for u in updates] == ["acknowledged"], updates

    _sub_nav(page, "Poll log")
    expect(page.get_by_role("heading", name="1 poll", exact=True)).to_be_visible()
    row = page.get_by_role("table").get_by_role("row").nth(1)
    expect(row.get_by_role("cell")).to_have_text(
        [re.compile(r"^\d{1,2}:\d\d[ap]m \d\d/\d\d/\d{4}$"), "1", "1", "0", "0", ""]
    )
    _at_320_too(page)

    _sub_nav(page, "Delivery log")
    page.get_by_label("Status").select_option(label="All")
    page.get_by_role("button", name="View").click()
    expect(page).to_have_url(re.compile(r"status=all"))
    expect(page.get_by_role("heading", name="1 delivery", exact=True)).to_be_visible()
    row = page.get_by_role("table").get_by_role("row").nth(1)
    expect(row).to_contain_text(f"update 1 of referral {referral.pk}")
    expect(row).to_contain_text(f"the system's id {external_id}")
    expect(row).to_contain_text(re.compile("acknowledged", re.IGNORECASE))
    expect(row.locator(".govuk-tag")).to_have_text("Delivered")
    axe_check(page)
    _at_320_too(page)

    _sub_nav(page, "Dynamics 365 (Dataverse)")
    expect(page.get_by_label("Environment address")).to_be_visible()
    _sub_nav(page, "Single sign-on")
    context.close()


def _super_user(live_server: Any, chromium: Any) -> tuple[Any, Any]:
    council = make_council()
    provider = make_provider("Bluebell Lane Care")
    make_contract(council, provider)
    user = make_user(provider=provider, role="super_user_scheduled")
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, user.email)
    return page, provider


def test_a_super_user_makes_an_api_key_sees_it_once_and_revokes_it(
    chromium: Any, live_server: Any
) -> None:
    page, provider = _super_user(live_server, chromium)

    menu_link(page, "API keys").click()
    expect(heading(page)).to_have_text("API keys")
    expect(page.get_by_text("Bluebell Lane Care has no API keys yet.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Make an API key").click()
    expect(heading(page)).to_have_text("Make an API key")
    axe_check(page)

    page.get_by_label("Name", exact=True).fill("Rostering system")
    page.get_by_role("button", name="Make key").click()
    expect(heading(page)).to_have_text("API key made")
    key = page.locator("#api-key").inner_text()
    token = ApiToken.objects.get(provider=provider)
    assert key.startswith(token.prefix) and len(key) > len(token.prefix)
    expect(page.get_by_text("This key is shown only once")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Back to API keys").last.click()
    expect(heading(page)).to_have_text("API keys")
    table = page.get_by_role("region", name="Your API keys")
    expect(table.get_by_role("caption")).to_have_text("1 key")
    expect(table.get_by_text(key)).to_have_count(0)  # never shown again
    row = table.get_by_role("row", name=re.compile("Rostering system"))
    expect(row.locator(".govuk-tag")).to_have_text("Active")
    axe_check(page)

    row.get_by_role("link", name="Revoke the key Rostering system").click()
    expect(heading(page)).to_have_text("Revoke the key ‘Rostering system’?")
    axe_check(page)
    page.get_by_role("button", name="Revoke key").click()

    expect(heading(page)).to_have_text("API keys")
    expect(success_banner(page)).to_contain_text("The key Rostering system")
    row = page.get_by_role("region", name="Your API keys").get_by_role("row").nth(1)
    expect(row.locator(".govuk-tag")).to_have_text("Revoked")
    expect(row.get_by_role("link", name=re.compile("Revoke"))).to_have_count(0)
    token.refresh_from_db()
    assert token.revoked_at is not None
    axe_check(page)
    page.context.close()


def _tab_to(page: Any, target: Any, most: int = 40) -> None:
    """Press Tab until `target` has the focus (from the top of the page), or fail."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{target} is not reached with {most} presses of Tab")


def test_the_api_key_form_works_with_the_keyboard_alone(chromium: Any, live_server: Any) -> None:
    page, provider = _super_user(live_server, chromium)
    page.goto(f"{live_server.url}/organisation/api-keys/new/")
    expect(heading(page)).to_have_text("Make an API key")
    axe_check(page)

    name = page.get_by_label("Name", exact=True)
    button = page.get_by_role("button", name="Make key")
    _tab_to(page, name)
    page.keyboard.type("Call monitoring")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(name).to_be_focused()
    page.keyboard.press("Enter")

    expect(heading(page)).to_have_text("API key made")
    expect(page.locator(".govuk-panel__body")).to_have_text("for Call monitoring")
    assert ApiToken.objects.filter(provider=provider, name="Call monitoring").count() == 1
    axe_check(page)
    page.context.close()
