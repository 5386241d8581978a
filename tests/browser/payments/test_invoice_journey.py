"""The provider's invoice pages in a real browser, without JavaScript's help for any step, and
axe (WCAG 2.2 AA) on every page: the wizard, a pre-invoice with a line over the exception,
Create, the refused Submit, Edit to untick the line, Submit, the list; and Delete's page."""

from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.payments.models import Invoice
from carebridge.payments.tests.conftest import clients, create, enter
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import error_summary, heading, log_in, menu_link, success_banner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invoice_from_its_pre_invoice_to_submitted(chromium: Any, live_server: Any, paying):
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "20"), comments="Family away")
    enter(paying, (other, "10"))
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, paying.carer.email)

    menu_link(page, "Invoices").click()
    expect(heading(page)).to_have_text("Invoices")
    axe_check(page)
    page.get_by_role("button", name="Create an invoice").click()
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    error_summary(page)
    axe_check(page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_contain_text("Pre-invoice for")
    expect(page.get_by_text("Over exception").first).to_be_visible()
    axe_check(page)

    page.get_by_label("Invoice reference").fill("INV-BROWSER")
    page.get_by_role("button", name="Create").click()
    success_banner(page)
    expect(heading(page)).to_have_text("INV-BROWSER")
    axe_check(page)
    page.get_by_role("button", name="Submit invoice").click()
    error_summary(page)
    axe_check(page)

    page.get_by_role("button", name="Edit", exact=True).click()
    axe_check(page)
    page.get_by_label(f"Invoice {paying.person.full_name}", exact=False).uncheck()
    page.get_by_role("button", name="Save changes").click()
    success_banner(page)
    page.get_by_role("button", name="Submit invoice").click()
    success_banner(page)
    assert Invoice.objects.get().status == "submitted"
    menu_link(page, "Invoices").click()
    expect(page.get_by_role("link", name="INV-BROWSER")).to_be_visible()
    axe_check(page)

    draft = create(paying, reference="INV-DRAFT")
    page.goto(f"{live_server.url}/payments/invoices/{draft.pk}/delete/")
    axe_check(page)
    page.get_by_role("button", name="Delete invoice").click()
    success_banner(page)
    context.close()
