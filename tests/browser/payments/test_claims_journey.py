"""A one-off claim in a real browser, without JavaScript's help for any step, and axe (WCAG 2.2
AA) on every page: the provider claims a 5-day hospital absence (a mistake first, shown in the
error summary) and submits the claim; the payments team approves it from its queue; the provider
invoices it at contract level and submits the invoice."""

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.payments.choices import ClaimStatus, InvoiceStatus
from carebridge.payments.models import Invoice, OneOffClaim
from carebridge.payments.tests.test_claims import claiming_world
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import (
    error_summary,
    fill_date,
    heading,
    log_in,
    menu_link,
    radio,
    success_banner,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _provider_claims(page: Any, world: Any) -> None:
    menu_link(page, "One-off claims").click()
    expect(heading(page)).to_have_text("One-off claims")
    axe_check(page)
    page.get_by_role("button", name="New one-off claim").click()
    axe_check(page)
    page.get_by_role("button", name="Create").click()
    error_summary(page)
    axe_check(page)
    page.get_by_label("Service", exact=True).select_option(label=world.service.name)
    page.get_by_label("Date of Claim").select_option(label="15/11/2026")
    page.get_by_role("button", name="Create").click()
    success_banner(page)
    axe_check(page)

    page.get_by_role("button", name="Add new client item").click()
    axe_check(page)
    page.get_by_label("SS Ref").fill(world.person.ss_ref)
    fill_date(page, "First day of the absence", date(2026, 11, 9))
    fill_date(page, "Last day of the absence", date(2026, 11, 13))
    radio(page, "What was the stay before the absence?", "Hospital stay").check()
    page.get_by_label("Hours claimed").fill("12.5")
    page.get_by_role("button", name="Add client item").click()
    # Five days name the locality worker who authorised them.
    error_summary(page)
    axe_check(page)
    page.get_by_label("Authorising locality worker", exact=False).fill("Rachel Green")
    page.get_by_role("button", name="Add client item").click()
    success_banner(page)
    expect(page.get_by_text("£202.00").first).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit claim").click()
    axe_check(page)
    page.get_by_role("button", name="Submit claim").click()
    success_banner(page)
    axe_check(page)


def test_a_five_day_hospital_absence_claimed_approved_and_invoiced(
    chromium: Any, live_server: Any, world: Any
) -> None:
    world = claiming_world(world)
    provider = new_context(chromium)
    page = provider.new_page()
    log_in(page, live_server.url, world.carer.email)
    _provider_claims(page, world)
    claim = OneOffClaim.objects.get()
    assert claim.status == ClaimStatus.SUBMITTED

    council = new_context(chromium)
    officer = council.new_page()
    log_in(officer, live_server.url, world.payments_officer.email)
    menu_link(officer, "One-off claims").click()
    axe_check(officer)
    officer.get_by_role("link", name="15/11/2026", exact=False).click()
    axe_check(officer)
    officer.get_by_role("button", name="Approve claim").click()
    axe_check(officer)
    officer.get_by_role("button", name="Approve claim").click()
    success_banner(officer)
    axe_check(officer)
    council.close()

    page.reload()
    page.get_by_role("button", name="Create invoice").click()
    axe_check(page)
    page.get_by_label("Invoice reference").fill("ABS-BROWSER")
    page.get_by_role("button", name="Create invoice").click()
    success_banner(page)
    expect(heading(page)).to_have_text("ABS-BROWSER")
    axe_check(page)
    page.get_by_role("button", name="Submit invoice").click()
    success_banner(page)
    assert Invoice.objects.get(claim=claim).status == InvoiceStatus.SUBMITTED
    provider.close()
