"""The professional journey's pages beyond the questions: confirming a work e-mail with a code,
and filling in the person's name, address and GP practice from their NHS record.

Where the council has a connection to the NHS Personal Demographics Service and trusts the
professional's work e-mail domain, the professional is offered a code by e-mail after giving
that address. Once confirmed, the NHS number and date of birth they give are looked up
(services/demographics.py: only for a confirmed professional, only a record whose date of birth
matches, rate limited and audited), and the name, address and GP practice pages come pre-filled
and editable. A record that is restricted reads exactly like one not found. What the record
said stays in this browser's session until the request is sent: only what the professional
sends is stored, with the request.

The two code pages are pages of the journey (`questions/<slug>/`): `question` in public.py
hands them here by their slugs."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from carebridge.core.ratelimits import rate_limited
from carebridge.frontdoor.assessment import answers as answering
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment.pages import Question
from carebridge.frontdoor.assessment.rules import ASKER
from carebridge.frontdoor.choices import Asker
from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.frontdoor.requests.services import demographics
from carebridge.integrations.models import PdsConnection
from carebridge.integrations.pds import Demographics, PdsOutcome
from carebridge.organisations.models import Council

SEND_SLUG = "confirm-work-email"
CODE_SLUG = "confirm-work-email-code"

FOUND_NOTICE = "From the NHS Personal Demographics Service: check these details"
NOT_FOUND_NOTICE = "We could not fill in the details: enter them yourself"
UNAVAILABLE_NOTICE = (
    "We could not reach the NHS Personal Demographics Service: try later or enter the details "
    "yourself"
)
WRONG_CODE = "The code is not right, or it has expired: check it, or send a new code"
ENTER_CODE = "Enter the code we sent to your work email"


def question_url(council: Council, question: Question | str, *, change: bool = False) -> str:
    slug = question if isinstance(question, str) else question.slug
    url = reverse("care:question", kwargs={"council": council.slug, "slug": slug})
    return f"{url}?change=1" if change else url


def _text(answers: dict[str, Any], key: str) -> str:
    value = answers.get(key, "")
    return value if isinstance(value, str) else ""


def lookups_offered(council: Council, email: str) -> bool:
    """Whether the council can fill in details from the NHS record for a professional with
    this work e-mail: it has a PDS connection switched on that trusts the e-mail's domain (or
    the domain it is a subdomain of), as the gate does."""
    connection = PdsConnection.objects.filter(council=council, enabled=True).first()
    if connection is None or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].lower()
    return any(
        domain == trusted or domain.endswith(f".{trusted}")
        for trusted in connection.trusted_domains()
    )


def _verified(request: HttpRequest, council: Council, email: str) -> bool:
    # The gate keeps the address as it confirmed it: lower-case.
    confirmed = demographics.professional_verified(request.session, council)
    return bool(email) and confirmed == email.strip().lower()


def needs_confirming(request: HttpRequest, council: Council, answers: dict[str, Any]) -> bool:
    """After the work e-mail page: offer the code when look-ups are offered and this e-mail is
    not confirmed yet."""
    email = _text(answers, qp.WORK_EMAIL)
    if _text(answers, ASKER) != Asker.PROFESSIONAL or not email:
        return False
    return not _verified(request, council, email) and lookups_offered(council, email)


def email_confirmed(request: HttpRequest, council: Council, answers: dict[str, Any]) -> bool:
    """Whether this session confirmed the work e-mail the professional gave."""
    return _verified(request, council, _text(answers, qp.WORK_EMAIL))


def _after_email(council: Council, answers: dict[str, Any], change: bool) -> str:
    if change:
        missing = answering.first_unanswered(answers)
        if missing is None:
            return reverse("care:check", kwargs={"council": council.slug})
        return question_url(council, missing, change=True)
    following = answering.next_question(answers, qp.WORK_EMAIL)
    if following is None:
        return reverse("care:check", kwargs={"council": council.slug})
    return question_url(council, following)


def confirm_page(
    request: HttpRequest,
    council: Council,
    settings: FrontDoorSettings,
    journey: dict[str, Any],
    slug: str,
) -> HttpResponse:
    """The two code pages: send a code to the work e-mail, then enter it."""
    answers: dict[str, Any] = journey["answers"]
    change = request.GET.get("change") == "1"
    email = _text(answers, qp.WORK_EMAIL)
    if _text(answers, ASKER) != Asker.PROFESSIONAL or not lookups_offered(council, email):
        # Not a professional, no e-mail yet, or nothing to look up with: go on with the journey.
        missing = answering.first_unanswered(answers)
        if missing is None:
            return redirect("care:check", council=council.slug)
        return redirect(question_url(council, missing))
    context: dict[str, Any] = {
        "council": council,
        "email": email,
        "skip_url": _after_email(council, answers, change),
        "back_url": question_url(council, qp.WORK_EMAIL, change=change),
        "send_url": question_url(council, SEND_SLUG, change=change),
        "error": None,
    }
    if slug == SEND_SLUG:
        return _send_page(request, council, context, change=change)
    return _code_page(request, council, journey, context, change=change)


@rate_limited("front-door-email")
def _send_page(
    request: HttpRequest, council: Council, context: dict[str, Any], *, change: bool
) -> HttpResponse:
    if request.method == "POST":
        try:
            demographics.verification_send(request.session, council, context["email"])
        except demographics.DemographicsRefused as refused:
            context["error"] = refused.message
        else:
            return redirect(question_url(council, CODE_SLUG, change=change))
    return render(
        request,
        "frontdoor/confirm_email.html",
        context,
        status=400 if context["error"] else 200,
    )


@rate_limited("front-door-track")
def _code_page(
    request: HttpRequest,
    council: Council,
    journey: dict[str, Any],
    context: dict[str, Any],
    *,
    change: bool,
) -> HttpResponse:
    """Entering the code: guessing six digits is slowed here as well as by the gate's tries."""
    if request.method == "POST":
        code = "".join(request.POST.get("code", "").split())[:12]
        if not code:
            context["error"] = ENTER_CODE
        elif demographics.verification_confirm(request.session, council, code):
            # Confirmed: a look-up already made for this person is made again, now it may be.
            journey.pop("pds", None)
            lookup_if_ready(request, council, journey)
            return redirect(_after_email(council, journey["answers"], change))
        else:
            context["error"] = WRONG_CODE
    return render(
        request,
        "frontdoor/confirm_email_code.html",
        context,
        status=400 if context["error"] else 200,
    )


# --- Filling in from the NHS record ---------------------------------------------------------


def _prefill(found: Demographics) -> dict[str, Any]:
    """The record's details as answers to the three pages (the professional checks them)."""
    lines = [line for line in found.address_lines if line]
    first = lines[0] if lines else ""
    town = lines[-1] if len(lines) > 1 else ""
    middle = ", ".join(lines[1:-1])
    practice = found.gp_practice_name
    if found.gp_practice_code:
        practice = f"{practice} ({found.gp_practice_code})" if practice else found.gp_practice_code
    return {
        qp.PERSON_NAME: " ".join(f"{found.given_names} {found.family_name}".split()),
        qp.ADDRESS: [first, middle, town, found.postcode],
        qp.GP_PRACTICE: practice,
    }


def lookup_if_ready(request: HttpRequest, council: Council, journey: dict[str, Any]) -> None:
    """Look the person up once a confirmed professional has given a valid NHS number and a date
    of birth, unless this number and date were looked up already. A record found replaces the
    answers to the pages it fills, so a different person's details are never kept."""
    answers: dict[str, Any] = journey["answers"]
    number, born = _text(answers, qp.NHS_NUMBER), _text(answers, qp.DATE_OF_BIRTH)
    if not (number and born and email_confirmed(request, council, answers)):
        return
    asked = [number, born]
    if (journey.get("pds") or {}).get("for") == asked:
        return
    lookup = demographics.demographics_for(
        request.session, council, number, date.fromisoformat(born)
    )
    pds: dict[str, Any] = {"for": asked, "outcome": lookup.outcome.value, "prefill": {}}
    if lookup.outcome == PdsOutcome.FOUND and lookup.demographics is not None:
        pds["prefill"] = _prefill(lookup.demographics)
        for question_id in qp.PREFILLED:
            answers.pop(question_id, None)
    journey["pds"] = pds


def forget_record_once_used(journey: dict[str, Any]) -> None:
    """Once the professional has answered every page the record filled in, the record's
    details leave the session: only that they came from it is kept."""
    pds = journey.get("pds") or {}
    if pds.get("prefill") and all(key in journey["answers"] for key in qp.PREFILLED):
        pds["prefill"] = {}


def _current(journey: dict[str, Any]) -> dict[str, Any]:
    """The look-up made for the NHS number and date of birth now answered, or {}."""
    pds = journey.get("pds") or {}
    answers = journey.get("answers") or {}
    asked = [_text(answers, qp.NHS_NUMBER), _text(answers, qp.DATE_OF_BIRTH)]
    return pds if pds.get("for") == asked else {}


def from_pds(journey: dict[str, Any]) -> bool:
    """Whether the person's details were offered from their NHS record."""
    return _current(journey).get("outcome") == PdsOutcome.FOUND.value


_NOTICES: dict[str, str] = {
    PdsOutcome.FOUND.value: FOUND_NOTICE,
    # A restricted record reads exactly like one not found: nothing of it is shown.
    PdsOutcome.NOT_FOUND.value: NOT_FOUND_NOTICE,
    PdsOutcome.RESTRICTED.value: NOT_FOUND_NOTICE,
    PdsOutcome.UNAVAILABLE.value: UNAVAILABLE_NOTICE,
}


def prefilled(journey: dict[str, Any], question: Question, value: Any) -> tuple[Any, str]:
    """A pre-filled page's value (the record's, until the professional answers it) and the
    notice it shows; other pages as they are."""
    if question.id not in qp.PREFILLED:
        return value, ""
    pds = _current(journey)
    notice = _NOTICES.get(pds.get("outcome", ""), "")
    if question.id not in journey["answers"] and question.id in pds.get("prefill", {}):
        value = pds["prefill"][question.id]
    return value, notice
