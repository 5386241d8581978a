"""What each change to a front-door request leaves behind: its event (the person's tracking
page reads the public ones), the e-mail to the person, the CRM push, and the record of every
look at it; and the signed tracking link the e-mails carry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.frontdoor.choices import EventKind
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings, RequestEvent
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue

TRACK_SALT = "frontdoor.track"


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


def event_add(
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


def email_person(request: FrontDoorRequest, *, key: str, template: str, **context: Any) -> None:
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


def crm_push(request: FrontDoorRequest) -> None:
    """Queue the CRM push in the same transaction: its row is the outbox, posted after commit."""
    from carebridge.frontdoor.requests.crm import crm_push_queue

    crm_push_queue(request=request, event="submitted")


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
