"""The resident's side of a front-door request: a finished journey, asking for an assessment
after signposting, answering a request for more information, e-mail updates and feedback."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.idempotency import create_once, once_per_key
from carebridge.frontdoor.assessment import rules as e
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.choices import EventKind, RequestStatus, Result, Route
from carebridge.frontdoor.models import Feedback, FrontDoorRequest
from carebridge.frontdoor.requests.alerts import urgent_request_alert
from carebridge.frontdoor.requests.services.history import crm_push, email_person, event_add
from carebridge.frontdoor.requests.services.steps import require_allowed, transition
from carebridge.organisations.models import Council

# References are read out over the phone: no 0/O, 1/I/L, 5/S, 2/Z.
_REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"FD-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class Contact:
    """Who asked and who it is about, as the journey collected them."""

    asker: str
    about: str
    asker_name: str = ""
    asker_email: str = ""
    asker_phone: str = ""
    professional_organisation: str = ""
    professional_role: str = ""
    person_name: str = ""
    person_date_of_birth: date | None = None
    person_email: str = ""
    person_phone: str = ""
    postcode: str = ""
    consent_to_share: bool = False


def contact_from(answers: dict[str, Any]) -> Contact:
    """Who asked and who it is about, from the journey's answers (question ids in assessment/questions.py)."""

    def text(key: str) -> str:
        value = answers.get(key, "")
        return value if isinstance(value, str) else ""

    born = text("person_dob")
    return Contact(
        asker=text(e.ASKER),
        about=text(e.ABOUT),
        asker_name=text("asker_name"),
        asker_email=text("asker_email"),
        asker_phone=text("asker_phone"),
        professional_organisation=text("professional_organisation"),
        professional_role=text("professional_role"),
        person_name=text("person_name"),
        person_date_of_birth=date.fromisoformat(born) if born else None,
        person_email=text("person_email"),
        person_phone=text("person_phone"),
        postcode=text("postcode"),
        consent_to_share=text("consent") == e.YES,
    )


def _minimised(contact: Contact) -> dict[str, Any]:
    """Without consent nothing that names or reaches the person is kept: only the outward
    code of the postcode, for the figures."""
    outward = contact.postcode.split(" ")[0] if contact.postcode else ""
    return {"asker": contact.asker, "about": contact.about, "postcode": outward}


@transaction.atomic
def request_submit(
    *,
    council: Council,
    contact: Contact,
    answers: dict[str, Any],
    assessment: Assessment,
    idempotency_key: str | None = None,
) -> FrontDoorRequest:
    """Record a finished journey. With consent, a likely-eligible or urgent request goes to the
    council's queue (and its CRM); otherwise it is kept as signposted, for the figures and in
    case the person asks for an assessment after all. A repeat of the page's key (a double
    click) returns the first request: one request, one e-mail, one CRM push."""
    request, _created = create_once(
        key=idempotency_key,
        purpose="frontdoor.request_submit",
        create=lambda: _request_create(
            council=council, contact=contact, answers=answers, assessment=assessment
        ),
        find=lambda pk: FrontDoorRequest.objects.filter(pk=pk, council=council).first(),
    )
    return request


def _request_create(
    *, council: Council, contact: Contact, answers: dict[str, Any], assessment: Assessment
) -> FrontDoorRequest:
    # Urgent risk goes to the council whatever the outcomes: someone must look at it today.
    to_queue = contact.consent_to_share and (
        assessment.result == Result.LIKELY_ELIGIBLE or assessment.urgent
    )
    fields = vars(contact).copy() if contact.consent_to_share else _minimised(contact)
    moment = now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = FrontDoorRequest.objects.create(
                    council=council,
                    reference=new_reference(),
                    status=RequestStatus.RECEIVED if to_queue else RequestStatus.SIGNPOSTED,
                    route=Route.QUEUE if to_queue else Route.SIGNPOSTED,
                    answers=answers if contact.consent_to_share else {},
                    assessment=assessment.to_json(),
                    ruleset_version=assessment.version,
                    result=assessment.result,
                    urgent=assessment.urgent,
                    submitted_at=moment,
                    changed_at=moment,
                    **fields,
                )
            break
        except IntegrityError:
            continue  # a reference already taken: draw another
    else:
        raise RuntimeError("could not draw an unused reference")
    event_add(request, EventKind.SUBMITTED, by=None)
    record(
        action="front_door.submitted",
        obj=request,
        council=council,
        after={"reference": request.reference, "result": request.result, "route": request.route},
    )
    if to_queue:
        email_person(request, key="received", template="received")
        crm_push(request)
        urgent_request_alert(request)
    return request


@transaction.atomic
def assessment_ask(
    *,
    request: FrontDoorRequest,
    contact: Contact | None = None,
    answers: dict[str, Any] | None = None,
) -> FrontDoorRequest:
    """The person asks for an assessment after all: the signposted request joins the queue.
    Without consent recorded before, the contact details given now (and the answers the
    browser kept) come with it."""
    if not request.consent_to_share:
        if contact is None or not contact.consent_to_share:
            raise ValidationError(
                {"consent_to_share": "Select that you agree to share, so the council can assess"}
            )
        for name, value in vars(contact).items():
            setattr(request, name, value)
        request.answers = answers or {}
        # Only these fields: a full save would write back the status this copy was read with,
        # and a second click arriving just after the first would queue the request again.
        request.save(update_fields=[*vars(contact), "answers"])
    request = transition(
        request,
        EventKind.ASSESSMENT_ASKED,
        by=None,
        route=Route.QUEUE,
        assessment_requested=True,
    )
    email_person(request, key="received", template="received")
    crm_push(request)
    urgent_request_alert(request)
    return request


@transaction.atomic
def information_give(*, request: FrontDoorRequest, text: str) -> FrontDoorRequest:
    """The person's answer to a request for more information."""
    require_allowed(request, EventKind.INFORMATION_GIVEN)
    if not text.strip():
        raise ValidationError({"text": "Enter the information the council asked for"})
    return transition(request, EventKind.INFORMATION_GIVEN, by=None, text=text)


@transaction.atomic
def updates_subscribe(*, request: FrontDoorRequest, email: str) -> FrontDoorRequest:
    """E-mail the person at each change of their request."""
    FrontDoorRequest.objects.filter(pk=request.pk).update(updates_email=email)
    request.refresh_from_db()
    record(action="front_door.updates", obj=request, council=request.council_id)
    return request


@transaction.atomic
@once_per_key(
    "frontdoor.feedback_give",
    find=lambda pk, call: Feedback.objects.filter(pk=pk, council=call["council"]).first(),
)
def feedback_give(
    *,
    council: Council,
    rating: int,
    comment: str,
    request: FrontDoorRequest | None = None,
    idempotency_key: str | None = None,
) -> Feedback:
    """A person's rating of the front door; a repeat of the form's key (a double click) gives
    no second one."""
    if rating not in range(1, 6):
        raise ValidationError({"rating": "Select how satisfied you were"})
    return Feedback.objects.create(
        council=council, request=request, rating=rating, comment=comment, submitted_at=now()
    )
