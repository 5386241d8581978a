"""Writes for front-door requests: a finished journey, asking for an assessment after
signposting, the officer's triage, the person's answers to a request for more information,
e-mail updates and feedback.

Each status change is a compare-and-set against the TRANSITIONS table, writes its event (the
person's tracking page reads the public ones) and its audit row, and queues its e-mails and the
CRM push on commit, so a double click or a race changes nothing the second time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.idempotency import create_once, once_per_key
from carebridge.core.outbound import url_refusal
from carebridge.core.permissions import Function as F
from carebridge.core.permissions import can_edit
from carebridge.frontdoor.alerts import urgent_request_alert
from carebridge.frontdoor.assessment import rules as e
from carebridge.frontdoor.assessment.eligibility import Assessment
from carebridge.frontdoor.choices import (
    TRANSITIONS,
    Decision,
    EventKind,
    RequestStatus,
    Result,
    Route,
)
from carebridge.frontdoor.models import (
    Feedback,
    FrontDoorRequest,
    FrontDoorSettings,
    RequestEvent,
)
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council
from carebridge.people import services as people
from carebridge.people.models import ServiceUser

# References are read out over the phone: no 0/O, 1/I/L, 5/S, 2/Z.
_REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"
TRACK_SALT = "frontdoor.track"


class RequestRefused(Exception):
    """A change the request's status does not allow (it moved on meanwhile)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"FD-{body[:4]}-{body[4:]}"


def track_token(request: FrontDoorRequest) -> str:
    return signing.dumps(request.pk, salt=TRACK_SALT)


def request_from_token(token: str, *, max_age_days: int = 180) -> int | None:
    """The request id an e-mailed tracking link stands for, or None when it is not genuine."""
    try:
        value = signing.loads(token, salt=TRACK_SALT, max_age=max_age_days * 86400)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def track_link(request: FrontDoorRequest) -> str:
    path = reverse(
        "care:track_link", kwargs={"council": request.council.slug, "token": track_token(request)}
    )
    return f"{settings.SITE_URL}{path}"


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
    """Who asked and who it is about, from the journey's answers (question ids in questions.py)."""

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


def _event(
    request: FrontDoorRequest,
    kind: EventKind,
    *,
    by: User | None,
    text: str = "",
    public: bool = True,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, kind=kind, status=request.status, at=now(), by=by, text=text, public=public
    )


def _email(request: FrontDoorRequest, *, key: str, template: str, **context: Any) -> None:
    """An e-mail to the person (or whoever asked for them) about their request."""
    to = request.contact_email
    if not to:
        return
    context = {
        "request": request,
        "track_link": track_link(request),
        # Read now, not from a cached relation: what the e-mail promises depends on the hours.
        "office": FrontDoorSettings.objects.filter(council_id=request.council_id).first(),
        **context,
    }
    subject = render_to_string(f"frontdoor/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"frontdoor/email/{template}.txt", context)
    email_queue(
        to=to,
        kind=NotificationKind.FRONT_DOOR,
        key=f"front-door-{request.pk}-{key}",
        subject=subject,
        body=body,
    )


def _push_to_crm(request: FrontDoorRequest) -> None:
    """Queue the CRM push in the same transaction: its row is the outbox, posted after commit."""
    from carebridge.frontdoor.crm import crm_push_queue

    crm_push_queue(request=request, event="submitted")


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
    _event(request, EventKind.SUBMITTED, by=None)
    record(
        action="front_door.submitted",
        obj=request,
        council=council,
        after={"reference": request.reference, "result": request.result, "route": request.route},
    )
    if to_queue:
        _email(request, key="received", template="received")
        _push_to_crm(request)
        urgent_request_alert(request)
    return request


def _refused(request: FrontDoorRequest) -> RequestRefused:
    return RequestRefused(
        f"This request is now “{request.get_status_display()}”: it may have been changed "
        "by someone else. Check it and try again."
    )


def _require_allowed(request: FrontDoorRequest, kind: EventKind) -> None:
    """Refuse before checking the input when the status does not allow the step at all; the
    compare-and-set in _transition still settles a race."""
    if request.status not in TRANSITIONS[kind][0]:
        raise _refused(request)


def _transition(
    request: FrontDoorRequest,
    kind: EventKind,
    *,
    by: User | None,
    text: str = "",
    public: bool = True,
    **fields: Any,
) -> FrontDoorRequest:
    allowed, new = TRANSITIONS[kind]
    moment = now()
    changed = FrontDoorRequest.objects.filter(pk=request.pk, status__in=allowed).update(
        status=new, changed_at=moment, **fields
    )
    if not changed:
        request.refresh_from_db()
        raise _refused(request)
    request.refresh_from_db()
    _event(request, kind, by=by, text=text, public=public)
    record(
        action=f"front_door.{kind}",
        by=by,
        obj=request,
        council=request.council_id,
        after={"status": new, **{k: str(v) for k, v in fields.items()}},
        detail={"text": text} if text else None,
    )
    if public and request.updates_email:
        _email(request, key=f"update-{request.events.count()}", template="update")
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
    request = _transition(
        request,
        EventKind.ASSESSMENT_ASKED,
        by=None,
        route=Route.QUEUE,
        assessment_requested=True,
    )
    _email(request, key="received", template="received")
    _push_to_crm(request)
    urgent_request_alert(request)
    return request


@transaction.atomic
def request_open(*, request: FrontDoorRequest, by: User) -> FrontDoorRequest:
    """An officer starts looking at the request."""
    return _transition(request, EventKind.OPENED, by=by)


@transaction.atomic
def information_request(*, request: FrontDoorRequest, by: User, text: str) -> FrontDoorRequest:
    """Ask the person for more information; they answer on their tracking page."""
    _require_allowed(request, EventKind.INFORMATION_REQUESTED)
    if not text.strip():
        raise ValidationError({"text": "Enter what you need to know"})
    request = _transition(request, EventKind.INFORMATION_REQUESTED, by=by, text=text)
    if not request.updates_email:
        # They must hear of it even without updates: the request waits for them.
        _email(request, key=f"information-{request.events.count()}", template="update")
    return request


@transaction.atomic
def information_give(*, request: FrontDoorRequest, text: str) -> FrontDoorRequest:
    """The person's answer to a request for more information."""
    _require_allowed(request, EventKind.INFORMATION_GIVEN)
    if not text.strip():
        raise ValidationError({"text": "Enter the information the council asked for"})
    return _transition(request, EventKind.INFORMATION_GIVEN, by=None, text=text)


@dataclass(frozen=True)
class NewServiceUser:
    """The officer's confirmed details for a person new to the council's records."""

    ss_ref: str
    first_name: str
    last_name: str
    date_of_birth: date


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
    a new one made from the officer's confirmed details."""
    _require_allowed(request, EventKind.ACCEPTED)
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
        )
    elif service_user.council_id != request.council_id:
        raise ValidationError({"service_user": "Choose one of the council's service users"})
    return _transition(
        request,
        EventKind.ACCEPTED,
        by=by,
        text=text,
        decision=Decision.ASSESSMENT,
        decided_at=now(),
        decided_by=by,
        service_user=service_user,
    )


@transaction.atomic
def request_redirect(
    *, request: FrontDoorRequest, by: User, to: str, text: str
) -> FrontDoorRequest:
    """Close the request by sending the person to the service that fits."""
    _require_allowed(request, EventKind.REDIRECTED)
    errors = {}
    if not to.strip():
        errors["redirected_to"] = "Enter the service you are redirecting them to"
    if not text.strip():
        errors["text"] = "Enter what you are telling the person"
    if errors:
        raise ValidationError(errors)
    return _transition(
        request,
        EventKind.REDIRECTED,
        by=by,
        text=text,
        decision=Decision.REDIRECTED,
        decided_at=now(),
        decided_by=by,
        redirected_to=to,
        outcome_note=text,
    )


@transaction.atomic
def request_close(*, request: FrontDoorRequest, by: User, text: str) -> FrontDoorRequest:
    """Close the request: no further action, or (once assessed) the end of the front door's part."""
    _require_allowed(request, EventKind.CLOSED)
    if not text.strip():
        raise ValidationError({"text": "Enter the outcome the person will read"})
    fields: dict[str, Any] = {"outcome_note": text}
    if not request.decision:
        fields.update(decision=Decision.NO_FURTHER_ACTION, decided_at=now(), decided_by=by)
    return _transition(request, EventKind.CLOSED, by=by, text=text, **fields)


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
    event = _event(request, EventKind.NOTE, by=by, text=text, public=False)
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


# What a front-door officer sets. Opening and closing the public front door is its own,
# confirmed action (front_door_open_set); the outbound addresses are the administrators'
# (front_door_connections_update). `is_open` stays here only for setting a council up.
SETTINGS_FIELDS = (
    "is_open",
    "contact_phone",
    "contact_hours",
    "emergency_contacts",
    "out_of_hours_contact",
    "office_opens",
    "office_closes",
    "office_days",
)
CONNECTION_FIELDS = ("directory_feed_url", "crm_webhook_url")


def _settings_row(council: Council) -> FrontDoorSettings:
    current, _created = FrontDoorSettings.objects.get_or_create(council=council)
    return current


def _audit_values(row: FrontDoorSettings, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(getattr(row, name)) for name in names}


@transaction.atomic
def front_door_settings_update(
    *, council: Council, by: User | None, **fields: Any
) -> FrontDoorSettings:
    """Change the council's front-door settings (made on first use). Only the fields given
    change: a form that did not carry a field never blanks it."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"not front-door settings: {sorted(unknown)}")
    current = _settings_row(council)
    before = _audit_values(current, SETTINGS_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    record(
        action="front_door.settings",
        by=by,
        obj=current,
        council=council,
        before=before,
        after=_audit_values(current, SETTINGS_FIELDS),
    )
    return current


@transaction.atomic
def front_door_open_set(*, council: Council, by: User | None, is_open: bool) -> FrontDoorSettings:
    """Open or close the council's public front door (the officer confirms it first). Asking
    for what is already so changes nothing and records nothing, so a repeated click is safe."""
    current = _settings_row(council)
    changed = FrontDoorSettings.objects.filter(pk=current.pk, is_open=not is_open).update(
        is_open=is_open
    )
    current.refresh_from_db()
    if changed:
        record(
            action="front_door.opened" if is_open else "front_door.closed",
            by=by,
            obj=current,
            council=council,
            before={"is_open": not is_open},
            after={"is_open": is_open},
        )
    return current


def _require_connections_editor(council: Council, by: User | None) -> None:
    # None is the system (set-up commands); a person must be this council's administrator.
    if by is not None and (by.council_id != council.pk or not can_edit(by.role, F.CONNECTIONS)):
        raise PermissionDenied("Only the council's administrators set outbound addresses")


def _refuse_outbound(fields: dict[str, Any]) -> None:
    errors = {}
    for name, value in fields.items():
        refusal = url_refusal(value) if value else ""
        if refusal:
            errors[name] = refusal
    if errors:
        raise ValidationError(errors)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def front_door_connections_update(
    *, council: Council, by: User | None, **fields: str
) -> tuple[FrontDoorSettings, str]:
    """Set where the council's directory feed is read from and where its CRM webhook posts:
    council administrators only, and only addresses the outbound guard accepts. A CRM webhook
    set with no signing secret gets one, returned (the only time it is shown) with the row;
    otherwise "" comes back."""
    _require_connections_editor(council, by)
    unknown = set(fields) - set(CONNECTION_FIELDS)
    if unknown:
        raise TypeError(f"not front-door connections: {sorted(unknown)}")
    _refuse_outbound(fields)
    current = _settings_row(council)
    before = _audit_values(current, CONNECTION_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    secret = ""
    if current.crm_webhook_url and not current.crm_webhook_secret:
        secret = current.crm_webhook_secret = _new_secret()
    current.full_clean()
    current.save()
    record(
        action="front_door.connections",
        by=by,
        obj=current,
        council=council,
        before=before,
        after=_audit_values(current, CONNECTION_FIELDS),
        # Whether a secret was made, never what it is.
        detail={"signing_secret": "made"} if secret else None,
    )
    return current, secret


@transaction.atomic
def crm_secret_renew(*, council: Council, by: User | None) -> str:
    """Make a new signing secret for the council's CRM posts and return it: it is shown once,
    to the administrator who made it, and never again (the audit log says only that it
    changed). Posts are signed with it from now on."""
    _require_connections_editor(council, by)
    current = _settings_row(council)
    secret = _new_secret()
    FrontDoorSettings.objects.filter(pk=current.pk).update(crm_webhook_secret=secret)
    record(
        action="front_door.crm_secret_renewed",
        by=by,
        obj=current,
        council=council,
        detail={"signing_secret": "renewed"},
    )
    return secret


def request_viewed(*, request: FrontDoorRequest, by: User | None, ip: str | None = None) -> None:
    """A request holds a person's answers about their health and home: every look at it is
    recorded, an officer's page (by them) and the person's own tracking page (by no account)."""
    record(
        action="front_door.viewed" if by is not None else "front_door.tracked",
        by=by,
        obj=request,
        council=request.council_id,
        ip_address=ip,
    )
