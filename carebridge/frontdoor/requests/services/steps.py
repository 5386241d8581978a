"""The officer's triage of a front-door request: opening it, asking the person for more
information, accepting it for assessment, redirecting or closing it, notes, and whether it was
appropriate.

Each status change is a compare-and-set on the TRANSITIONS lifecycle, writes its event and its
audit row, and queues its e-mails on commit, so a double click or a race changes nothing the
second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.idempotency import once_per_key
from carebridge.frontdoor.choices import TRANSITIONS, Decision, EventKind
from carebridge.frontdoor.models import FrontDoorRequest, RequestEvent
from carebridge.frontdoor.requests.crm import crm_decision_queue
from carebridge.frontdoor.requests.services.history import email_person, event_add
from carebridge.frontdoor.requests.waits import decision_wait_us
from carebridge.people import services as people
from carebridge.people.cld import PrimarySupportReason
from carebridge.people.models import ServiceUser


class RequestRefused(Refused):
    """A change the request's status does not allow (it moved on meanwhile)."""


def refused(request: FrontDoorRequest) -> RequestRefused:
    return RequestRefused(
        f"This request is now “{request.get_status_display()}”: it may have been changed "
        "by someone else. Check it and try again."
    )


def require_allowed(request: FrontDoorRequest, kind: EventKind) -> None:
    """Refuse before checking the input when the status does not allow the step at all; the
    compare-and-set in transition still settles a race."""
    if request.status not in TRANSITIONS.sources(kind):
        raise refused(request)


def transition(
    request: FrontDoorRequest,
    kind: EventKind,
    *,
    by: User | None,
    text: str = "",
    public: bool = True,
    **fields: Any,
) -> FrontDoorRequest:
    """Move the request by `kind` (one compare-and-set), then write its event, its audit row
    and the person's update e-mail; refused when someone else moved it first."""
    new = TRANSITIONS.target(kind)
    if not TRANSITIONS.move(FrontDoorRequest, request.pk, kind, changed_at=now(), **fields):
        request.refresh_from_db()
        raise refused(request)
    request.refresh_from_db()
    event_add(request, kind, by=by, text=text, public=public)
    record(
        action=f"front_door.{kind}",
        by=by,
        obj=request,
        council=request.council_id,
        after={"status": new, **{k: str(v) for k, v in fields.items()}},
        detail={"text": text} if text else None,
    )
    if public and request.updates_email:
        email_person(request, key=f"update-{request.events.count()}", template="update")
    return request


def _decided(request: FrontDoorRequest, decision: Decision, by: User) -> dict[str, Any]:
    """The council's decision on the request, made now by `by`, with the business time it
    waited for it (stored for the figures: frontdoor/requests/waits.py)."""
    at = now()
    return {
        "decision": decision,
        "decided_at": at,
        "decided_by": by,
        "decision_wait_us": decision_wait_us(request.council_id, request.submitted_at, at),
    }


@transaction.atomic
def request_open(*, request: FrontDoorRequest, by: User) -> FrontDoorRequest:
    """An officer starts looking at the request."""
    request = transition(request, EventKind.OPENED, by=by)
    crm_decision_queue(request)
    return request


@transaction.atomic
def information_request(*, request: FrontDoorRequest, by: User, text: str) -> FrontDoorRequest:
    """Ask the person for more information; they answer on their tracking page."""
    require_allowed(request, EventKind.INFORMATION_REQUESTED)
    if not text.strip():
        raise ValidationError({"text": "Enter what you need to know"})
    request = transition(request, EventKind.INFORMATION_REQUESTED, by=by, text=text)
    crm_decision_queue(request)
    if not request.updates_email:
        # They must hear of it even without updates: the request waits for them.
        email_person(request, key=f"information-{request.events.count()}", template="update")
    return request


@dataclass(frozen=True)
class NewServiceUser:
    """The officer's confirmed details for a person new to the council's records."""

    ss_ref: str
    first_name: str
    last_name: str
    date_of_birth: date


def _support_reason(request: FrontDoorRequest) -> str:
    """The referral's main support need for the person's record: "Not known" tells the
    council nothing its return's blank does not (a blank is named by its validation)."""
    reason = request.primary_support_reason
    return "" if reason == PrimarySupportReason.UNKNOWN else reason


@transaction.atomic
def request_accept(
    *,
    request: FrontDoorRequest,
    by: User,
    service_user: ServiceUser | None = None,
    new: NewServiceUser | None = None,
    text: str = "",
) -> FrontDoorRequest:
    """Accept the request for an assessment, matched to a service user the council knows or to
    a new one made from the officer's confirmed details (with the referral's main support need
    as their Client Level Data primary support reason)."""
    require_allowed(request, EventKind.ACCEPTED)
    if service_user is None:
        if new is None:
            raise ValidationError({"service_user": "Choose the person, or add them as new"})
        service_user = people.service_user_create(
            council=request.council,
            by=by,
            ss_ref=new.ss_ref,
            first_name=new.first_name,
            last_name=new.last_name,
            date_of_birth=new.date_of_birth,
            postcode=request.postcode,
            phone=request.person_phone,
            consent_to_share=request.consent_to_share,
            # A professional's referral gives more of who the person is; the record's own
            # limits are shorter for some (a town of 100 characters, not 200).
            nhs_number=request.person_nhs_number,
            address_line_1=request.person_address_line_1,
            address_line_2=request.person_address_line_2,
            town=request.person_town[:100],
            gp_practice=request.gp_practice,
            primary_support_reason=_support_reason(request),
        )
    elif service_user.council_id != request.council_id:
        raise ValidationError({"service_user": "Choose one of the council's service users"})
    request = transition(
        request,
        EventKind.ACCEPTED,
        by=by,
        text=text,
        **_decided(request, Decision.ASSESSMENT, by),
        service_user=service_user,
    )
    crm_decision_queue(request)
    return request


@transaction.atomic
def request_redirect(
    *, request: FrontDoorRequest, by: User, to: str, text: str
) -> FrontDoorRequest:
    """Close the request by sending the person to the service that fits."""
    require_allowed(request, EventKind.REDIRECTED)
    errors = {}
    if not to.strip():
        errors["redirected_to"] = "Enter the service you are redirecting them to"
    if not text.strip():
        errors["text"] = "Enter what you are telling the person"
    if errors:
        raise ValidationError(errors)
    request = transition(
        request,
        EventKind.REDIRECTED,
        by=by,
        text=text,
        **_decided(request, Decision.REDIRECTED, by),
        redirected_to=to,
        outcome_note=text,
    )
    crm_decision_queue(request)
    return request


@transaction.atomic
def request_close(*, request: FrontDoorRequest, by: User, text: str) -> FrontDoorRequest:
    """Close the request: no further action, or (once assessed) the end of the front door's part."""
    require_allowed(request, EventKind.CLOSED)
    if not text.strip():
        raise ValidationError({"text": "Enter the outcome the person will read"})
    fields: dict[str, Any] = {"outcome_note": text}
    if not request.decision:
        fields.update(_decided(request, Decision.NO_FURTHER_ACTION, by))
    request = transition(request, EventKind.CLOSED, by=by, text=text, **fields)
    crm_decision_queue(request)
    return request


@transaction.atomic
@once_per_key(
    "frontdoor.request_note",
    find=lambda pk, call: RequestEvent.objects.filter(
        pk=pk, request=call["request"], by=call["by"]
    ).first(),
)
def request_note(
    *, request: FrontDoorRequest, by: User, text: str, idempotency_key: str | None = None
) -> RequestEvent:
    """An officer's note, never shown to the person; a repeat of the form's key adds none."""
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    event = event_add(request, EventKind.NOTE, by=by, text=text, public=False)
    record(action="front_door.note", by=by, obj=request, council=request.council_id)
    return event


@transaction.atomic
def request_appropriate_set(
    *, request: FrontDoorRequest, by: User, appropriate: bool
) -> FrontDoorRequest:
    """The officer's view of whether sending the request to the council was appropriate."""
    before = request.appropriate
    FrontDoorRequest.objects.filter(pk=request.pk).update(appropriate=appropriate)
    request.refresh_from_db()
    record(
        action="front_door.appropriate",
        by=by,
        obj=request,
        council=request.council_id,
        before={"appropriate": before},
        after={"appropriate": appropriate},
    )
    return request
