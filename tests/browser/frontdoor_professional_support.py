"""What the professionals' front-door journeys share: a council set up through the product's
services (an open front door, a connection to the NHS Personal Demographics Service simulator on
loopback trusting "nhs.net", front-door teams with their rules, office hours 9 to 5 Monday to
Friday), a GP practice's referral as answers, and answering the professional's pages as a
person would, the address page and the pages the NHS record fills in included."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Any
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.choices import TeamRoute
from carebridge.frontdoor.requests.services import settings as fd_settings
from carebridge.frontdoor.tests.requests.professional_support import referral_answers
from carebridge.frontdoor.tests.requests.routing_support import make_team, rules
from carebridge.integrations import connections
from carebridge.integrations.simulator.pds import Pds
from carebridge.integrations.tests.pds_support import pds_running
from carebridge.organisations.models import Council, Team
from tests.browser.conftest import axe_check
from tests.browser.frontdoor_support import fill_question, open_council, page_heading
from tests.browser.pages import heading
from tests.support import make_district

GP_EMAIL = "priya.nurse@nhs.net"
PAGE_PATH = re.compile(r"/questions/(?P<slug>[a-z0-9-]+)/")
MAX_PAGES = 40  # more pages than the journey has: a loop that never ends fails
ADDRESS_LABELS = ("Address line 1", "Address line 2 (optional)", "Town or city", "Postcode")


# The simulator's PDS and its token endpoint on a free loopback port, with no token cached
# from before: the integrations tests' own start-up, under the name the journeys use.
pds_on_loopback = pds_running


@dataclass(frozen=True)
class Teams:
    """The council's front-door teams, in their routing order, and the default."""

    hospital: Team
    locality: Team
    default: Team


def professional_council(pds: Pds) -> tuple[Council, Teams]:
    """An open council covering TF1 to TF3 with PDS trusting nhs.net, its office open 9 to 5
    Monday to Friday, and three teams: hospital discharges first, then the TF1 locality team,
    and a duty team taking what no rule matches."""
    council = open_council("Telmouth Council")
    make_district(council, postcode_districts="TF1 TF2 TF3")
    connections.pds_update(
        council=council,
        by=None,
        base_url=pds.base_url(),
        token_url=pds.token_url(),
        api_key=pds.api_key,
        key_id=pds.key_id,
        ods_code="X26",
        trusted_email_domains="nhs.net",
        enabled=True,
        private_key=pds.private_key_pem,
    )
    teams = Teams(
        hospital=make_team(council, "Hospital discharge team"),
        locality=make_team(council, "Telmouth North locality team"),
        default=make_team(council, "Adult duty team"),
    )
    rules(council, teams.hospital, order=1, routes=(TeamRoute.HOSPITAL_DISCHARGE,))
    rules(council, teams.locality, order=2, routes=(TeamRoute.LOCALITY,), districts="TF1")
    duty = rules(council, teams.default, order=3)
    fd_settings.front_door_settings_update(
        council=council,
        by=None,
        office_opens=time(9),
        office_closes=time(17),
        office_days="01234",
        response_promise_hours=24,
        default_team=duty,
    )
    return council, teams


def gp_referral(nhs_number: str, born: str, **overrides: Any) -> dict[str, Any]:
    """A practice nurse's referral of an adult likely to be eligible, with consent, from an
    nhs.net address; the name, address and GP practice left for the NHS record to fill in."""
    answers = referral_answers(
        professional_email=GP_EMAIL,
        referral_nhs_number=nhs_number,
        referral_dob=born,
        **overrides,
    )
    for question_id in qp.PREFILLED:
        if question_id not in overrides:
            answers.pop(question_id)
    return answers


def code_from_mailbox(email: str) -> str:
    """The six-digit code in the last e-mail Django's test mailbox holds for `email`."""
    sent = [message for message in mail.outbox if email in message.to]
    assert sent, f"No e-mail to {email} in the test mailbox"
    body = str(sent[-1].body)
    found = re.search(r"\b(\d{6})\b", body)
    assert found, f"No code in:\n{body}"
    return found.group(1)


def current_slug(page: Any) -> str:
    match = PAGE_PATH.search(urlsplit(page.url).path)
    return match["slug"] if match else ""


def fill_page(page: Any, question: questions.Question, answers: dict[str, Any]) -> None:
    """Answer one page by the labels a person reads; an address by its four boxes."""
    if question.kind != "address":
        fill_question(page, question, answers)
        return
    group = page.get_by_role("group", name=page_heading(question, answers))
    for label, value in zip(ADDRESS_LABELS, answers[question.id], strict=True):
        group.get_by_label(label, exact=True).fill(value)


def answer_pages(page: Any, answers: dict[str, Any], *, until: str = "") -> int:
    """Answer each question page with axe on it, until a page that is not a question (the
    work e-mail's code pages, check your answers) or the page of the question `until`,
    unanswered. A page the NHS record filled in, whose question `answers` leaves out, is sent
    as it was filled in. The number of pages answered."""
    answered = 0
    while (slug := current_slug(page)) and (question := questions.by_slug(slug)) is not None:
        if question.id == until:
            break
        assert answered < MAX_PAGES, f"Still on question pages at {page.url}"
        expect(heading(page)).to_have_text(page_heading(question, answers))
        expect(page.locator(".govuk-caption-l")).to_have_text(question.section_for(answers))
        axe_check(page)
        if question.id in answers:
            fill_page(page, question, answers)
        else:
            assert question.id in qp.PREFILLED, f"No answer for {question.id}"
        page.get_by_role("button", name="Continue").click()
        expect(page).not_to_have_url(re.compile(rf"/questions/{re.escape(slug)}/$"))
        answered += 1
    return answered


def name_address_and_practice(page: Any) -> list[str]:
    """What the three pages the NHS record fills in show in their main area (the form's token
    aside), answering each with the same made-up details to reach the next."""
    shown = []
    typed = {
        qp.PERSON_NAME: "Alex Example",
        qp.ADDRESS: ["1 Example Street", "", "Telmouth", "TF1 1AA"],
        qp.GP_PRACTICE: "Example Surgery",
    }
    for question_id in qp.PREFILLED:
        question = questions.by_id(question_id)
        assert question is not None
        expect(heading(page)).to_have_text(page_heading(question, typed))
        axe_check(page)
        main = page.locator("main").inner_html()
        shown.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main))
        fill_page(page, question, typed)
        page.get_by_role("button", name="Continue").click()
    return shown
