"""A contract from the council's desk to the provider's signature, in a real browser, and the
provider keeping its details right through the council.

A broker publishes an Individual Service Order with two lines (adding the second without
JavaScript's help); the provider finds it among the published documents, downloads the PDF and
agrees to it with their password (a wrong one first); the CPLIs appear in the provider's list
as the guide writes them. Then the provider asks for a service's telephone number to change;
the council administrator approves the change request and the service shows the new number.

Every page visited, error pages too, is checked with axe (WCAG 2.2 AA) and for CSP or 404
errors in the console.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.contracts import services as contracts
from carebridge.contracts.choices import Unit
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.core.calendar import now, to_london
from carebridge.core.permissions import Role
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import (
    error_summary,
    fill_date,
    heading,
    log_in,
    menu_link,
    success_banner,
)
from tests.support import PASSWORD, make_contract, make_council, make_provider, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE = "Harbourside Home Care - Marsh Lane"
NEW_PHONE = "01632 960 123"


def fill_line(page: Any, number: int, *, level: str, quantity: str, rate: str, start: date) -> None:
    line = page.get_by_role("group", name=f"Line {number}", exact=True)
    line.get_by_label("Service level").select_option(label=level)
    line.get_by_label("Quantity a week").fill(quantity)
    line.get_by_label("Rate (£)").fill(rate)
    fill_date(line, f"Start date of line {number}", start)


def change_requested(page: Any) -> None:
    """The provider asks for its service's telephone number to change: nothing changes yet."""
    menu_link(page, "Organisation details").click()
    expect(heading(page)).to_have_text("Harbourside Home Care")
    axe_check(page)
    page.get_by_role("link", name=SERVICE).click()
    expect(heading(page)).to_have_text(SERVICE)
    axe_check(page)
    page.get_by_role("button", name="Edit service details").click()
    axe_check(page)
    page.get_by_label("Telephone (optional)").fill("not a number")
    page.get_by_role("button", name="Send change request").click()
    expect(error_summary(page)).to_contain_text("Enter a UK telephone number")
    axe_check(page)
    page.get_by_label("Telephone (optional)").fill(NEW_PHONE)
    page.get_by_role("button", name="Send change request").click()
    expect(success_banner(page)).to_contain_text("Nothing changes until they approve it")
    axe_check(page)
    menu_link(page, "Change requests").click()
    row = page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Pending review")
    expect(row).to_contain_text(NEW_PHONE)
    axe_check(page)


def change_approved(page: Any) -> None:
    """The council administrator reviews the request and approves it."""
    menu_link(page, "Change requests").click()
    expect(heading(page)).to_have_text("Change requests")
    axe_check(page)
    page.get_by_role(
        "link", name=re.compile(f"^Review the request to change the service details of {SERVICE}")
    ).click()
    expect(heading(page)).to_have_text(SERVICE)
    expect(page.locator("main")).to_contain_text(NEW_PHONE)
    axe_check(page)
    page.get_by_role("button", name="Approve").click()
    expect(success_banner(page)).to_contain_text(f"The change to {SERVICE} has been made.")
    axe_check(page)


def change_seen(page: Any) -> None:
    """The provider sees the request approved and the new number on the service."""
    menu_link(page, "Change requests").click()
    row = page.get_by_role("row").filter(has_text=SERVICE)
    expect(row).to_contain_text("Approved")
    axe_check(page)
    menu_link(page, "Organisation details").click()
    page.get_by_role("link", name=SERVICE).click()
    expect(page.locator("main")).to_contain_text(NEW_PHONE)
    axe_check(page)


def test_a_contract_document_from_publication_to_agreement_and_a_details_change(
    chromium: Any, live_server: Any
) -> None:
    council = make_council("Ashdown Vale Council")
    provider = make_provider("Harbourside Home Care")
    make_contract(council, provider)
    broker = make_user(council=council, role=Role.BROKER, email="broker@ashdown.example")
    administrator = make_user(
        council=council, role=Role.COUNCIL_ADMINISTRATOR, email="admin@ashdown.example"
    )
    provider_user = make_user(
        provider=provider, role=Role.SUPER_USER_SCHEDULED, email="office@harbourside.example"
    )
    org.service_create(provider=provider, name=SERVICE, postcode="NG22 8QA", phone="01632 960 000")
    for name, unit in (
        ("Home Care - Single Assist Fixed Rate (Hour)", Unit.HOURS),
        ("Night Sits", Unit.NIGHTS),
    ):
        contracts.service_level_create(council=council, name=name, unit=unit, by=broker)
    people.service_user_create(
        council=council,
        by=broker,
        ss_ref="AV100234",
        first_name="Edith",
        last_name="Marchbanks",
        date_of_birth=date(1938, 6, 2),
        postcode="NG22 8QB",
    )
    start = to_london(now()).date() + timedelta(days=7)
    base_url = live_server.url

    # --- The broker publishes the document ----------------------------------------------------
    council_context = new_context(chromium)
    page = council_context.new_page()
    log_in(page, base_url, broker.email)
    menu_link(page, "Contract documents").click()
    expect(heading(page)).to_have_text("Contract documents")
    axe_check(page)
    page.get_by_role("button", name="Publish a contract document").click()
    expect(heading(page)).to_have_text("Publish a contract document")
    axe_check(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    summary = error_summary(page)
    expect(summary).to_contain_text("Enter the client's SS Ref")
    expect(summary).to_contain_text("Choose the service level of line 1")
    axe_check(page)

    page.get_by_label("Client's SS Ref").fill("AV100234")
    page.get_by_label("Service", exact=True).select_option(label=f"{SERVICE} ({provider.name})")
    page.get_by_label("Care package reference").fill("CP-2026-0042")
    fill_line(
        page,
        1,
        level="Home Care - Single Assist Fixed Rate (Hour)",
        quantity="3.5",
        rate="16.16",
        start=start,
    )
    page.get_by_role("button", name="Add another line").click()
    expect(page.get_by_role("group", name="Line 2", exact=True)).to_be_visible()
    # What was typed comes back with the new line, and nothing was published.
    expect(page.get_by_label("Client's SS Ref")).to_have_value("AV100234")
    assert not ContractDocument.objects.exists()
    axe_check(page)
    fill_line(page, 2, level="Night Sits", quantity="2", rate="98.50", start=start)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(success_banner(page)).to_contain_text("It waits for the provider to agree to it.")
    document = ContractDocument.objects.get()
    expect(heading(page)).to_contain_text(document.reference)
    axe_check(page)
    council_context.close()

    # --- The provider downloads it and agrees ------------------------------------------------
    provider_context = new_context(chromium, accept_downloads=True)
    page = provider_context.new_page()
    log_in(page, base_url, provider_user.email)
    menu_link(page, "Contract documents").click()
    page.get_by_label("Status").select_option(label="Published")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]status=published(&|$)"))
    axe_check(page)
    page.get_by_role("link", name=f"Individual Service Order {document.reference}").click()
    expect(heading(page)).to_contain_text(document.reference)
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename == f"{document.reference}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("button", name="Agree", exact=True).click()
    expect(heading(page)).to_contain_text("Agree")
    axe_check(page)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(error_summary(page)).to_contain_text("The password is not right")
    axe_check(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Agree", exact=True).click()
    expect(success_banner(page)).to_contain_text("Its care package line items are now active.")
    axe_check(page)
    document.refresh_from_db()
    assert document.status == "agreed" and document.answered_by == provider_user
    assert document.signed_hash == contracts.document_fingerprint(document)

    menu_link(page, "Care package line items").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("3.5 x Hours at £16.16 (Spot)")
    expect(table).to_contain_text("2 x Nights at £98.50 (Spot)")
    expect(table).to_contain_text("£56.56")  # 3.5 x 16.16, rounded half-up once
    expect(table).to_contain_text("£197.00")
    axe_check(page)
    assert {cpli.weekly_cost for cpli in Cpli.objects.all()} == {
        Decimal("56.56"),
        Decimal("197.00"),
    }

    # --- The provider asks for a service's details to change; the council approves --------------
    change_requested(page)
    provider_context.close()

    council_context = new_context(chromium)
    page = council_context.new_page()
    log_in(page, base_url, administrator.email)
    change_approved(page)
    council_context.close()

    provider_context = new_context(chromium)
    page = provider_context.new_page()
    log_in(page, base_url, provider_user.email)
    change_seen(page)
    provider_context.close()
