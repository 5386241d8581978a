"""The front door (issue 7) in a real browser, as the public use it: both outcomes, and the
urgent and out-of-area turns (the officers' side is in test_frontdoor_officer_journey.py).

1. Likely eligible: a daughter asks for her mother, with no log-in, one question a page (a
   mistake first, a Back link once, a Change link on check your answers), sends, sees the
   reference and the reasons, tracks the request (asking for e-mail updates) and gives
   feedback.
2. May not be eligible: the result signposts local services; the list is e-mailed; an
   appointment at a hub is booked, confirmed from the e-mail's link and cancelled from the
   manage link; then an assessment is asked for, and the request reaches the officers' queue.
3. Urgent and outside the area: "Get help now" with 999, and a neighbouring council's postcode.

Every page visited, error pages too, is checked with axe (WCAG 2.2 AA) and for CSP or 404
errors in the console; at the end of each browser's visit there must have been no uncaught
JavaScript error and no console error but an error page's status. E-mails go through the
outbox (Notification rows) and Huey, which runs tasks at once in tests, to Django's test
mailbox; their links are written for SITE_URL, so the tests follow their paths on the live
server.
"""

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from carebridge.core.permissions import Role
from carebridge.demo.frontdoor_directory_demo import directory_demo
from carebridge.demo.frontdoor_hubs_demo import hubs_demo
from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.choices import Asker, Result, Route
from carebridge.frontdoor.directory.areas import neighbouring_area_create
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.models import Booking, BookingStatus, Feedback, FrontDoorRequest
from carebridge.frontdoor.tests.support_requests import likely_answers, unlikely_answers
from carebridge.notifications.models import Notification
from tests.browser.conftest import axe_check
from tests.browser.frontdoor_support import (
    EMERGENCY,
    PHONE,
    answer_questions,
    assert_quiet,
    browser_page,
    fill_question,
    link_in,
    local_path,
    open_council,
    open_reasons,
    start_questions,
)
from tests.browser.pages import (
    error_summary,
    heading,
    log_in,
    menu_link,
    radio,
    success_banner,
    summary_value,
)
from tests.support import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- 1. Likely eligible -----------------------------------------------------------------------------


def test_likely_eligible_from_the_start_page_to_tracking_and_feedback(
    chromium: Any, live_server: Any
) -> None:
    base = live_server.url
    council = open_council("Thistlecombe Council")
    answers = likely_answers()
    context, page, page_errors = browser_page(chromium)

    start_questions(page, base, council)

    # A mistake first: Continue with nothing chosen.
    page.get_by_role("button", name="Continue").click()
    expect(error_summary(page)).to_contain_text("Select who is asking")
    axe_check(page)
    fill_question(page, questions.by_id("asker"), answers)
    page.get_by_role("button", name="Continue").click()

    # "What is this request about?", then Back to it from the next page.
    answer_questions(page, answers, until="urgent")
    expect(heading(page)).to_have_text(questions.by_id("urgent").heading_for(answers))
    page.get_by_role("link", name="Back").click()
    expect(heading(page)).to_have_text("What is this request about?")
    expect(page.get_by_role("radio", name="They need care and support")).to_be_checked()
    axe_check(page)
    page.get_by_role("button", name="Continue").click()

    answered = answer_questions(page, answers)
    assert answered > 20  # the urgent question onwards: every adult page and the contacts
    expect(heading(page)).to_have_text("Check your answers before sending")
    axe_check(page)
    expect(summary_value(page, "Who is asking")).to_have_text(Asker.FAMILY.label)
    expect(summary_value(page, "Full name")).to_have_text("Edith Marlowe")
    expect(summary_value(page, "Date of birth")).to_have_text("3 March 1941")

    # Change one answer and come back.
    page.get_by_role("link", name="Change your phone").click()
    expect(heading(page)).to_have_text("What is your phone number? (optional)")
    axe_check(page)
    page.get_by_label("What is your phone number? (optional)").fill("07700 900 982")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check your answers before sending")
    expect(summary_value(page, "Your phone")).to_have_text("07700 900 982")
    axe_check(page)

    page.get_by_role("button", name="Send and see the result").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Request sent")
    sent = FrontDoorRequest.objects.get(council=council)
    expect(panel).to_contain_text(sent.reference)
    assert sent.result == Result.LIKELY_ELIGIBLE
    assert sent.route == Route.QUEUE
    assert sent.asker_phone == "07700 900 982"
    expect(page.locator("main")).to_contain_text("likely to be eligible")
    axe_check(page)
    open_reasons(page, Assessment.from_json(sent.assessment))
    # The reference went to the asker's address, through the outbox.
    received = Notification.objects.get(to_email="rosa@example.org")
    assert sent.reference in received.body
    assert any(sent.reference in message.body for message in mail.outbox)

    # Track the request with its reference and the e-mail address.
    page.get_by_role("link", name="Track your request").click()
    expect(heading(page)).to_have_text("Track your request")
    axe_check(page)
    page.get_by_label("Reference").fill(sent.reference)
    page.get_by_label("E-mail address").fill("someone-else@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(error_summary(page)).to_contain_text("We could not find a request")
    axe_check(page)
    page.get_by_label("E-mail address").fill("rosa@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Your request for care and support")
    expect(summary_value(page, "Status")).to_have_text(sent.get_status_display())
    axe_check(page)
    page.get_by_role("button", name="E-mail me updates").click()
    expect(success_banner(page)).to_contain_text("We will e-mail rosa@example.org")
    axe_check(page)

    # Feedback: a mistake, then a rating.
    page.get_by_role("link", name="What did you think of this service?").click()
    expect(heading(page)).to_have_text("Give feedback on asking for care and support")
    axe_check(page)
    page.get_by_role("button", name="Send feedback").click()
    expect(error_summary(page)).to_contain_text("Select how you felt about this service")
    axe_check(page)
    radio(page, "Overall, how did you feel about this service?", "Satisfied").check()
    page.get_by_label("How could we improve this service? (optional)").fill("Clear questions.")
    page.get_by_role("button", name="Send feedback").click()
    expect(heading(page)).to_have_text("Thank you for your feedback")
    axe_check(page)
    feedback = Feedback.objects.get(council=council)
    assert (feedback.rating, feedback.request_id) == (4, sent.pk)
    assert_quiet(page, page_errors)
    context.close()


# --- 2. May not be eligible -------------------------------------------------------------------------


def test_may_not_be_eligible_signposting_a_hub_appointment_and_an_assessment(
    chromium: Any, live_server: Any
) -> None:
    base = live_server.url
    council = open_council("Thistlecombe Council")
    officer = make_user(council=council, role=Role.FRONT_DOOR_OFFICER)
    directory_demo(council)
    hubs = hubs_demo(council, by=officer)
    assert hubs
    answers = unlikely_answers(postcode="WB1 1AX", asker_email="rosa@example.org")
    context, page, page_errors = browser_page(chromium)

    start_questions(page, base, council)
    answer_questions(page, answers)
    expect(heading(page)).to_have_text("Check your answers before sending")
    axe_check(page)
    page.get_by_role("button", name="Send and see the result").click()

    expect(heading(page)).to_have_text(
        "The person may not be eligible for care and support from the council"
    )
    sent = FrontDoorRequest.objects.get(council=council)
    assert (sent.result, sent.route) == (Result.MAY_NOT_BE_ELIGIBLE, Route.SIGNPOSTED)
    # Services for the one need left unmet, nearest first: each card says how far away it is.
    first_card = page.locator(".govuk-summary-card").first
    expect(first_card).to_contain_text(SignpostNeed.NUTRITION.label)
    expect(first_card).to_contain_text("away")
    axe_check(page)
    open_reasons(page, Assessment.from_json(sent.assessment))
    result_url = page.url

    # The list, printable, and e-mailed.
    page.get_by_role("link", name="Print or e-mail this list").click()
    expect(heading(page)).to_have_text("Services that could help")
    axe_check(page)
    page.get_by_role("button", name="E-mail me this list").click()
    expect(error_summary(page)).to_be_visible()
    axe_check(page)
    page.get_by_label("Your e-mail address").fill("rosa@example.org")
    page.get_by_role("button", name="E-mail me this list").click()
    expect(success_banner(page)).to_contain_text("We have sent the list to rosa@example.org")
    axe_check(page)
    listed = Notification.objects.get(
        to_email="rosa@example.org", key__startswith="frontdoor-list:"
    )
    assert listed.sent_at is not None
    assert any(message.subject == listed.subject for message in mail.outbox)

    # An appointment at a hub: chosen, held, confirmed from the e-mail, cancelled.
    page.goto(result_url)
    page.get_by_role("link", name="Book an appointment").click()
    expect(heading(page)).to_have_text("Book an appointment at a local hub")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    expect(error_summary(page)).to_contain_text("Select the hub you would like to go to")
    axe_check(page)
    page.get_by_role("radio", name=hubs[1].name).check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Choose a time")
    axe_check(page)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Your details")
    axe_check(page)
    page.get_by_label("Full name").fill("Rosa Marlowe")
    page.get_by_label("E-mail address").fill("rosa@example.org")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check your answers before booking")
    expect(summary_value(page, "Hub")).to_contain_text(hubs[1].name)
    axe_check(page)
    page.get_by_role("button", name="Book appointment").click()
    expect(heading(page)).to_have_text("Check your e-mail")
    axe_check(page)
    booking = Booking.objects.get(email="rosa@example.org")
    assert booking.status == BookingStatus.HELD
    held = Notification.objects.get(key=f"frontdoor-booking:{booking.pk}:held")
    assert held.sent_at is not None

    page.goto(base + local_path(link_in(held.body, "/appointments/confirm/")))
    expect(heading(page)).to_have_text("Confirm your appointment")
    axe_check(page)
    page.get_by_role("button", name="Confirm appointment").click()
    expect(success_banner(page)).to_contain_text("Your appointment is booked")
    expect(heading(page)).to_have_text("Your appointment")
    axe_check(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    confirmed = Notification.objects.get(key=f"frontdoor-booking:{booking.pk}:confirmed")
    page.goto(base + local_path(link_in(confirmed.body, "/appointments/booking/")))
    expect(heading(page)).to_have_text("Your appointment")
    axe_check(page)
    page.get_by_role("button", name="Cancel appointment").click()
    expect(heading(page)).to_have_text("Are you sure you want to cancel your appointment?")
    axe_check(page)
    page.get_by_role("button", name="Cancel appointment").click()
    expect(success_banner(page)).to_contain_text("Your appointment has been cancelled")
    axe_check(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED

    # Ask for an assessment after all: the request goes to the officers' queue.
    page.goto(result_url)
    axe_check(page)
    page.get_by_role("button", name="Ask for an assessment").click()
    expect(success_banner(page)).to_contain_text(
        f"You have asked for an assessment. Your reference is {sent.reference}."
    )
    expect(page.locator(".govuk-panel--confirmation")).to_contain_text("Request sent")
    expect(page.locator("main")).to_contain_text("You asked for an assessment.")
    axe_check(page)
    sent.refresh_from_db()
    assert sent.assessment_requested
    assert sent.route == Route.QUEUE
    assert_quiet(page, page_errors)
    context.close()

    context, page, page_errors = browser_page(chromium)
    log_in(page, base, officer.email)
    menu_link(page, "Front door").click()
    expect(heading(page)).to_have_text("Front-door requests")
    row = page.get_by_role("row", name=re.compile(sent.reference))
    expect(row).to_contain_text("Asked for an assessment")
    axe_check(page)
    assert_quiet(page, page_errors)
    context.close()


# --- 3. Urgent, and outside the area -------------------------------------------------------------


def test_urgent_help_and_a_postcode_outside_the_area(chromium: Any, live_server: Any) -> None:
    base = live_server.url
    council = open_council()
    neighbour = neighbouring_area_create(
        council=council,
        by=None,
        name="Corvedge District Council",
        postcode_districts="WB7 WB8",
        website="https://www.corvedge.example.org/adult-social-care",
        phone="01632 960200",
    )
    answers = likely_answers(urgent=["danger"], postcode="WB7 1AA")
    context, page, page_errors = browser_page(chromium)

    start_questions(page, base, council)
    answer_questions(page, answers, until="urgent")
    fill_question(page, questions.by_id("urgent"), answers)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Get help now")
    contacts = page.locator("main")
    expect(contacts).to_contain_text("Emergency services: 999")
    expect(contacts).to_contain_text(EMERGENCY)
    expect(contacts).to_contain_text(PHONE)
    axe_check(page)

    page.get_by_role("link", name="Carry on with the request").click()
    expect(heading(page)).to_have_text("What is their postcode?")
    axe_check(page)
    page.get_by_label("What is their postcode?").fill("wb7 1aa")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text(f"{neighbour.name} looks after WB7 1AA")
    expect(page.get_by_role("link", name=f"{neighbour.name} adult social care")).to_have_attribute(
        "href", neighbour.website
    )
    expect(page.locator("main")).to_contain_text(neighbour.phone)
    axe_check(page)

    # The "Get help now" page every question page links to.
    page.get_by_role("link", name="Back").click()
    expect(heading(page)).to_have_text("What is their postcode?")
    page.get_by_role("link", name="Get help now if someone is in danger").click()
    expect(heading(page)).to_have_text("Get help now")
    expect(page.locator("main")).to_contain_text("999")
    axe_check(page)
    assert_quiet(page, page_errors)
    context.close()
