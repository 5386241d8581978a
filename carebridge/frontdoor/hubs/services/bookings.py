"""A person's booking of a hub's time: held, confirmed, cancelled, or expired.

A booking is made HELD and moves HELD → CONFIRMED → CANCELLED (or HELD → EXPIRED when its 30
minutes pass unconfirmed) only by `BOOKING_TRANSITIONS.move`, a compare-and-set; a partial unique
constraint allows one live (held or confirmed) booking per slot, so two people can never book the
same time, on SQLite or PostgreSQL. E-mails to the person go through the outbox (emails.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.forms import EMAIL_FORMAT_MESSAGE
from carebridge.core.idempotency import once_per_key
from carebridge.frontdoor.hubs.selectors import BOOKING_NOTICE, HOLD_FOR
from carebridge.frontdoor.hubs.services.emails import email_person
from carebridge.frontdoor.hubs.services.hubs import require_officer
from carebridge.frontdoor.models import (
    BOOKING_TRANSITIONS,
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    FrontDoorRequest,
    Hub,
    Slot,
)

B = BookingStatus

# Letters and digits that cannot be mistaken for one another when read out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class BookingRefused(Refused):
    """A change the booking's or slot's state does not allow; the message says why, plainly,
    and `reason` names the case for the page."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class SlotUnavailable(BookingRefused):
    """The time cannot be booked: "taken", "withdrawn", "too_late", or "limit" (the person has
    enough appointments coming up)."""


def _new_reference() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"HB-{code}"
        if not Booking.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free booking reference")


def _audit(booking: Booking, action: str, by: User | None = None, **detail: Any) -> None:
    record(
        action=f"booking.{action}",
        by=by,
        obj=booking,
        council=booking.slot.hub.council_id,
        detail={
            "reference": booking.reference,
            "slot": booking.slot_id,
            "hub": booking.slot.hub.name,
            "starts_at": booking.slot.starts_at.isoformat(),
            **detail,
        },
    )


def booking_viewed(*, booking: Booking, ip: str | None = None) -> None:
    """The person's appointment page, opened from their e-mailed link: their name and where
    they will be, so the look is recorded (by no account: the link is the key)."""
    record(
        action="booking.viewed",
        obj=booking,
        council=booking.slot.hub.council_id,
        detail={"reference": booking.reference},
        ip_address=ip,
    )


def _reload(booking_id: int) -> Booking:
    return Booking.objects.select_related("slot__hub__council").get(pk=booking_id)


def _clean_person(name: str, email: str, phone: str, about: str) -> dict[str, str]:
    values = {
        "name": name.strip(),
        "email": email.strip(),
        "phone": phone.strip(),
        "about": about.strip(),
    }
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter your name"
    elif len(values["name"]) > 200:
        errors["name"] = "Your name must be 200 characters or fewer"
    try:
        validate_email(values["email"])
    except ValidationError:
        errors["email"] = EMAIL_FORMAT_MESSAGE if values["email"] else "Enter your e-mail address"
    if len(values["phone"]) > 30:
        errors["phone"] = "The phone number must be 30 characters or fewer"
    if len(values["about"]) > 500:
        errors["about"] = "What you would like to talk about must be 500 characters or fewer"
    if errors:
        raise ValidationError(errors)
    return values


# The most appointments still to come that one e-mail address may hold or have booked.
MAX_UPCOMING_PER_PERSON = 2


# What "Book appointment" claims its form token for: the page asks before it looks at the time.
BOOKING_HOLD = "frontdoor.booking_hold"


@once_per_key(
    BOOKING_HOLD,
    find=lambda pk, call: Booking.objects.filter(pk=pk, slot=call["slot"]).first(),
)
def booking_hold(
    *,
    slot: Slot,
    name: str,
    email: str,
    phone: str = "",
    about: str = "",
    request: FrontDoorRequest | None = None,
    idempotency_key: str | None = None,
) -> Booking:
    """Hold a time for the person for 30 minutes and e-mail them the link that confirms it
    (and the one that cancels it). SlotUnavailable when it has just gone: another person's
    live booking has it, an officer withdrew it, or it starts too soon. A repeat of the page's
    key (a double click) returns the person's own hold, not "someone has just booked it"."""
    values = _clean_person(name, email, phone, about)
    hub = Hub.objects.select_related("council").get(pk=slot.hub_id)
    if request is not None and request.council_id != hub.council_id:
        raise ValueError("The request belongs to another council")
    moment = now()
    # Holds nobody confirmed give their slot back first.
    expire_holds(Q(slot_id=slot.pk), moment)
    upcoming = Booking.objects.filter(
        email__iexact=values["email"],
        status__in=LIVE_STATUSES,
        slot__hub__council_id=hub.council_id,
        slot__starts_at__gt=moment,
    ).count()
    if upcoming >= MAX_UPCOMING_PER_PERSON:
        # One person needs one conversation at a time; it also keeps anyone from holding a
        # hub's whole week with one address.
        raise SlotUnavailable(
            f"You already have {upcoming} appointments coming up. Cancel one from the link in "
            "its e-mail before booking another.",
            reason="limit",
        )
    with transaction.atomic():
        current = Slot.objects.select_for_update().filter(pk=slot.pk).first()
        if current is None or current.is_withdrawn or not hub.is_active:
            raise SlotUnavailable(
                "Sorry, this time is no longer offered. Choose another time.", reason="withdrawn"
            )
        if current.starts_at < moment + BOOKING_NOTICE:
            raise SlotUnavailable(
                "Sorry, this time is too soon to book now. Choose another time.",
                reason="too_late",
            )
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    slot=current,
                    status=BOOKING_TRANSITIONS.target("hold"),
                    reference=_new_reference(),
                    request=request,
                    created_at=moment,
                    changed_at=moment,
                    held_until=min(moment + HOLD_FOR, current.starts_at),
                    **values,
                )
        except IntegrityError:
            if Booking.objects.filter(slot=current, status__in=LIVE_STATUSES).exists():
                raise SlotUnavailable(
                    "Sorry, someone has just booked this time. Choose another time.",
                    reason="taken",
                ) from None
            raise
        booking = _reload(booking.pk)
        _audit(booking, "held", held_until=booking.held_until.isoformat())
        email_person(booking, "held")
    return booking


def booking_confirm(*, booking: Booking) -> Booking:
    """Confirm a held time, from the e-mailed link. Confirming twice changes nothing; a hold
    that ran out, or a cancelled booking, is refused."""
    moment = now()
    with transaction.atomic():
        confirmed = BOOKING_TRANSITIONS.move(
            Booking,
            booking.pk,
            "confirm",
            guard={"held_until__gt": moment},
            confirmed_at=moment,
            changed_at=moment,
        )
        current = _reload(booking.pk)
        if confirmed:
            _audit(current, "confirmed")
            email_person(current, "confirmed")
            return current
    if current.status == B.CONFIRMED:
        return current
    if current.status == B.HELD:
        expire_holds(Q(pk=current.pk), moment)
        current = _reload(current.pk)
    if current.status == B.EXPIRED:
        raise BookingRefused(
            "Sorry, you did not confirm this time within 30 minutes, so it has been given up. "
            "Book another time.",
            reason="expired",
        )
    raise BookingRefused("This appointment has been cancelled.", reason="cancelled")


def booking_cancel(*, booking: Booking, by: User | None = None, reason: str = "") -> Booking:
    """Cancel a booking: by the person, from the e-mailed link (`by` None), or by a front-door
    officer of its council with the reason the person is told. Either way the person is
    e-mailed, once; cancelling twice changes nothing."""
    reason = reason.strip()
    council_id = booking.slot.hub.council_id
    if by is not None:
        require_officer(by, council_id)
        if not reason:
            raise ValidationError({"reason": "Enter why the appointment is cancelled"})
    moment = now()
    with transaction.atomic():
        current = _reload(booking.pk)
        if current.status == B.CANCELLED:
            return current
        if current.slot.starts_at <= moment:
            raise BookingRefused("This appointment has already started.", reason="started")
        cancelled = _cancel(booking.pk, moment, by=by, reason=reason)
        current = _reload(booking.pk)
        if cancelled:
            _audit(current, "cancelled", by=by, by_council=by is not None, reason=reason)
            email_person(current, "cancelled")
            return current
    if current.status == B.CANCELLED:
        return current
    raise BookingRefused(
        "This time was not confirmed within 30 minutes, so it has been given up already.",
        reason="expired",
    )


def _cancel(pk: int, moment: datetime, *, by: User | None, reason: str) -> bool:
    """Cancel the booking if it is confirmed, or held and still inside its hold (a hold past
    its time is given up, not cancelled). Two compare-and-sets, the hold's first: a booking only
    moves forward (held, then confirmed), so between them they find what one UPDATE with both
    conditions would."""
    changes = {
        "cancelled_at": moment,
        "cancelled_by": by,
        "cancelled_by_council": by is not None,
        "cancel_reason": reason,
        "changed_at": moment,
    }
    return BOOKING_TRANSITIONS.move(
        Booking, pk, "cancel", guard={"status": B.HELD, "held_until__gt": moment}, **changes
    ) or BOOKING_TRANSITIONS.move(Booking, pk, "cancel", guard={"status": B.CONFIRMED}, **changes)


def expire_holds(which: Q, moment: datetime) -> int:
    """Expire the held bookings among `which` whose 30 minutes have passed, each in its own
    compare-and-set, so the expiry and a confirmation arriving at that moment cannot both win."""
    ids = list(
        Booking.objects.filter(
            which, status__in=BOOKING_TRANSITIONS.sources("expire"), held_until__lte=moment
        ).values_list("pk", flat=True)[:1000]
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            if BOOKING_TRANSITIONS.move(
                Booking,
                pk,
                "expire",
                guard={"held_until__lte": moment},
                expired_at=moment,
                changed_at=moment,
            ):
                expired += 1
                _audit(_reload(pk), "expired")
    return expired


def bookings_expire(*, moment: datetime | None = None) -> int:
    """Expire every hold not confirmed in time, so abandoned holds free their slots; how many.
    Run every 5 minutes, and for a slot before it is booked."""
    return expire_holds(Q(), moment or now())
