"""What the professional-journey tests share: a GP practice's referral as answers, and a walk
through the public pages that answers each page the journey asks."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.assessment import questions
from carebridge.frontdoor.tests.support_requests import likely_answers
from carebridge.organisations.models import Council

NHS_NUMBER = "9434765919"  # NHS England's example number: passes modulus 11
_RESIDENT_ONLY = (
    "postcode",
    "person_name",
    "person_dob",
    "asker_name",
    "asker_email",
    "asker_phone",
    "consent",
)


def referral_answers(**overrides: Any) -> dict[str, Any]:
    """A practice nurse refers an adult who is likely eligible, with the person's consent."""
    answers = {k: v for k, v in likely_answers().items() if k not in _RESIDENT_ONLY}
    answers.update(
        {
            "asker": "professional",
            "professional_kind": "gp_practice",
            "professional_organisation": "Riverside Surgery",
            "professional_role": "Practice nurse",
            "professional_name": "Priya Nurse",
            "professional_phone": "01632 960 111",
            "professional_email": "priya.nurse@nhs.example",
            "referral_nhs_number": NHS_NUMBER,
            "referral_dob": "1941-03-03",
            "referral_name": "Edith Marlowe",
            "referral_address": ["4 Mill Lane", "Upper Wick", "Wrekinbury", "WB1 2AB"],
            "referral_gp_practice": "Riverside Surgery",
            "presenting_need": "Two falls this month; not eating since her husband died.",
            "primary_support_reason": "Physical Support: Personal care support",
            "current_services": "None",
            "others_involved": "Daughter, Rosa, 01632 960 321",
            "risk_to_person": "yes",
            "risk_to_person_details": "Falls at night on the stairs.",
            "risk_to_others": "no",
            "risk_to_staff": "not_known",
            "sharing_basis": "consent",
        }
    )
    answers.update(overrides)
    return answers


def page_url(council: Council, slug: str) -> str:
    return reverse("care:question", kwargs={"council": council.slug, "slug": slug})


def post_page(client: Client, council: Council, question_id: str, value: Any):
    """Answer one page as its form sends it."""
    question = questions.by_id(question_id)
    assert question is not None
    if question.kind == "date":
        year, month, day = value.split("-") if value else ("", "", "")
        data: dict[str, Any] = {
            f"{question_id}-day": day,
            f"{question_id}-month": month,
            f"{question_id}-year": year,
        }
    elif question.kind == "address":
        parts = value or ["", "", "", ""]
        data = {
            f"{question_id}-{part}": text
            for part, text in zip(("line1", "line2", "town", "postcode"), parts, strict=True)
        }
    else:
        data = {question_id: value}
    return client.post(page_url(council, question.slug), data)


def walk(
    client: Client, council: Council, answers: dict[str, Any], *, until: str = "", start: str = ""
) -> str:
    """Answer every page the journey asks, in its order, from the given answers (from the first
    page, or `start`), stopping at the page `until` (unanswered) or at the first page that is
    not a question; the address it stopped at."""
    location = start or page_url(council, questions.first_question().slug)
    for _ in range(80):
        if "/questions/" not in location:
            break
        slug = location.split("/questions/")[1].split("/")[0]
        question = questions.by_slug(slug)
        if question is None or question.id == until:
            break
        response = post_page(client, council, question.id, answers.get(question.id, ""))
        if response.status_code == 200 and b"Carry on with the request" in response.content:
            page = response.content.decode()
            location = page[: page.index('">Carry on with the request')].rsplit('href="', 1)[1]
            continue
        assert response.status_code == 302, response.content.decode()[:3000]
        location = response["Location"]
    return location
