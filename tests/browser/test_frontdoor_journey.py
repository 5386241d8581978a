"""The front door (issue 7) in a real browser: both outcomes, the urgent and out-of-area turns,
and the officers' side.

1. Likely eligible: a daughter asks for her mother, with no log-in, one question a page (a
   mistake first, a Back link once, a Change link on check your answers), sends, sees the
   reference and the reasons, tracks the request (asking for e-mail updates) and gives
   feedback.
2. May not be eligible: the result signposts local services; the list is e-mailed; an
   appointment at a hub is booked, confirmed from the e-mail's link and cancelled from the
   manage link; then an assessment is asked for, and the request reaches the officers' queue.
3. Urgent and outside the area: "Get help now" with 999, and a neighbouring council's postcode.
4. An officer triages a request (open, ask for information, which the person answers from
   the e-mailed link, accept with a new service user, record the referral as appropriate) and
   visits the figures, the directory and the hubs.

Every page visited, error pages too, is checked with axe (WCAG 2.2 AA) and for CSP or 404
errors in the console; at the end of each browser's visit there must have been no uncaught
JavaScript error and no console error but an error page's status. E-mails go through the
outbox (Notification rows) and Huey, which runs tasks at once in tests, to Django's test
mailbox; their links are written for SITE_URL, so the tests follow their paths on the live
server.
"""

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from playwright.sync_api import expect

from carebridge.core.permissions import Role
from carebridge.demo.frontdoor_directory_demo import directory_demo
from carebridge.demo.frontdoor_hubs_demo import hubs_demo
from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.choices import Asker, RequestStatus, Result, Route
from carebridge.frontdoor.directory.areas import neighbouring_area_create
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.models import Booking, BookingStatus, Feedback, FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import likely_answers, submit, unlikely_answers
from carebridge.notifications.models import Notification
from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from tests.browser.conftest import axe_check, console_errors, new_context
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
from tests.support import make_council, make_district, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "01632 960 100"
EMERGENCY = "Adult social care out of hours: 01632 960 999"
QUESTION_PATH = re.compile(r"/questions/(?P<slug>[a-z0-9-]+)/")
MAX_PAGES = 40  # more question pages than any journey has: a loop that never ends fails


# --- Set-up, through the product's services ------------------------------------------------------


def open_council(name: str = "") -> Council:
    """A council whose front door is open, with a district covering WB1 and WB2."""
    council = make_council(name)
    make_district(council, postcode_districts="WB1 WB2")
    services.front_door_settings_update(
        council=council, by=None, is_open=True, contact_phone=PHONE, emergency_contacts=EMERGENCY
    )
    return council


def local_path(url: str) -> str:
    """A link from an e-mail (written for SITE_URL) as a path for the live server."""
    assert url.startswith(django_settings.SITE_URL), url
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link_in(body: str, path_part: str) -> str:
    found = re.search(rf"https?://\S*{re.escape(path_part)}\S*", body)
    assert found, f"No link with {path_part} in:\n{body}"
    return found.group(0)


def browser_page(chromium: Any) -> tuple[Any, Any, list[str]]:
    """A fresh context's page, and the uncaught JavaScript errors seen on it."""
    context = new_context(chromium)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error} ({page.url})"))
    return context, page, errors


def assert_quiet(page: Any, page_errors: list[str]) -> None:
    """No uncaught JavaScript error, and nothing in the console but the browser's note of an
    error page's status (a form with a mistake answers 400)."""
    noise = re.compile(r"^Failed to load resource: the server responded with a status of 40[0-9]")
    logged = [error for error in console_errors(page) if not noise.match(error)]
    assert not page_errors, "Uncaught JavaScript errors:\n" + "\n".join(page_errors)
    assert not logged, "Console errors:\n" + "\n".join(logged)


# --- The question pages ---------------------------------------------------------------------------


def current_question(page: Any) -> questions.Question | None:
    match = QUESTION_PATH.search(urlsplit(page.url).path)
    if match is None:
        return None
    found = questions.by_slug(match["slug"])
    assert found is not None, f"No question for {page.url}"
    return found


def page_heading(question: questions.Question, answers: dict[str, Any]) -> str:
    """The page's h1 (and its field's label): the question, marked when it may be skipped."""
    return question.heading_for(answers) + ("" if question.required else " (optional)")


def fill_question(page: Any, question: questions.Question, answers: dict[str, Any]) -> None:
    """Answer one question page as a person would: by the labels they read."""
    value = answers[question.id]
    labels = {choice.value: choice.label for choice in question.choices_for(answers)}
    if question.kind == "radios":
        page.get_by_role("radio", name=labels[value], exact=True).check()
    elif question.kind == "checkboxes":
        for item in value:
            page.get_by_role("checkbox", name=labels[item], exact=True).check()
        for item, label in labels.items():
            box = page.get_by_role("checkbox", name=label, exact=True)
            if item in value:
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()
    elif question.kind == "date":
        group = page.get_by_role("group", name=page_heading(question, answers))
        day = date.fromisoformat(value) if value else None
        group.get_by_label("Day").fill(str(day.day) if day else "")
        group.get_by_label("Month").fill(str(day.month) if day else "")
        group.get_by_label("Year").fill(str(day.year) if day else "")
    else:
        page.get_by_label(page_heading(question, answers), exact=True).fill(value)


def answer_questions(page: Any, answers: dict[str, Any], *, until: str = "") -> int:
    """Answer each question page with axe on it, until check your answers (or the page of the
    question `until`, unanswered). The number of pages answered."""
    answered = 0
    while (question := current_question(page)) is not None and question.id != until:
        assert answered < MAX_PAGES, f"Still on question pages at {page.url}"
        expect(heading(page)).to_have_text(page_heading(question, answers))
        expect(page.locator(".govuk-caption-l")).to_have_text(question.section_for(answers))
        axe_check(page)
        fill_question(page, question, answers)
        page.get_by_role("button", name="Continue").click()
        answered += 1
    return answered


def start_questions(page: Any, base_url: str, council: Council) -> None:
    page.goto(f"{base_url}/care-and-support/{council.slug}/")
    expect(heading(page)).to_have_text("Ask for care and support")
    expect(page.locator("main")).to_contain_text("call 999 now")
    axe_check(page)
    page.get_by_role("button", name="Start now").click()
    expect(heading(page)).to_have_text("Who is asking?")


def open_reasons(page: Any, assessment: Assessment) -> None:
    """The result's "How we worked this out", opened: every reason the rules gave."""
    details = page.locator("details", has_text="How we worked this out")
    details.locator("summary").click()
    for reason in assessment.reasons:
        expect(details).to_contain_text(reason)
    assert assessment.reasons, "The rules gave no reasons"
    axe_check(page)


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

    # The figures: SVG charts, each with its table.
    menu_link(page, "Front-door figures").click()
    expect(heading(page)).to_have_text("Front-door dashboard")
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
