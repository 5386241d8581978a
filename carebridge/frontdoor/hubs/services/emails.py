"""The e-mails to the person who booked: one per step (held, confirmed, cancelled), through the
outbox once per key, after the transaction commits; each carries signed links back to the
booking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.core.formats import guide_datetime
from carebridge.frontdoor.hubs.access import LinkPurpose, booking_token
from carebridge.frontdoor.hubs.selectors import appointment_when
from carebridge.frontdoor.models import Booking
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue


def _link(name: str, **kwargs: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"


def booking_links(booking: Booking) -> dict[str, str]:
    """The absolute links e-mailed to the person: to confirm, to see or cancel, to book."""
    council = booking.slot.hub.council.slug
    return {
        "confirm": _link(
            "care:appointment_confirm",
            council=council,
            token=booking_token(booking, LinkPurpose.CONFIRM),
        ),
        "manage": _link(
            "care:appointment_detail",
            council=council,
            token=booking_token(booking, LinkPurpose.MANAGE),
        ),
        "book": _link("care:appointment_start", council=council),
    }


EMAIL_SUBJECTS = {
    "held": "Confirm your appointment at {hub}",
    "confirmed": "Your appointment at {hub} is booked",
    "cancelled": "Your appointment at {hub} has been cancelled",
}


def email_person(booking: Booking, kind: str) -> None:
    """The e-mail of a step, once per booking: a repeat or a race sends nothing more."""
    hub = booking.slot.hub
    body = render_to_string(
        f"frontdoor/hubs/email/{kind}.txt",
        {
            "booking": booking,
            "hub": hub,
            "council": hub.council,
            "when": appointment_when(booking.slot),
            "held_until": guide_datetime(booking.held_until),
            "links": booking_links(booking),
        },
    )
    email_queue(
        to=booking.email,
        kind=NotificationKind.FRONT_DOOR,
        key=f"frontdoor-booking:{booking.pk}:{kind}",
        subject=EMAIL_SUBJECTS[kind].format(hub=hub.name),
        body=body,
    )
