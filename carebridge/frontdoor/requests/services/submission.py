"""The resident's side of a front-door request: a finished journey, asking for an assessment
after signposting, answering a request for more information, e-mail updates and feedback."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.idempotency import create_once, once_per_key
from carebridge.frontdoor.assessment import questions_professional as qp
from carebridge.frontdoor.assessment import rules as e
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.assessment.professional import WITHOUT_CONSENT, SharingBasis
from carebridge.frontdoor.choices import Asker, EventKind, RequestStatus, Result, Route
from carebridge.frontdoor.models import Feedback, FrontDoorRequest
from carebridge.frontdoor.requests.alerts import urgent_request_alert
from carebridge.frontdoor.requests.services.history import crm_push, email_person, event_add
from carebridge.frontdoor.requests.services.routing import request_route
from carebridge.frontdoor.requests.services.steps import require_allowed, transition
from carebridge.organisations.models import Council
from carebridge.people.cld import PrimarySupportReason

# References are read out over the phone: no 0/O, 1/I/L, 5/S, 2/Z.
_REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"FD-{body[:4]}-{body[4:]}"


@dataclass(frozen=True)
class Contact:
    """Who asked and who it is about, as the journey collected them. Each field is the request's
    field of the same name."""

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
    # A professional's referral
    professional_kind: str = ""
    asker_email_confirmed: bool = False
    person_nhs_number: str = ""
    person_address_line_1: str = ""
    person_address_line_2: str = ""
    person_town: str = ""
    gp_practice: str = ""
    demographics_from_pds: bool = False
    presenting_need: str = ""
    primary_support_reason: str = ""
    current_services: str = ""
    others_involved: str = ""
    risk_to_person: str = ""
    risk_to_person_details: str = ""
    risk_to_others: str = ""
    risk_to_others_details: str = ""
    risk_to_staff: str = ""
    risk_to_staff_details: str = ""
    sharing_basis: str = ""
    sharing_basis_reason: str = ""

    @property
    def may_share(self) -> bool:
        """The person agreed, or a professional recorded a basis for referring without it."""
        return self.consent_to_share or self.sharing_basis in WITHOUT_CONSENT


def contact_from(
    answers: dict[str, Any], *, email_confirmed: bool = False, from_pds: bool = False
) -> Contact:
    """Who asked and who it is about, from the journey's answers (question ids in
    assessment/questions.py and questions_professional.py). `email_confirmed`: the
    professional confirmed their work e-mail with a code; `from_pds`: the person's details
    were filled in from their NHS record."""

    def text(key: str) -> str:
        value = answers.get(key, "")
        return value if isinstance(value, str) else ""

    if text(e.ASKER) == Asker.PROFESSIONAL:
        return _referral_from(answers, text, email_confirmed=email_confirmed, from_pds=from_pds)
    born = text("person_dob")
    return Contact(
        asker=text(e.ASKER),
        about=text(e.ABOUT),
        asker_name=text("asker_name"),
        asker_email=text("asker_email"),
        asker_phone=text("asker_phone"),
        person_name=text("person_name"),
        person_date_of_birth=date.fromisoformat(born) if born else None,
        person_email=text("person_email"),
        person_phone=text("person_phone"),
        postcode=text("postcode"),
        consent_to_share=text("consent") == e.YES,
    )


def _referral_from(
    answers: dict[str, Any], text: Callable[[str], str], *, email_confirmed: bool, from_pds: bool
) -> Contact:
    born = text(qp.DATE_OF_BIRTH)
    address = answers.get(qp.ADDRESS)
    line1, line2, town, postcode = (
        address if isinstance(address, list) and len(address) == 4 else ["", "", "", ""]
    )
    basis = text(qp.SHARING)
    reason = text(qp.SUPPORT_NEED)
    risks = {}
    for risk in qp.RISKS:
        risks[risk] = text(risk)
        risks[f"{risk}_details"] = text(f"{risk}_details")
    return Contact(
        asker=Asker.PROFESSIONAL.value,
        about=text(e.ABOUT),
        asker_name=text(qp.NAME_OF_PROFESSIONAL),
        asker_email=text(qp.WORK_EMAIL),
        asker_phone=text(qp.CALLBACK),
        professional_kind=text(qp.KIND),
        professional_organisation=text(qp.ORGANISATION),
        professional_role=text(qp.ROLE),
        asker_email_confirmed=email_confirmed,
        person_name=text(qp.PERSON_NAME),
        person_date_of_birth=date.fromisoformat(born) if born else None,
        person_nhs_number=text(qp.NHS_NUMBER),
        person_address_line_1=line1,
        person_address_line_2=line2,
        person_town=town,
        postcode=postcode,
        gp_practice=text(qp.GP_PRACTICE),
        demographics_from_pds=from_pds,
        person_email=text("person_email"),
        person_phone=text("person_phone"),
        presenting_need=text(qp.PRESENTING_NEED),
        primary_support_reason=reason if reason in PrimarySupportReason.values else "",
        current_services=text(qp.CURRENT_SERVICES),
        others_involved=text(qp.OTHERS_INVOLVED),
        consent_to_share=basis == SharingBasis.CONSENT,
        sharing_basis=basis if basis in SharingBasis.values else "",
        sharing_basis_reason=text(qp.SHARING_REASON) if basis in WITHOUT_CONSENT else "",
        **risks,
    )


def _minimised(contact: Contact) -> dict[str, Any]:
    """Without consent (or a professional's basis without it) nothing that names or reaches
    the person is kept: only who asked (and where a professional works), and the outward
    code of the postcode, for the figures."""
    outward = contact.postcode.split(" ")[0] if contact.postcode else ""
    return {
        "asker": contact.asker,
        "about": contact.about,
        "postcode": outward,
        "professional_kind": contact.professional_kind,
    }


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
    to_queue = contact.may_share and (
        assessment.result == Result.LIKELY_ELIGIBLE or assessment.urgent
    )
    fields = vars(contact).copy() if contact.may_share else _minimised(contact)
    moment = now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = FrontDoorRequest.objects.create(
                    council=council,
                    reference=new_reference(),
                    status=RequestStatus.RECEIVED if to_queue else RequestStatus.SIGNPOSTED,
                    route=Route.QUEUE if to_queue else Route.SIGNPOSTED,
                    answers=answers if contact.may_share else {},
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
    if not to_queue:
        return request
    # Routed before the e-mail, which tells the person the time it is due.
    routed = request_route(request=request)
    email_person(routed, key="received", template="received")
    crm_push(routed)
    urgent_request_alert(routed)
    return routed


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
    if not request.details_shared:
        if contact is None or not contact.may_share:
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
    request = request_route(request=request)
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
