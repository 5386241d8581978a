"""The front door (issue 7) in a real browser, the officers' side.

An officer triages a request (open, ask for information, which the person answers from
the e-mailed link, accept with a new service user, record the referral as appropriate) and
visits the figures, the directory and the hubs.

Every page visited, error pages too, is checked with axe (WCAG 2.2 AA) and for CSP or 404
errors in the console; at the end of each browser's visit there must have been no uncaught
JavaScript error and no console error but an error page's status. E-mails go through the
outbox (Notification rows) and Huey, which runs tasks at once in tests, to Django's test
mailbox; their links are written for SITE_URL, so the tests follow their paths on the live
server.
"""

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from carebridge.core.permissions import Role
from carebridge.demo.frontdoor_directory_demo import directory_demo
from carebridge.demo.frontdoor_hubs_demo import hubs_demo
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import likely_answers, submit, unlikely_answers
from carebridge.notifications.models import Notification
from carebridge.people.models import ServiceUser
from tests.browser.conftest import axe_check
from tests.browser.frontdoor_support import (
    EMERGENCY,
    assert_quiet,
    browser_page,
    link_in,
    local_path,
    open_council,
)
from tests.browser.pages import (
    error_summary,
    fill_date,
    heading,
    log_in,
    menu_link,
    radio,
    success_banner,
)
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- 4. An officer triages a request ---------------------------------------------------------------


def test_an_officer_triages_a_request_and_sees_the_figures_directory_and_hubs(
    chromium: Any, live_server: Any
) -> None:
    base = live_server.url
    council = open_council("Thistlecombe Council")
    officer = make_user(council=council, role=Role.FRONT_DOOR_OFFICER)
    directory_demo(council)
    fdr = submit(council, likely_answers())
    submit(council, unlikely_answers(person_name="Arthur Quill"))
    hubs = hubs_demo(council, by=officer)
    context, page, page_errors = browser_page(chromium)
    log_in(page, base, officer.email)

    menu_link(page, "Front door").click()
    expect(heading(page)).to_have_text("Front-door requests")
    axe_check(page)
    page.get_by_role("link", name=fdr.reference).click()
    expect(heading(page)).to_contain_text(fdr.reference)
    expect(page.locator("main")).to_contain_text("Edith Marlowe")
    axe_check(page)

    page.get_by_role("link", name="Start looking at this request").click()
    expect(heading(page)).to_have_text("Start looking at this request")
    axe_check(page)
    page.get_by_role("button", name="Start looking at it").click()
    expect(success_banner(page)).to_contain_text("You are looking at this request")
    axe_check(page)

    page.get_by_role("link", name="Ask for more information").click()
    expect(heading(page)).to_have_text("Ask for more information")
    axe_check(page)
    page.get_by_role("button", name="Send the question").click()
    expect(error_summary(page)).to_contain_text("Enter what you need to know")
    axe_check(page)
    page.get_by_label("What do you need to know?").fill("Does Edith live alone?")
    page.get_by_role("button", name="Send the question").click()
    expect(success_banner(page)).to_contain_text("Your question was sent to the person.")
    axe_check(page)
    fdr.refresh_from_db()
    assert fdr.status == RequestStatus.MORE_INFORMATION

    # The person answers on the page the e-mail links to, in a browser of their own.
    asked = Notification.objects.get(key__startswith=f"front-door-{fdr.pk}-information-")
    assert asked.to_email == "rosa@example.org"
    public, public_page, public_errors = browser_page(chromium)
    public_page.goto(base + local_path(link_in(asked.body, "/track/link/")))
    expect(heading(public_page)).to_have_text("Your request for care and support")
    expect(public_page.locator(".govuk-inset-text")).to_have_text("Does Edith live alone?")
    axe_check(public_page)
    public_page.get_by_role("button", name="Send your answer").click()
    expect(error_summary(public_page)).to_contain_text("Enter the information the council asked")
    axe_check(public_page)
    public_page.get_by_label("Your answer").fill("Yes, since my father died last year.")
    public_page.get_by_role("button", name="Send your answer").click()
    expect(success_banner(public_page)).to_contain_text("Thank you: the council has your answer.")
    axe_check(public_page)
    assert_quiet(public_page, public_errors)
    public.close()
    page.reload()
    expect(page.locator("main")).to_contain_text("Yes, since my father died last year.")
    axe_check(page)

    page.get_by_role("link", name="Accept for assessment").click()
    expect(heading(page)).to_have_text("Accept for assessment")
    axe_check(page)
    radio(page, "Who is this?", "Someone new to the council's records").check()
    page.get_by_role("button", name="Accept for assessment").click()
    expect(error_summary(page)).to_contain_text("Enter the SS Ref")
    axe_check(page)
    page.get_by_label("SS Ref").fill("SS900123")
    page.get_by_label("First name").fill("Edith")
    page.get_by_label("Last name").fill("Marlowe")
    fill_date(page, "Date of birth", date(1941, 3, 3))
    page.get_by_label("Message to the person (optional)").fill("An assessor will call this week.")
    page.get_by_role("button", name="Accept for assessment").click()
    expect(success_banner(page)).to_contain_text("Accepted for assessment.")
    axe_check(page)
    fdr.refresh_from_db()
    assert fdr.status == RequestStatus.ASSESSMENT
    assert ServiceUser.objects.filter(council=council, ss_ref="SS900123").exists()

    page.get_by_role("link", name="Record whether the referral was appropriate").click()
    expect(heading(page)).to_have_text("Record whether the referral was appropriate")
    axe_check(page)
    radio(
        page, "Was sending this request to the council appropriate?", "Yes, an appropriate referral"
    ).check()
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text("Saved.")
    axe_check(page)
    fdr.refresh_from_db()
    assert fdr.appropriate is True

    # The figures (a report now): the SVG chart, with its table.
    menu_link(page, "Front-door figures").click()
    expect(heading(page)).to_have_text("Front-door requests per week")
    expect(page.locator("main svg").first).to_be_visible()
    expect(page.locator("main table").first).to_be_visible()
    axe_check(page)

    # The directory, a service, and the taxonomy mapping.
    menu_link(page, "Directory").click()
    expect(heading(page)).to_contain_text("Directory")
    axe_check(page)
    first_service = page.locator("main table tbody a").first
    name = first_service.inner_text()
    first_service.click()
    expect(heading(page)).to_have_text(name)
    axe_check(page)
    menu_link(page, "Directory").click()
    page.get_by_role("navigation", name="Directory").get_by_role(
        "link", name="Taxonomy mapping"
    ).click()
    expect(heading(page)).to_contain_text("mapping")
    axe_check(page)

    # The hubs, and a hub's week.
    menu_link(page, "Hubs").click()
    expect(heading(page)).to_have_text("Hubs")
    axe_check(page)
    page.get_by_role("link", name=hubs[0].name).click()
    expect(heading(page)).to_contain_text(hubs[0].name)
    axe_check(page)

    # The feedback people gave, filtered, with its export.
    services.feedback_give(
        council=council, rating=2, comment="The washing questions were hard to follow", request=fdr
    )
    menu_link(page, "Feedback").click()
    expect(heading(page)).to_have_text("Feedback on the front door")
    expect(page.locator("main table")).to_contain_text("The washing questions were hard to follow")
    expect(page.locator("main table")).to_contain_text(fdr.reference)
    axe_check(page)
    page.get_by_label("Rating").select_option("5")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("No feedback matches.")
    axe_check(page)

    # The settings: the out-of-hours team; closing the front door is its own, confirmed step.
    menu_link(page, "Front door").click()
    page.get_by_role("link", name="Front-door settings").click()
    expect(heading(page)).to_have_text("Front-door settings")
    axe_check(page)
    page.get_by_label("Out-of-hours emergency duty team").fill("Emergency duty team: 01632 960 909")
    page.get_by_role("button", name="Save").click()
    expect(success_banner(page)).to_contain_text("The front-door settings are saved.")
    axe_check(page)
    page.get_by_role("link", name="Close the front door").click()
    expect(heading(page)).to_have_text("Close the front door to the public?")
    axe_check(page)
    page.get_by_role("button", name="Close the front door").click()
    expect(error_summary(page)).to_contain_text("Confirm that you mean to do this")
    axe_check(page)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Close the front door").click()
    expect(success_banner(page)).to_contain_text("The front door is closed")
    axe_check(page)
    settings_row = council.front_door_settings
    settings_row.refresh_from_db()
    assert not settings_row.is_open
    assert settings_row.out_of_hours_contact == "Emergency duty team: 01632 960 909"
    assert settings_row.emergency_contacts == EMERGENCY
    assert_quiet(page, page_errors)
    context.close()
