"""Every write to hubs, their slots and bookings.

A booking moves HELD → CONFIRMED → CANCELLED (or HELD → EXPIRED when its 30 minutes pass
unconfirmed) by compare-and-set updates checked against `BOOKING_TRANSITIONS`; a partial unique
constraint allows one live (held or confirmed) booking per slot, so two people can never book the
same time, on SQLite or PostgreSQL. E-mails to the person go through the outbox, once per key,
after the transaction commits; each carries signed links back to the booking.
"""

from __future__ import annotations

import bisect
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.core.calendar import LONDON, bank_holidays, now, to_london
from carebridge.core.formats import guide_datetime
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import Function, can_edit
from carebridge.frontdoor.access_hubs import LinkPurpose, booking_token
from carebridge.frontdoor.models import (
    BOOKING_TRANSITIONS,
    LIVE_STATUSES,
    Booking,
    BookingStatus,
    FrontDoorRequest,
    Hub,
    Slot,
)
from carebridge.frontdoor.selectors_hubs import (
    BOOKING_NOTICE,
    HOLD_FOR,
    appointment_when,
    london_midnight,
)
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council
from carebridge.people.validators import normalise_postcode, validate_postcode

B = BookingStatus

# Letters and digits that cannot be mistaken for one another when read out on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Slots are published at most this far ahead in one go, and last between these lengths.
PUBLISH_AT_MOST = timedelta(days=92)
SHORTEST_SLOT, LONGEST_SLOT = 10, 240


class BookingRefused(Exception):
    """A change the booking's or slot's state does not allow; the message says why, plainly."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class SlotUnavailable(BookingRefused):
    """The time cannot be booked: "taken", "withdrawn", "too_late", or "limit" (the person has
    enough appointments coming up)."""


def _require_officer(by: User, council_id: int) -> None:
    if by.council_id != council_id or not can_edit(by.role, Function.FRONT_DOOR):
        raise PermissionError("Only the council's front-door officers can change its hubs.")


def _transition_allowed(old: B, new: B) -> None:
    # The updates below filter on the old statuses; this keeps them in step with the table.
    assert old in BOOKING_TRANSITIONS[new], f"{old} -> {new} is not an allowed transition"


# --- Hubs --------------------------------------------------------------------------------------

HUB_FIELDS = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "opening_notes",
    "access_notes",
    "is_active",
)


def _clean_hub(hub: Hub) -> None:
    for name in HUB_FIELDS:
        value = getattr(hub, name)
        if isinstance(value, str):
            setattr(hub, name, value.strip())
    errors: dict[str, list[str]] = {}
    try:
        validate_postcode(hub.postcode)
        hub.postcode = normalise_postcode(hub.postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages
    if (
        Hub.objects.filter(council_id=hub.council_id, name__iexact=hub.name)
        .exclude(pk=hub.pk)
        .exists()
    ):
        errors["name"] = ["The council already has a hub with this name"]
    try:
        hub.full_clean(
            exclude=["created_at", "changed_at", "postcode"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@once_per_key(
    "frontdoor.hub_create",
    find=lambda pk, call: Hub.objects.filter(pk=pk, council=call["council"]).first(),
)
def hub_create(
    *, council: Council, by: User, idempotency_key: str | None = None, **fields: Any
) -> Hub:
    """Add a hub where the council's professionals meet people by appointment (once per the
    form's key)."""
    _require_officer(by, council.pk)
    unknown = set(fields) - set(HUB_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hub fields: {sorted(unknown)}")
    moment = now()
    hub = Hub(council=council, created_at=moment, changed_at=moment, **fields)
    _clean_hub(hub)
    hub.save()
    record(
        action="hub.created",
        by=by,
        obj=hub,
        council=council.pk,
        after=snapshot(hub, list(HUB_FIELDS)),
    )
    return hub


@transaction.atomic
def hub_update(*, hub: Hub, by: User, **changes: Any) -> Hub:
    """Change a hub's details; stop or restart its taking bookings with `is_active`."""
    _require_officer(by, hub.council_id)
    unknown = set(changes) - set(HUB_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hub fields: {sorted(unknown)}")
    current = Hub.objects.select_for_update().get(pk=hub.pk)
    before = snapshot(current, list(HUB_FIELDS))
    for name, value in changes.items():
        setattr(current, name, value)
    _clean_hub(current)
    after = snapshot(current, list(HUB_FIELDS))
    changed = changed_fields(before, after)
    if changed:
        current.changed_at = now()
        current.save()
        record(
            action="hub.updated",
            by=by,
            obj=current,
            council=current.council_id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return current


# --- Slots -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What publishing made: new slots, the ones already there, and the bank holidays skipped."""

    created: int
    kept: int
    bank_holidays: list[date]


def _local(day: date, at: time) -> datetime | None:
    """A London wall-clock time as a UTC instant; None for a time the spring clock change
    skips (01:00 to 02:00 on the last Sunday of March does not happen in London)."""
    moment = datetime.combine(day, at, tzinfo=LONDON)
    if moment.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != moment.replace(
        tzinfo=None
    ):
        return None
    return moment.astimezone(UTC)


def _publish_errors(
    *,
    hub: Hub,
    first_day: date,
    last_day: date,
    weekdays: set[int],
    start_time: time,
    end_time: time,
    length_minutes: int,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if first_day < to_london(now()).date():
        errors["first_day"] = "The first day must be today or in the future"
    if last_day < first_day:
        errors["last_day"] = "The last day must be the same as or after the first day"
    elif last_day - first_day > PUBLISH_AT_MOST:
        errors["last_day"] = "Publish at most 3 months of times at once"
    if not weekdays:
        errors["weekdays"] = "Select the days the hub offers appointments"
    elif not weekdays <= set(range(7)):
        errors["weekdays"] = "Days run from 0 (Monday) to 6 (Sunday)"
    if not SHORTEST_SLOT <= length_minutes <= LONGEST_SLOT:
        errors["length_minutes"] = (
            f"Appointments must last between {SHORTEST_SLOT} and {LONGEST_SLOT} minutes"
        )
    if start_time.tzinfo is not None or end_time.tzinfo is not None:
        raise ValueError("Give London wall-clock times, without a time zone")
    if end_time <= start_time:
        errors["end_time"] = "The end time must be after the start time"
    elif "length_minutes" not in errors:
        window = datetime.combine(first_day, end_time) - datetime.combine(first_day, start_time)
        if window < timedelta(minutes=length_minutes):
            errors["length_minutes"] = "One appointment must fit between the start and end times"
    return errors


@transaction.atomic
def slots_publish(
    *,
    hub: Hub,
    first_day: date,
    last_day: date,
    weekdays: set[int] | list[int] | frozenset[int],
    start_time: time,
    end_time: time,
    length_minutes: int,
    by: User,
) -> Published:
    """Offer appointments at the hub: on the chosen weekdays between the two days, back to back
    from the start time until the end time, in London time (so "10:00" stays 10:00 on both sides
    of a clock change). Bank holidays are skipped. Publishing again keeps what is there: a time
    that exists already, or overlaps one that does, is not made again."""
    _require_officer(by, hub.council_id)
    days_of_week = set(weekdays)
    errors = _publish_errors(
        hub=hub,
        first_day=first_day,
        last_day=last_day,
        weekdays=days_of_week,
        start_time=start_time,
        end_time=end_time,
        length_minutes=length_minutes,
    )
    if errors:
        raise ValidationError(errors)
    length = timedelta(minutes=length_minutes)
    candidates: list[tuple[datetime, datetime]] = []
    skipped: list[date] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days_of_week:
            if day in bank_holidays(day.year):
                skipped.append(day)
            else:
                starts_wall = datetime.combine(day, start_time)
                while starts_wall + length <= datetime.combine(day, end_time):
                    starts = _local(day, starts_wall.time())
                    ends = _local(day, (starts_wall + length).time())
                    if starts is not None and ends is not None and ends > starts:
                        candidates.append((starts, ends))
                    starts_wall += length
        day += timedelta(days=1)

    existing = list(
        Slot.objects.filter(
            hub=hub,
            starts_at__lt=london_midnight(last_day + timedelta(days=1)),
            ends_at__gt=london_midnight(first_day),
        )
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "is_withdrawn")
    )
    taken_starts = {starts for starts, _ends, _withdrawn in existing}
    # Offered times never overlap, so sorted by start their ends are sorted too.
    offered = [(s, e) for s, e, withdrawn in existing if not withdrawn]
    offered_starts = [s for s, _e in offered]
    moment = now()
    new: list[Slot] = []
    kept = 0
    for starts, ends in candidates:
        index = bisect.bisect_left(offered_starts, ends)
        overlaps = index > 0 and offered[index - 1][1] > starts
        if starts in taken_starts or overlaps:
            kept += 1
            continue
        new.append(Slot(hub=hub, starts_at=starts, ends_at=ends, created_at=moment))
    # A publication racing this one may have made some of them: those are kept, not doubled.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    record(
        action="hub.slots_published",
        by=by,
        obj=hub,
        council=hub.council_id,
        detail={
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "weekdays": sorted(days_of_week),
            "start_time": start_time.strftime("%H:%M"),
            "end_time": end_time.strftime("%H:%M"),
            "length_minutes": length_minutes,
            "created": len(new),
            "kept": kept,
            "bank_holidays": [d.isoformat() for d in skipped],
        },
    )
    return Published(created=len(new), kept=kept, bank_holidays=skipped)


def slot_withdraw(*, slot: Slot, by: User) -> Slot:
    """Stop offering a free time. A booked time must have its booking cancelled first, which
    tells the person; withdrawing twice changes nothing."""
    _require_officer(by, slot.hub.council_id)
    moment = now()
    _expire_holds(Q(slot_id=slot.pk), moment)
    with transaction.atomic():
        # Locked so that a booking cannot slip in between the check and the withdrawal (on
        # SQLite the IMMEDIATE transaction serialises writers already).
        current = Slot.objects.select_for_update().get(pk=slot.pk)
        if current.is_withdrawn:
            return current
        if current.starts_at <= moment:
            raise BookingRefused("This time has passed: it can no longer be withdrawn.")
        if Booking.objects.filter(slot=current, status__in=LIVE_STATUSES).exists():
            raise BookingRefused(
                "Someone has booked this time. Cancel their booking first: they will be told "
                "by e-mail.",
                reason="booked",
            )
        Slot.objects.filter(pk=current.pk, is_withdrawn=False).update(
            is_withdrawn=True, withdrawn_at=moment, withdrawn_by=by
        )
        current.refresh_from_db()
        record(
            action="hub.slot_withdrawn",
            by=by,
            obj=current,
            council=current.hub.council_id,
            detail={"hub": current.hub_id, "starts_at": current.starts_at.isoformat()},
        )
    return current


# --- Bookings ----------------------------------------------------------------------------------


def _new_reference() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"HB-{code}"
        if not Booking.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free booking reference")


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


def _email(booking: Booking, kind: str) -> None:
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
        errors["email"] = (
            "Enter an e-mail address in the correct format, like name@example.com"
            if values["email"]
            else "Enter your e-mail address"
        )
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
    _expire_holds(Q(slot_id=slot.pk), moment)
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
                    status=B.HELD,
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
        _email(booking, "held")
    return booking


def booking_confirm(*, booking: Booking) -> Booking:
    """Confirm a held time, from the e-mailed link. Confirming twice changes nothing; a hold
    that ran out, or a cancelled booking, is refused."""
    moment = now()
    _transition_allowed(B.HELD, B.CONFIRMED)
    with transaction.atomic():
        confirmed = Booking.objects.filter(
            pk=booking.pk, status=B.HELD, held_until__gt=moment
        ).update(status=B.CONFIRMED, confirmed_at=moment, changed_at=moment)
        current = _reload(booking.pk)
        if confirmed:
            _audit(current, "confirmed")
            _email(current, "confirmed")
            return current
    if current.status == B.CONFIRMED:
        return current
    if current.status == B.HELD:
        _expire_holds(Q(pk=current.pk), moment)
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
        _require_officer(by, council_id)
        if not reason:
            raise ValidationError({"reason": "Enter why the appointment is cancelled"})
    moment = now()
    for old in (B.HELD, B.CONFIRMED):
        _transition_allowed(old, B.CANCELLED)
    with transaction.atomic():
        current = _reload(booking.pk)
        if current.status == B.CANCELLED:
            return current
        if current.slot.starts_at <= moment:
            raise BookingRefused("This appointment has already started.", reason="started")
        cancelled = (
            Booking.objects.filter(pk=booking.pk)
            .filter(Q(status=B.CONFIRMED) | Q(status=B.HELD, held_until__gt=moment))
            .update(
                status=B.CANCELLED,
                cancelled_at=moment,
                cancelled_by=by,
                cancelled_by_council=by is not None,
                cancel_reason=reason,
                changed_at=moment,
            )
        )
        current = _reload(booking.pk)
        if cancelled:
            _audit(current, "cancelled", by=by, by_council=by is not None, reason=reason)
            _email(current, "cancelled")
            return current
    if current.status == B.CANCELLED:
        return current
    raise BookingRefused(
        "This time was not confirmed within 30 minutes, so it has been given up already.",
        reason="expired",
    )


def _expire_holds(which: Q, moment: datetime) -> int:
    """Expire the held bookings among `which` whose 30 minutes have passed, each in its own
    compare-and-set, so the expiry and a confirmation arriving at that moment cannot both win."""
    _transition_allowed(B.HELD, B.EXPIRED)
    ids = list(
        Booking.objects.filter(which, status=B.HELD, held_until__lte=moment).values_list(
            "pk", flat=True
        )[:1000]
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            if Booking.objects.filter(pk=pk, status=B.HELD, held_until__lte=moment).update(
                status=B.EXPIRED, expired_at=moment, changed_at=moment
            ):
                expired += 1
                _audit(_reload(pk), "expired")
    return expired


def bookings_expire(*, moment: datetime | None = None) -> int:
    """Expire every hold not confirmed in time, so abandoned holds free their slots; how many.
    Run every 5 minutes, and for a slot before it is booked."""
    return _expire_holds(Q(), moment or now())
