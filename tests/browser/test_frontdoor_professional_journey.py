"""The professionals' front door (issue 24) in a real browser: a GP practice refers with an NHS
number that fills in the person's details, the request lands with the right team and its due
time, and an officer moves it to another team with a reason.

1. A practice nurse chooses the professional journey, confirms her nhs.net work e-mail with the
   code from the e-mail, gives the simulator's ordinary patient's NHS number and date of birth,
   finds the name, address and GP practice filled in from the NHS record, answers the rest
   (the person's main support need among them) and sends. The request is routed by the council's rules (area TF1: the locality team) and due 24
   business hours (9 to 5, Monday to Friday, bank holidays shut) after it reached the council.
   An officer sees it in the queue with its team and due time, opens it, tries to move it
   without a reason (the error summary), then moves it with one.
2. A restricted record fills in nothing, and its pages read exactly like a number not found.

The NHS Personal Demographics Service is the simulator's (its fixtures, on loopback). Every page
visited is checked with axe (WCAG 2.2 AA) and for CSP or 404 errors in the console, and each
browser's visit ends with no uncaught JavaScript error and no console error.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.calendar import add_service_time, now
from carebridge.core.formats import guide_datetime, guide_time
from carebridge.core.permissions import Role
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment.professional import SUPPORT_NEEDS
from carebridge.frontdoor.choices import Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.selectors import due_states, office_of
from carebridge.frontdoor.requests.views import public_professional as pro
from carebridge.integrations.simulator import pds as sim
from carebridge.organisations.models import Council
from carebridge.people.cld import PrimarySupportReason
from tests.browser.conftest import axe_check
from tests.browser.frontdoor_professional_support import (
    GP_EMAIL,
    Teams,
    answer_pages,
    code_from_mailbox,
    gp_referral,
    name_address_and_practice,
    pds_on_loopback,
    professional_council,
)
from tests.browser.frontdoor_support import assert_quiet, browser_page, start_questions
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

MOVE_REASON = "Mrs Holloway is being admitted to Telmouth General today: discharge planning."


def confirm_work_email(page: Any) -> None:
    """The two code pages: send the code, a wrong one refused, then the one e-mailed."""
    expect(heading(page)).to_have_text("Confirm your work email")
    expect(page.locator("main")).to_contain_text(GP_EMAIL)
    axe_check(page)
    page.get_by_role("button", name="Send the code").click()
    expect(heading(page)).to_have_text("Enter the code from your email")
    axe_check(page)
    code = code_from_mailbox(GP_EMAIL)
    field = page.get_by_label("Enter the code from your email")
    field.fill(f"{(int(code) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Confirm").click()
    expect(error_summary(page)).to_contain_text(pro.WRONG_CODE)
    axe_check(page)
    field.fill(code)
    page.get_by_role("button", name="Confirm").click()


# --- 1. A GP practice refers; an officer moves it to another team -----------------------------


def test_a_gp_practice_refers_with_the_nhs_record_and_an_officer_moves_it_to_another_team(
    chromium: Any, live_server: Any, loopback_allowed: None
) -> None:
    base = live_server.url
    with pds_on_loopback() as pds:
        council, teams = professional_council(pds)
        officer = make_user(council=council, role=Role.FRONT_DOOR_OFFICER)
        before = now()
        sent = refer_from_a_gp_practice(chromium, base, council)

    # Stored as the professional sent it, routed by its area, due 24 business hours later.
    assert sent.route == Route.QUEUE
    assert (sent.person_name, sent.gp_practice) == ("Margaret Ann Holloway", "M99001")
    assert sent.person_address == ["12 Orchard Row", "Hadley", "Telmouth", "TF1 5XX"]
    assert sent.demographics_from_pds and sent.asker_email_confirmed
    assert sent.primary_support_reason == PrimarySupportReason.PERSONAL_CARE
    assert sent.team == teams.locality
    assert sent.routing_rule == "Area TF1 → Telmouth North locality team"
    assert sent.queued_at is not None and before <= sent.queued_at <= now()
    office = office_of(council.pk)
    assert sent.due_at == add_service_time(
        sent.queued_at, timedelta(hours=24), office.office_hours()
    )
    # Three business days ahead at least: green, its words the time it is due.
    state = due_states([sent], office, now())[sent.pk]
    assert (state.colour, state.words) == ("green", f"Due {guide_datetime(sent.due_at)}")

    move_to_another_team(chromium, base, officer, sent, teams, due_words=state.words)

    sent.refresh_from_db()
    assert sent.team == teams.hospital
    audit = Event.objects.get(action="front_door.team_moved")
    assert (audit.before, audit.after) == (
        {"team": teams.locality.name},
        {"team": teams.hospital.name},
    )
    assert any(
        teams.hospital.email in message.to and sent.reference in message.body
        for message in mail.outbox
    )


def refer_from_a_gp_practice(chromium: Any, base: str, council: Council) -> FrontDoorRequest:
    """The practice nurse's journey, from the start page to the result."""
    # The main support need (a CLD Primary Support Reason) routes no specialist team here.
    answers = gp_referral(
        sim.ORDINARY, "1944-05-17", primary_support_reason=PrimarySupportReason.PERSONAL_CARE
    )
    context, page, page_errors = browser_page(chromium)

    start_questions(page, base, council)
    assert answer_pages(page, answers) == 8  # who, about, and the six about the professional
    confirm_work_email(page)
    answer_pages(page, answers, until=qp.PERSON_NAME)

    # The name, address and GP practice come from the NHS record, to check and keep.
    notice = page.locator(".govuk-inset-text")
    expect(notice).to_have_text(pro.FOUND_NOTICE)
    expect(page.get_by_label("What is the person’s full name?")).to_have_value(
        "Margaret Ann Holloway"
    )
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("What is the person’s address?")
    expect(notice).to_have_text(pro.FOUND_NOTICE)
    for label, value in (
        ("Address line 1", "12 Orchard Row"),
        ("Address line 2 (optional)", "Hadley"),
        ("Town or city", "Telmouth"),
        ("Postcode", "TF1 5XX"),
    ):
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    axe_check(page)
    page.get_by_role("button", name="Continue").click()
    expect(notice).to_have_text(pro.FOUND_NOTICE)
    expect(
        page.get_by_label("Which GP practice is the person registered with? (optional)")
    ).to_have_value("M99001")
    axe_check(page)
    page.get_by_role("button", name="Continue").click()

    # The referral, the risks, the Care Act questions and consent.
    assert answer_pages(page, answers) > 20
    expect(heading(page)).to_have_text("Check your answers before sending")
    axe_check(page)
    expect(summary_value(page, "Where you work")).to_have_text("GP practice")
    expect(summary_value(page, "Full name")).to_have_text("Margaret Ann Holloway")
    expect(summary_value(page, "GP practice")).to_have_text("M99001")
    expect(summary_value(page, "Main support need")).to_have_text(
        SUPPORT_NEEDS[PrimarySupportReason.PERSONAL_CARE]
    )
    expect(summary_value(page, "Risk to the person: details")).to_have_text(
        "Falls at night on the stairs."
    )
    page.get_by_role("button", name="Send and see the result").click()
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Request sent")
    sent = FrontDoorRequest.objects.get(council=council)
    expect(panel).to_contain_text(sent.reference)
    assert sent.due_at is not None, "The request was not routed when it was sent"
    expect(page.locator("main")).to_contain_text(
        f"within 24 business hours, by {guide_time(sent.due_at)}"
    )
    axe_check(page)
    assert_quiet(page, page_errors)
    context.close()
    return sent


def move_to_another_team(
    chromium: Any, base: str, officer: User, sent: FrontDoorRequest, teams: Teams, *, due_words: str
) -> None:
    """The officer finds the request in the queue with its team and due time, opens it, and
    moves it to the hospital discharge team: first without a reason, then with one."""
    assert sent.due_at is not None
    context, page, page_errors = browser_page(chromium)
    log_in(page, base, officer.email)
    menu_link(page, "Front door").click()
    expect(heading(page)).to_have_text("Front-door requests")
    row = page.get_by_role("row", name=re.compile(sent.reference))
    expect(row).to_contain_text("Margaret Ann Holloway")
    expect(row).to_contain_text(teams.locality.name)
    expect(row.locator(".govuk-tag--green")).to_have_text(due_words)
    axe_check(page)

    row.get_by_role("link", name=sent.reference).click()
    expect(heading(page)).to_contain_text(sent.reference)
    expect(summary_value(page, "Team")).to_contain_text(teams.locality.name)
    expect(summary_value(page, "Team")).to_contain_text(sent.routing_rule)
    due = summary_value(page, "Due")
    expect(due).to_contain_text(f"{guide_datetime(sent.due_at)}, 24 business hours after")
    expect(due.locator(".govuk-tag--green")).to_have_text(due_words)
    expect(summary_value(page, "Source of these details")).to_contain_text(
        "Filled in from the NHS Personal Demographics Service"
    )
    expect(summary_value(page, "Work email")).to_contain_text("Confirmed by code")
    axe_check(page)

    page.get_by_role("link", name="Move to another team").click()
    expect(heading(page)).to_have_text("Move to another team")
    axe_check(page)
    page.get_by_role("radio", name=teams.hospital.name, exact=True).check()
    page.get_by_role("button", name="Move the request").click()
    expect(error_summary(page)).to_contain_text("Enter why you are moving the request")
    axe_check(page)
    sent.refresh_from_db()
    assert sent.team == teams.locality
    page.get_by_role("radio", name=teams.hospital.name, exact=True).check()
    page.get_by_label("Why are you moving it?").fill(MOVE_REASON)
    page.get_by_role("button", name="Move the request").click()
    expect(success_banner(page)).to_contain_text(
        f"The request is moved to {teams.hospital.name}, who were e-mailed about it."
    )
    expect(summary_value(page, "Team")).to_contain_text(teams.hospital.name)
    expect(summary_value(page, "Team")).to_contain_text(
        f"Moved from {teams.locality.name} → {teams.hospital.name}"
    )
    moved = page.locator(".cb-timeline li", has_text="Moved to another team")
    expect(moved).to_contain_text("Council only")
    expect(moved).to_contain_text(f"To {teams.hospital.name}: {MOVE_REASON}")
    axe_check(page)
    assert_quiet(page, page_errors)
    context.close()


# --- 2. A restricted record -------------------------------------------------------------------


def test_a_restricted_record_fills_in_nothing_and_reads_like_a_number_not_found(
    chromium: Any, live_server: Any, loopback_allowed: None
) -> None:
    base = live_server.url
    with pds_on_loopback() as pds:
        council, _teams = professional_council(pds)
        shown = {}
        for nhs_number in (sim.RESTRICTED, sim.NOT_FOUND):
            answers = gp_referral(nhs_number, "1950-02-02")
            context, page, page_errors = browser_page(chromium)
            start_questions(page, base, council)
            answer_pages(page, answers)
            confirm_work_email(page)
            answer_pages(page, answers, until=qp.PERSON_NAME)
            expect(page.locator(".govuk-inset-text")).to_have_text(pro.NOT_FOUND_NOTICE)
            expect(page.get_by_label("What is the person’s full name?")).to_have_value("")
            shown[nhs_number] = name_address_and_practice(page)
            assert_quiet(page, page_errors)
            context.close()

    # Both were looked up (and audited): the record, not a missing look-up, left them empty.
    assert [path.rsplit("/", 1)[1] for path, _headers in pds.calls] == [
        sim.RESTRICTED,
        sim.NOT_FOUND,
    ]
    lookups = Event.objects.filter(action="front_door.pds_lookup").order_by("pk")
    assert [event.detail["nhs_number_last4"] for event in lookups] == [
        sim.RESTRICTED[-4:],
        sim.NOT_FOUND[-4:],
    ]
    restricted = "\n".join(shown[sim.RESTRICTED])
    assert "Joan" not in restricted and "Ashdown" not in restricted
    assert shown[sim.RESTRICTED] == shown[sim.NOT_FOUND]
