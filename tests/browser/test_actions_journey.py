"""An action from a provider's question to the council's closing it, in a real browser, and a
care plan sent by the council with its PDF.

The provider raises a payment query about a client (a mistake first: the error summary), with
a PDF attached; the payments officer finds it in the team's inbox, downloads the attachment and
replies, which hands it back to the provider; the header tells the provider an action is
waiting; the provider requests closure; the council closes it, and it leaves the inbox but is
found with "Open actions only" unticked. The brokerage team sends a new care plan with its PDF,
which the provider downloads.

Every page visited is checked with axe (WCAG 2.2 AA) and for CSP or 404 errors in the console.
"""

from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action
from carebridge.actions.tests.conftest import TINY_PDF, World, build_world, in_days
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import error_summary, fill_date, heading, log_in, menu_link, success_banner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Payment for the visit on 16/12 missing"


def _new_payment_query(page: Any, data: World, tmp_path: Any) -> None:
    menu_link(page, "Actions").click()
    expect(heading(page)).to_have_text("Actions")
    axe_check(page)
    page.get_by_role("button", name="New action").or_(
        page.get_by_role("link", name="New action")
    ).click()
    expect(heading(page)).to_have_text("New action")
    axe_check(page)
    page.get_by_role("button", name="Create action").click()
    expect(error_summary(page)).to_contain_text("Choose the type of action")
    axe_check(page)
    page.get_by_label("Type").select_option(label=f"Payment Query ({data.catalogue.payments.name})")
    page.get_by_label("Related to").select_option(value=RelatedKind.CLIENT)
    # htmx swaps in the clients alone.
    expect(page.locator("#id_entity optgroup")).to_have_count(1)
    page.get_by_label("Entity").select_option(value=f"client:{data.person.pk}")
    fill_date(page, "Due date", in_days(7))
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Text").fill("We have not received payment for the visit on 16/12.")
    attachment = tmp_path / "timesheet.pdf"
    attachment.write_bytes(TINY_PDF)
    page.get_by_label("Attachments (optional)").set_input_files(str(attachment))
    page.get_by_role("button", name="Create action").click()
    expect(heading(page)).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text(data.catalogue.payments.name)
    axe_check(page)


def test_an_action_from_question_to_closure_and_a_care_plan_sent(
    chromium: Any,
    live_server: Any,
    tmp_path: Any,
) -> None:
    world = build_world()
    base_url = live_server.url

    # --- The provider raises a payment query -------------------------------------------------
    provider_context = new_context(chromium, accept_downloads=True)
    page = provider_context.new_page()
    log_in(page, base_url, world.carer.email)
    _new_payment_query(page, world, tmp_path)
    action = Action.objects.get(title=TITLE)
    assert action.assigned_team == world.catalogue.payments
    provider_context.close()

    # --- The payments officer answers it -------------------------------------------------------
    council_context = new_context(chromium, accept_downloads=True)
    page = council_context.new_page()
    log_in(page, base_url, world.payments_officer.email)
    menu_link(page, "Actions").click()
    expect(page.locator("main")).to_contain_text(TITLE)
    axe_check(page)
    page.get_by_role("link", name=TITLE).click()
    expect(heading(page)).to_contain_text(TITLE)
    with page.expect_download() as download:
        page.get_by_role("link", name="timesheet.pdf").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.get_by_label("Comment").fill("Please amend the actual for that week.")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator("main")).to_contain_text("Please amend the actual for that week.")
    axe_check(page)
    action.refresh_from_db()
    assert action.assigned_team is None  # back with the provider
    council_context.close()

    # --- The provider sees it waiting and requests closure ---------------------------------------
    provider_context = new_context(chromium)
    page = provider_context.new_page()
    log_in(page, base_url, world.carer.email)
    expect(page.locator("header")).to_contain_text("1 action waiting")
    menu_link(page, "Actions").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Comment").fill("Done, thank you.")
    page.get_by_role("button", name="Request closure").click()
    expect(page.locator("main")).to_contain_text("Done, thank you.")
    axe_check(page)
    provider_context.close()

    # --- The council closes it; it leaves the inbox ---------------------------------------------
    council_context = new_context(chromium)
    page = council_context.new_page()
    log_in(page, base_url, world.payments_officer.email)
    menu_link(page, "Actions").click()
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Close").click()
    axe_check(page)
    action.refresh_from_db()
    assert not action.is_open
    menu_link(page, "Actions").click()
    expect(page.locator("main")).not_to_contain_text(TITLE)
    page.get_by_label("Open actions only").uncheck()
    page.get_by_role("button", name="View").click()
    expect(page.locator("main")).to_contain_text(TITLE)
    axe_check(page)
    council_context.close()

    # --- The brokerage team sends a care plan; the provider downloads it ------------------------
    from carebridge.actions import services
    from carebridge.actions.tests.conftest import pdf

    services.action_create(
        by=world.broker,
        new=services.NewAction(
            council=world.council,
            provider=world.provider,
            action_type=world.catalogue.new_care_plan,
            related_kind=RelatedKind.SERVICE,
            related_id=world.service.pk,
            due_date=in_days(5),
            team=None,
            title="Support plan and schedule",
            text="Please find attached.",
        ),
        files=[pdf("support-plan.pdf")],
    )
    provider_context = new_context(chromium, accept_downloads=True)
    page = provider_context.new_page()
    log_in(page, base_url, world.carer.email)
    menu_link(page, "Actions").click()
    page.get_by_role("link", name="Support plan and schedule").click()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="support-plan.pdf").click()
    assert download.value.suggested_filename == "support-plan.pdf"
    page.get_by_label("Comment").fill("Received.")
    page.get_by_role("button", name="Request closure").click()
    expect(success_banner(page)).to_be_visible()
    axe_check(page)

    # --- The provider chooses a daily summary of actions ---------------------------------------
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Choose your e-mail notifications").click()
    axe_check(page)
    page.get_by_label("Actions", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text("Your e-mail notifications have been saved.")
    axe_check(page)
    provider_context.close()
