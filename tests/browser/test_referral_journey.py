"""A referral's whole life, in a real browser: the council sends it, the provider answers it.

A broker sends two referrals (one for a known service user, one for a new person whose postcode
is outside the chosen district); provider A accepts the first, delays its start, sends the
provider update and the visit actuals; provider B refuses the second; the broker sees the
answers. On the way provider A's pending list refreshes itself through htmx, with no reload.

Every page visited, error pages too, is checked with axe (WCAG 2.2 AA) and for CSP or 404
errors in the console. The live server runs in real time, so dates are relative to now; the
provider update and the visit actuals come after the first visit, a week on the server's clock.
"""

import re
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from playwright.sync_api import expect

from carebridge.core.calendar import now, to_london
from carebridge.core.formats import guide_datetime
from carebridge.core.permissions import Role
from carebridge.people import services as people
from carebridge.referrals.models import Referral
from tests.browser.conftest import assert_no_csp_or_404_errors, axe_check, new_context
from tests.browser.pages import (
    error_summary,
    fill_date,
    heading,
    log_in,
    menu_link,
    radio,
    success_banner,
    summary_value,
)
from tests.support import (
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URGENCY_LABELS = re.compile(r"^(In time|Due soon|Missed)$")
VISIT_ACTUALS_REFUSAL = (
    "The selected referral is currently in the state Accepted, but needs to be in the state "
    "Updated in order for actuals to be sent."
)
REFUSAL_DETAILS = "The family have arranged care with a neighbour's agency."


# --- Helpers ---------------------------------------------------------------------------------


def fill_referral_details(page: Any, *, district: str, provider: str, start: date) -> None:
    """The sections of the referral form after the person's own details."""
    page.get_by_label("District", exact=True).select_option(label=district)
    page.get_by_label("Provider", exact=True).select_option(label=provider)
    fill_date(page, "Requested service start date", start)
    radio(page, "Consent to share information", "Yes").check()
    page.get_by_label("Summary of needs / support required").fill(
        "Help to wash, dress and prepare meals."
    )
    radio(page, "Carers required", "1").check()
    radio(page, "Approximately how many visits per day will be required?", "3").check()
    page.get_by_label("Worker team").fill("Hospital discharge team")


# --- The journey ---------------------------------------------------------------------------


def test_a_referral_from_the_broker_to_the_end_of_the_service(
    chromium: Any, live_server: Any
) -> None:
    base = live_server.url
    today = to_london(now()).date()

    # 1. Set-up, through the product's services.
    council = make_council("Nottinghamshire County Council")
    newark = make_district(council, "Newark and Sherwood", postcode_districts="NG21 NG22")
    make_district(council, "Bassetlaw", postcode_districts="S80 S81")
    provider_a = make_provider("Acorn Homecare")
    provider_b = make_provider("Birchwood Care")
    make_contract(council, provider_a)
    make_contract(council, provider_b)
    broker = make_user(council=council, role=Role.BROKER)
    user_a = make_user(provider=provider_a, role=Role.SUPER_USER_ACTUALS)
    user_b = make_user(provider=provider_b, role=Role.SUPER_USER_ACTUALS)
    edith = people.service_user_create(
        council=council,
        by=None,
        ss_ref="SS100001",
        first_name="Edith",
        last_name="Marsh",
        date_of_birth=date(1938, 6, 14),
        address_line_1="12 Castle Gate",
        town="Newark",
        postcode="NG22 9TE",
        district=newark,
    )

    broker_context = new_context(chromium)
    provider_a_context = new_context(chromium)
    # Fake timers (time still flows), so the pending list's 30-second poll can be hurried on.
    provider_a_context.clock.install()
    provider_b_context = new_context(chromium)
    try:
        # 2. The broker sends a referral for Edith, and one for a new person.
        page = broker_context.new_page()
        log_in(page, base, broker.email)
        menu_link(page, "Referrals").click()
        expect(heading(page)).to_have_text("Referrals")
        axe_check(page)
        page.get_by_role("button", name="Send a new referral").click()
        expect(heading(page)).to_have_text("Send a referral")
        axe_check(page)

        page.get_by_role("button", name="Send referral").click()
        summary = error_summary(page)
        expect(summary).to_contain_text("Choose the provider")
        expect(summary).to_contain_text("Enter the summary of needs and the support required")
        axe_check(page)

        page.get_by_label("SS Ref of an existing service user").fill(edith.ss_ref)
        fill_referral_details(
            page, district=newark.name, provider=provider_a.name, start=today + timedelta(days=1)
        )
        page.get_by_role("radio", name="Hospital", exact=True).check()
        page.get_by_role("textbox", name="Hospital", exact=True).fill("Kings Mill")
        page.get_by_label("Ward", exact=True).fill("Ward 12")
        page.get_by_role("button", name="Send referral").click()

        first = Referral.objects.get(service_user=edith)
        respond_by = guide_datetime(first.respond_by)
        expect(heading(page)).to_have_text("Edith Marsh")
        expect(page).to_have_url(f"{base}/referrals/{first.pk}/")
        expect(success_banner(page)).to_contain_text(
            f"Referral sent to {provider_a.name}. They must reply by {respond_by}."
        )
        expect(summary_value(page, "Respond by")).to_contain_text(respond_by)
        axe_check(page)

        menu_link(page, "Referrals").click()
        page.get_by_role("button", name="Send a new referral").click()
        expect(heading(page)).to_have_text("Send a referral")
        axe_check(page)
        page.get_by_label("First name").fill("Arthur")
        page.get_by_label("Last name").fill("Penrose")
        fill_date(page, "Date of birth", date(1945, 2, 3))
        page.get_by_label("SS Ref", exact=True).fill("SS200002")
        page.get_by_label("Address line 1").fill("3 Carlton Road")
        page.get_by_label("Town or city (optional)").fill("Worksop")
        page.get_by_label("Postcode").fill("s80 2ab")
        fill_referral_details(
            page, district=newark.name, provider=provider_b.name, start=today + timedelta(days=2)
        )
        page.get_by_role("radio", name="District team", exact=True).check()
        page.get_by_role("textbox", name="District team", exact=True).fill("Worksop North")
        page.get_by_role("button", name="Send referral").click()

        warning = page.locator("#postcode-warning")
        expect(warning).to_contain_text(
            "The postcode S80 2AB is not in the Newark and Sherwood district, which covers "
            "NG21, NG22."
        )
        assert not Referral.objects.filter(provider=provider_b).exists()
        axe_check(page)
        page.get_by_label("The address and district are right: send anyway").check()
        page.get_by_role("button", name="Send referral").first.click()

        second = Referral.objects.get(provider=provider_b)
        expect(heading(page)).to_have_text("Arthur Penrose")
        expect(success_banner(page)).to_contain_text(f"Referral sent to {provider_b.name}.")
        assert second.service_user.postcode == "S80 2AB"
        assert second.district == newark
        axe_check(page)

        # 3. Provider A: the pending list, which refreshes itself, then the whole service.
        page_a = provider_a_context.new_page()
        log_in(page_a, base, user_a.email)
        menu_link(page_a, "Pending referrals").click()
        expect(heading(page_a)).to_have_text("Pending referrals")
        pending = page_a.locator("#pending-referrals")
        expect(pending.get_by_role("heading", level=2)).to_have_text("1 pending referral")
        row = pending.get_by_role("row").filter(has_text="Edith Marsh")
        expect(row.locator(".govuk-tag")).to_have_text(URGENCY_LABELS)
        expect(row).to_contain_text(f"Respond by {respond_by}")
        expect(pending).not_to_contain_text("Arthur Penrose")  # provider B's
        axe_check(page_a)

        # A referral arrives while the page is open: the poll shows it without a reload.
        third = make_referral(council, provider_a, by=broker, district=newark)
        newcomer = third.service_user.full_name
        address = page_a.url
        page_a.evaluate("window.notReloaded = true")
        with page_a.expect_request(
            lambda request: request.headers.get("hx-request") == "true"
        ) as poll:
            page_a.clock.fast_forward("00:31")
        assert poll.value.url == address
        expect(pending.get_by_role("heading", level=2)).to_have_text("2 pending referrals")
        expect(pending.get_by_role("row").filter(has_text=newcomer)).to_be_visible()
        assert page_a.url == address
        assert page_a.evaluate("window.notReloaded === true"), "The page was reloaded"
        assert_no_csp_or_404_errors(page_a)  # the htmx request and swap broke no CSP rule
        axe_check(page_a)

        page_a.get_by_label("Search this list").fill("Marsh")
        page_a.get_by_role("button", name="Apply filters").click()
        expect(page_a).to_have_url(re.compile(r"[?&]q=Marsh(&|$)"))
        expect(pending.get_by_role("heading", level=2)).to_have_text("1 pending referral")
        expect(pending).not_to_contain_text(newcomer)
        axe_check(page_a)
        pending.get_by_role("link", name="Details of Edith Marsh").click()

        expect(heading(page_a)).to_have_text("Edith Marsh")
        axe_check(page_a)
        jump_to = page_a.get_by_role("navigation", name="Jump to…")
        jump_to.get_by_role("link", name="Requirements").click()
        expect(page_a).to_have_url(f"{base}/referrals/{first.pk}/#requirements")
        expect(page_a.get_by_role("heading", name="Requirements", exact=True)).to_be_in_viewport()
        page_a.get_by_role("button", name="Accept this request").first.click()

        expect(heading(page_a)).to_have_text("Accept care referral")
        axe_check(page_a)
        visit_day = today + timedelta(days=3)
        fill_date(page_a, "Date of 1st visit", visit_day)
        page_a.get_by_label("Time of 1st visit").fill("10:00")
        page_a.get_by_role("button", name="Accept this request").click()
        expect(page_a.locator(".govuk-warning-text")).to_contain_text(
            "The first visit is more than 48 hours away."
        )
        axe_check(page_a)
        page_a.get_by_label("I confirm the first visit is agreed for this date").check()
        page_a.get_by_role("button", name="Accept this request").click()

        expect(heading(page_a)).to_have_text("Edith Marsh")
        expect(success_banner(page_a)).to_contain_text(
            "Referral accepted. Edith Marsh is now one of your existing service users"
        )
        axe_check(page_a)

        menu_link(page_a, "Existing service users").click()
        expect(heading(page_a)).to_have_text("Existing service users")
        row = page_a.get_by_role("row").filter(has_text="Edith Marsh")
        expect(row).to_contain_text("First visit booked")
        axe_check(page_a)
        row.get_by_role("link", name="Details of Edith Marsh").click()
        expect(heading(page_a)).to_have_text("Edith Marsh")
        axe_check(page_a)

        page_a.get_by_role("button", name="Service start delay").click()
        expect(heading(page_a)).to_have_text("Service start delay")
        axe_check(page_a)
        fill_date(page_a, "New date of 1st visit", today + timedelta(days=5))
        page_a.get_by_label("New time of 1st visit").fill("11:30")
        page_a.get_by_role("button", name="Delay the start of this service").click()
        expect(success_banner(page_a)).to_contain_text("The start of this service is delayed to")
        expect(summary_value(page_a, "Service start delays")).to_have_text("1 of 2 allowed")
        axe_check(page_a)

        page_a.get_by_role("button", name="Visit actuals").click()
        expect(heading(page_a)).to_have_text("Submit visit actuals")
        expect(page_a.get_by_role("region", name="Important")).to_contain_text(
            VISIT_ACTUALS_REFUSAL
        )
        expect(page_a.get_by_role("button", name="Submit visit actuals")).to_have_count(0)
        axe_check(page_a)
        page_a.get_by_role("link", name="Go back to referral details").first.click()

        # The update and the actuals come after the first visit, now days away: the rest of
        # provider A's part happens a week later on the server's clock (the log-in has expired).
        a_week_later = now() + timedelta(days=7)
        today = to_london(a_week_later).date()
        with mock.patch("django.utils.timezone.now", return_value=a_week_later):
            log_in(page_a, base, user_a.email)
            page_a.goto(f"{base}/referrals/{first.pk}/")
            page_a.get_by_role("button", name="Provider update").click()
            expect(heading(page_a)).to_have_text("Provider update")
            axe_check(page_a)
            fill_date(page_a, "Start date", today)  # the service has started: not in the future
            radio(page_a, "Was the service terminated within 72 hours?", "No").check()
            radio(page_a, "Have there been any changes to the needs / package?", "No").check()
            page_a.get_by_role("button", name="Submit provider update").click()
            expect(success_banner(page_a)).to_contain_text(
                "Provider update submitted for Edith Marsh"
            )
            expect(summary_value(page_a, "Current status")).to_have_text("Awaiting actuals")
            axe_check(page_a)

            page_a.get_by_role("button", name="Visit actuals").click()
            expect(heading(page_a)).to_have_text("Submit visit actuals")
            axe_check(page_a)
            fill_date(page_a, "End date", today + timedelta(days=1))
            page_a.get_by_label("Total number of visits delivered").fill("3")
            page_a.get_by_label("Total number of hours delivered").fill("2.3")
            page_a.get_by_label("Number of carers on commencement of service").fill("1")
            page_a.get_by_label("Number of carers at end of service").fill("1")
            page_a.get_by_role("button", name="Submit visit actuals").click()
            summary = error_summary(page_a)
            expect(summary).to_contain_text("The end date cannot be in the future")
            expect(summary).to_contain_text("Enter the hours delivered in quarter hours")
            axe_check(page_a)
            fill_date(page_a, "End date", today)
            page_a.get_by_label("Total number of hours delivered").fill("2.5")
            page_a.get_by_role("button", name="Submit visit actuals").click()

            expect(heading(page_a)).to_have_text("Existing service users")
            expect(success_banner(page_a)).to_contain_text(
                "Visit actuals submitted for Edith Marsh"
            )
            expect(page_a.locator("#existing-service-users")).not_to_contain_text("Edith Marsh")
            axe_check(page_a)

            page_a.goto(f"{base}/referrals/{first.pk}/")
            expect(summary_value(page_a, "Current status")).to_have_text("Completed")
            axe_check(page_a)
            page_a.get_by_role("link", name="View update log").click()
            expect(heading(page_a)).to_have_text("Update log for: Edith Marsh")
            expect(page_a.locator("main ol > li h2")).to_have_text(
                [
                    "Visit actuals submitted",
                    "Provider update submitted",
                    "Service start delayed",
                    "Referral accepted",
                    "Referral added to the system",
                ]
            )
            axe_check(page_a)

        # 4. Provider B refuses the referral for the new person.
        page_b = provider_b_context.new_page()
        log_in(page_b, base, user_b.email)
        menu_link(page_b, "Pending referrals").click()
        expect(heading(page_b)).to_have_text("Pending referrals")
        axe_check(page_b)
        page_b.get_by_role("link", name="Details of Arthur Penrose").click()
        expect(heading(page_b)).to_have_text("Arthur Penrose")
        axe_check(page_b)
        page_b.get_by_role("button", name="Refuse this request").first.click()
        expect(heading(page_b)).to_have_text("Reason for refusing this referral")
        axe_check(page_b)
        radio(page_b, "Reason for refusal", "Other").check()
        page_b.get_by_role("button", name="Refuse this referral").click()
        summary = error_summary(page_b)
        details = page_b.get_by_label("Details about this refusal")
        expect(summary.get_by_role("link")).to_have_text(
            ["Give the reason for refusing this referral"]
        )
        expect(details).to_have_attribute("aria-invalid", "true")
        expect(details).to_have_accessible_description(
            re.compile("Give the reason for refusing this referral")
        )
        axe_check(page_b)
        summary.get_by_role("link").click()
        expect(details).to_be_focused()
        details.fill(REFUSAL_DETAILS)
        page_b.get_by_role("button", name="Refuse this referral").click()
        expect(heading(page_b)).to_have_text("Pending referrals")
        expect(success_banner(page_b)).to_contain_text("Referral refused. Arthur Penrose")
        expect(page_b.locator("#pending-referrals")).not_to_contain_text("Arthur Penrose")
        axe_check(page_b)

        # 5. The broker sees the providers' answers.
        menu_link(page, "Referrals").click()
        expect(heading(page)).to_have_text("Referrals")
        axe_check(page)
        page.get_by_label("State", exact=True).select_option(label="Refused")
        page.get_by_role("button", name="Show referrals").click()
        expect(page).to_have_url(re.compile(r"[?&]state=refused(&|$)"))
        table = page.get_by_role("table")
        expect(table.locator("caption")).to_have_text("1 referral")
        expect(table).to_contain_text(provider_b.name)
        axe_check(page)
        table.get_by_role("link", name="Details of the referral for Arthur Penrose").click()
        expect(heading(page)).to_have_text("Arthur Penrose")
        expect(summary_value(page, "Reason for refusal")).to_have_text("Other")
        expect(summary_value(page, "Details about this refusal")).to_have_text(REFUSAL_DETAILS)
        axe_check(page)
        page.get_by_role("link", name="View update log").click()
        expect(page.locator("main ol > li h2")).to_have_text(
            ["Referral refused", "Referral added to the system"]
        )
        page.get_by_text("See details").first.click()
        expect(summary_value(page, "Details about this refusal")).to_have_text(REFUSAL_DETAILS)
        axe_check(page)

        menu_link(page, "Referrals").click()
        page.get_by_label("State", exact=True).select_option(label="Completed")
        page.get_by_role("button", name="Show referrals").click()
        table = page.get_by_role("table")
        expect(table.locator("caption")).to_have_text("1 referral")
        axe_check(page)
        table.get_by_role("link", name="Details of the referral for Edith Marsh").click()
        expect(heading(page)).to_have_text("Edith Marsh")
        expect(
            page.get_by_role("heading", name=re.compile("^Visit actuals, submitted"))
        ).to_be_visible()
        expect(summary_value(page, "Total number of hours delivered")).to_have_text("2.50")
        axe_check(page)
        page.get_by_role("link", name="View update log").click()
        expect(page.locator("main ol > li h2")).to_have_count(5)
        axe_check(page)
        for context_page in (page, page_a, page_b):
            assert_no_csp_or_404_errors(context_page)
    finally:
        for context in (broker_context, provider_a_context, provider_b_context):
            context.close()
