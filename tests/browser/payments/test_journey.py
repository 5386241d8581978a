"""Issue 16's journey across the provider, the council's payments team and its brokerage team, in
real Chromium without JavaScript's help for any step, and axe (WCAG 2.2 AA) on every page.

A provider's confirmed week has one client more than 20% over plan. Its Payments user opens the
invoice wizard, sees the over-exception triangle, asks for a temporary CPLI from that line, creates
the invoice, is refused Submit, unticks the line and submits. The payments officer holds it with a
reason, the provider reads the reason, the officer authorises it and finds it among the Authorised.
The broker approves the variation request, publishing the temporary CPLI, and the provider finds
it in its contract documents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual
from carebridge.contracts.models import Cpli
from carebridge.core.formats import guide_date
from carebridge.payments.choices import InvoiceStatus, VariationStatus
from carebridge.payments.models import Invoice, VariationRequest
from carebridge.payments.tests.conftest import LAST_WEEK, clients, confirm, enter
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import (
    error_summary,
    heading,
    log_in,
    menu_link,
    success_banner,
    summary_value,
)
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFERENCE = "INV-JOURNEY"
HELD_REASON = "The week of 9 November does not match the visit log we hold: please send it."
VARIATION_REASON = "Two extra calls a day while her daughter was away"


@dataclass
class Journey:
    """The world of the journey: its people and the actuals rows it follows."""

    world: Any
    payments_user: User  # the provider's Payments role
    on_plan: Cpli  # the other client's CPLI: 10 hours planned, 10 given
    over: Actual  # the world's client: 18 hours against 14 planned (more than 20% over)
    base_url: str


def _journey(world: Any, base_url: str) -> Journey:
    """Last week's actuals, one client 4 hours (29%) over plan and one on plan, confirmed."""
    (on_plan,) = clients(world, 1)
    enter(world, (world.cpli, "18"), comments="Daughter away: two extra calls a day")
    enter(world, (on_plan, "10"))
    confirm(world)
    over = Actual.objects.get(cpli=world.cpli, week_start=LAST_WEEK)
    assert over.over_threshold and not Actual.objects.get(cpli=on_plan).over_threshold
    payments_user = make_user(provider=world.provider, role="payments")
    return Journey(world, payments_user, on_plan, over, base_url)


def _logged_in(chromium: Any, journey: Journey, user: User) -> tuple[Any, Any]:
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, journey.base_url, user.email)
    return context, page


def _pre_invoice(page: Any, journey: Journey) -> str:
    """The wizard to last week's pre-invoice, with its one triangle; returns the page's URL."""
    menu_link(page, "Invoices").click()
    expect(heading(page)).to_have_text("Invoices")
    axe_check(page)
    page.get_by_role("button", name="Create an invoice").click()
    expect(heading(page)).to_have_text("Create an invoice")
    axe_check(page)
    page.get_by_role("radio", name=guide_date(LAST_WEEK)).check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_contain_text(f"Pre-invoice for {guide_date(LAST_WEEK)} to")
    # The triangle: a tag whose words say it, on the one row over the exception.
    expect(page.locator(".govuk-tag", has_text="Over exception")).to_have_count(1)
    expect(page.get_by_role("checkbox")).to_have_count(2)
    axe_check(page)
    return page.url


def _ask_for_a_temporary_cpli(page: Any, journey: Journey) -> VariationRequest:
    """From the triangle's link: the request's form, filled in from the row, then its page."""
    person = journey.world.person
    page.get_by_role("link", name=f"Ask for a temporary CPLI for {person.full_name}").click()
    expect(heading(page)).to_have_text("Ask for a temporary CPLI")
    assert page.url.endswith(f"?actual={journey.over.pk}")
    expect(page.get_by_label("Extra each week")).to_have_value("4.00")
    axe_check(page)
    page.get_by_label("Reason").fill(VARIATION_REASON)
    page.get_by_role("button", name="Send request").click()
    success_banner(page)
    expect(heading(page)).to_have_text(person.full_name)
    expect(summary_value(page, "Status")).to_have_text("Requested")
    axe_check(page)
    made = VariationRequest.objects.get()
    assert (made.status, made.cpli_id, made.first_week) == (
        VariationStatus.REQUESTED,
        journey.world.cpli.pk,
        LAST_WEEK,
    )
    assert made.extra_quantity == Decimal("4") and made.reason == VARIATION_REASON
    return made


def _create_and_submit(page: Any, journey: Journey, pre_invoice_url: str) -> Invoice:
    """Create with both lines, Submit refused for the line over, Edit to untick it, Submit."""
    page.goto(pre_invoice_url)
    axe_check(page)
    page.get_by_label("Invoice reference").fill(REFERENCE)
    page.get_by_role("button", name="Create").click()
    success_banner(page)
    expect(heading(page)).to_have_text(REFERENCE)
    axe_check(page)
    invoice = Invoice.objects.get(reference=REFERENCE)
    assert invoice.lines.count() == 2

    page.get_by_role("button", name="Submit invoice").click()
    refusal = f"more than the allowed percentage over plan ({journey.world.person.full_name})"
    expect(error_summary(page)).to_contain_text(refusal)
    axe_check(page)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.UNSUBMITTED

    page.get_by_role("button", name="Edit", exact=True).click()
    axe_check(page)
    page.get_by_label(f"Invoice {journey.world.person.full_name}", exact=False).uncheck()
    page.get_by_role("button", name="Save changes").click()
    success_banner(page)
    page.get_by_role("button", name="Submit invoice").click()
    success_banner(page)
    expect(summary_value(page, "Status")).to_have_text("Submitted")
    axe_check(page)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SUBMITTED
    assert list(invoice.lines.values_list("cpli_id", flat=True)) == [journey.on_plan.pk]
    return invoice


def _officer_holds(officer: Any, invoice: Invoice) -> None:
    """The queue, the invoice, Hold (a reason is needed first), held."""
    menu_link(officer, "Invoices").click()
    expect(heading(officer)).to_have_text("Invoices")
    axe_check(officer)
    officer.get_by_role("link", name=REFERENCE).click()
    expect(heading(officer)).to_have_text(f"Invoice {REFERENCE}")
    expect(summary_value(officer, "Status")).to_have_text("Submitted")
    expect(officer.get_by_role("caption")).to_have_text("1 line")
    axe_check(officer)
    officer.get_by_role("button", name="Hold invoice").click()
    expect(heading(officer)).to_have_text("Hold this invoice")
    axe_check(officer)
    officer.get_by_role("button", name="Hold invoice").click()
    expect(error_summary(officer)).to_contain_text("Enter the reason")
    axe_check(officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SUBMITTED
    officer.get_by_label("Reason").fill(HELD_REASON)
    officer.get_by_role("button", name="Hold invoice").click()
    success_banner(officer)
    expect(summary_value(officer, "Status")).to_have_text("Held")
    expect(summary_value(officer, "Why it is held")).to_have_text(HELD_REASON)
    axe_check(officer)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.held_reason) == (InvoiceStatus.HELD, HELD_REASON)


def _provider_reads_the_hold(page: Any) -> None:
    page.reload()
    expect(summary_value(page, "Status")).to_have_text("Held")
    banner = page.get_by_role("region", name="Held")
    expect(banner).to_contain_text("payments team is holding this invoice")
    expect(banner).to_contain_text(HELD_REASON)
    expect(page.get_by_role("button", name="Submit invoice")).to_have_count(0)
    axe_check(page)


def _officer_authorises(officer: Any, invoice: Invoice) -> None:
    """Authorise from the invoice's page; the queue keeps it only among the Authorised."""
    officer.get_by_role("button", name="Authorise invoice").click()
    expect(heading(officer)).to_have_text("Authorise this invoice for payment")
    axe_check(officer)
    officer.get_by_role("button", name="Authorise invoice").click()
    success_banner(officer)
    expect(summary_value(officer, "Status")).to_have_text("Authorised")
    axe_check(officer)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.AUTHORISED

    menu_link(officer, "Invoices").click()
    # The queue opens on what is waiting: submitted and held.
    expect(officer.get_by_text("No invoices match.")).to_be_visible()
    axe_check(officer)
    officer.get_by_label("Status").select_option(label="Authorised")
    officer.get_by_role("button", name="Apply filters").click()
    row = officer.get_by_role("row").filter(has=officer.get_by_role("link", name=REFERENCE))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Authorised")
    expect(officer.get_by_role("caption")).to_have_text("1 invoice")
    axe_check(officer)


def _broker_approves(broker: Any, journey: Journey, made: VariationRequest) -> str:
    """The council's list, the request, Approve: returns the published document's reference."""
    person = journey.world.person
    menu_link(broker, "Variation requests").click()
    expect(heading(broker)).to_have_text("Variation requests")
    axe_check(broker)
    broker.get_by_role("link", name=person.full_name).click()
    expect(heading(broker)).to_have_text(person.full_name)
    expect(summary_value(broker, "Reason")).to_have_text(VARIATION_REASON)
    axe_check(broker)
    broker.get_by_role("button", name="Approve").click()
    expect(heading(broker)).to_have_text("Approve the variation request")
    axe_check(broker)
    broker.get_by_role("button", name="Approve and publish").click()
    success_banner(broker)
    expect(summary_value(broker, "Status")).to_have_text("Approved")
    axe_check(broker)
    made.refresh_from_db()
    assert made.status == VariationStatus.APPROVED and made.document is not None
    document = made.document
    assert document.status == "published" and document.provider_id == journey.world.provider.pk
    temporary = document.cplis.get()
    assert (temporary.quantity, temporary.rate) == (Decimal("4"), journey.world.cpli.rate)
    expect(summary_value(broker, "Temporary CPLI")).to_contain_text(document.reference)
    return document.reference


def test_an_over_exception_week_asked_for_invoiced_held_authorised_and_varied(
    chromium: Any,
    live_server: Any,
    paying: Any,
    brokerage: Any,
) -> None:
    journey = _journey(paying, live_server.url)
    provider, page = _logged_in(chromium, journey, journey.payments_user)
    pre_invoice_url = _pre_invoice(page, journey)
    made = _ask_for_a_temporary_cpli(page, journey)
    invoice = _create_and_submit(page, journey, pre_invoice_url)

    council, officer = _logged_in(chromium, journey, paying.payments_officer)
    _officer_holds(officer, invoice)
    _provider_reads_the_hold(page)
    _officer_authorises(officer, invoice)
    council.close()

    brokers, broker = _logged_in(chromium, journey, paying.broker)
    reference = _broker_approves(broker, journey, made)
    brokers.close()

    menu_link(page, "Contract documents").click()
    expect(heading(page)).to_have_text("Contract documents")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    axe_check(page)
    provider.close()
