"""Who may reach a hub, a slot or a booking.

Officers: the front-door officers of the hub's council; anyone else's hub is not found (404),
and a role without the front door is refused (403). The public: only through the signed links
e-mailed to the person who booked, which name the booking and are checked against the council
whose pages they are opened on.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.core.permissions import Function, require_function
from carebridge.frontdoor.hubs.selectors import HOLD_FOR, hubs_of
from carebridge.frontdoor.models import Booking, Hub, Slot
from carebridge.organisations.models import Council


def require_front_door_officer(user: User, *, edit: bool = False) -> Council:
    """The council whose hubs the officer looks after; 403 for other roles and providers."""
    require_function(user, Function.FRONT_DOOR, edit=edit)
    if user.council is None:
        raise PermissionDenied
    return user.council


def access_hub(user: User, pk: int, *, for_change: bool = False) -> Hub:
    require_front_door_officer(user, edit=for_change)
    hub = hubs_of(user).select_related("council").filter(pk=pk).first()
    if hub is None:
        raise Http404("No such hub")
    return hub


def access_slot(user: User, pk: int, *, for_change: bool = False) -> Slot:
    council = require_front_door_officer(user, edit=for_change)
    slot = Slot.objects.select_related("hub__council").filter(pk=pk, hub__council=council).first()
    if slot is None:
        raise Http404("No such slot")
    return slot


def access_booking(user: User, pk: int, *, for_change: bool = False) -> Booking:
    council = require_front_door_officer(user, edit=for_change)
    booking = (
        Booking.objects.select_related("slot__hub__council", "request")
        .filter(pk=pk, slot__hub__council=council)
        .first()
    )
    if booking is None:
        raise Http404("No such booking")
    return booking


# --- The e-mailed links ------------------------------------------------------------------------


class LinkPurpose(StrEnum):
    """What a link lets its holder do: confirm a held time, or see and cancel the booking."""

    CONFIRM = "confirm"
    MANAGE = "manage"


# A confirmation link lives as long as the hold; a manage link until the appointment starts.
CONFIRM_LINK_LIFETIME = HOLD_FOR


class LinkProblem(Exception):
    """A link that cannot be followed."""


class LinkInvalid(LinkProblem):
    """Not one of our links (altered, cut short, for another purpose or another council)."""


class LinkExpired(LinkProblem):
    """One of our links, too old to use; it still names its booking, so the page can say why."""

    def __init__(self, booking: Booking) -> None:
        super().__init__(f"The link for booking {booking.reference} has expired")
        self.booking = booking


def _salt(purpose: LinkPurpose) -> str:
    return f"carebridge.frontdoor.hubs.{purpose.value}"


def booking_token(booking: Booking, purpose: LinkPurpose) -> str:
    """A signed token naming the booking and when the link was made, for a link in an e-mail
    (no personal data in it). The time is the product's clock, which tests can freeze."""
    return signing.dumps(
        {"b": booking.pk, "r": booking.reference, "t": int(now().timestamp())},
        salt=_salt(purpose),
    )


def access_booking_by_link(council: Council, token: str, purpose: LinkPurpose) -> Booking:
    """The booking a link names, on the pages of its own council; LinkInvalid otherwise, and
    LinkExpired when it is too old (a confirmation link after its 30 minutes, a manage link
    once the appointment has started)."""
    try:
        data: Any = signing.loads(token, salt=_salt(purpose))
    except signing.BadSignature as error:
        raise LinkInvalid("Not a valid link") from error
    pk = data.get("b") if isinstance(data, dict) else None
    reference = data.get("r") if isinstance(data, dict) else None
    made = data.get("t") if isinstance(data, dict) else None
    if not (isinstance(pk, int) and isinstance(reference, str) and isinstance(made, int)):
        raise LinkInvalid("Not a valid link")
    booking = (
        Booking.objects.select_related("slot__hub__council", "request")
        .filter(pk=pk, reference=reference, slot__hub__council=council)
        .first()
    )
    if booking is None:
        raise LinkInvalid("Not a valid link")
    moment = now()
    if purpose == LinkPurpose.CONFIRM:
        if moment.timestamp() - made > CONFIRM_LINK_LIFETIME.total_seconds():
            raise LinkExpired(booking)
    elif booking.slot.starts_at <= moment:
        raise LinkExpired(booking)
    return booking
