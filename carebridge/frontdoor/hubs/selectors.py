"""Reads for hubs and appointments: the free times the public can book, and an officer's view
of a hub's week. Every time is stored in UTC and grouped and shown by its London day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from carebridge.accounts.models import User
from carebridge.core.calendar import london_midnight, to_london
from carebridge.core.formats import guide_time
from carebridge.frontdoor.models import Booking, BookingStatus, Hub, Slot
from carebridge.organisations.models import Council

# A held booking waits this long for the person to confirm it from the e-mailed link.
HOLD_FOR = timedelta(minutes=30)
# The public can book a time up to this long before it starts, and this far ahead.
BOOKING_NOTICE = timedelta(hours=1)
BOOKING_WINDOW = timedelta(weeks=3)


def live_booking(moment: datetime, prefix: str = "") -> Q:
    """A booking that takes its slot: confirmed, or held and still inside its hold."""
    return Q(**{f"{prefix}status": BookingStatus.CONFIRMED}) | Q(
        **{f"{prefix}status": BookingStatus.HELD, f"{prefix}held_until__gt": moment}
    )


def day_label(day: date) -> str:
    """A day as GOV.UK writes it: "Monday 23 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def appointment_when(slot: Slot) -> str:
    """ "10:30am to 11:00am on Monday 23 November 2026", in London time."""
    return (
        f"{guide_time(slot.starts_at)} to {guide_time(slot.ends_at)} on "
        f"{day_label(to_london(slot.starts_at).date())}"
    )


# --- The public pages --------------------------------------------------------------------------


def public_hubs(council: Council) -> QuerySet[Hub]:
    """The council's hubs that take bookings, as the public chooses among them."""
    return Hub.objects.filter(council=council, is_active=True).order_by("name")


def free_slots(hub: Hub, *, moment: datetime) -> QuerySet[Slot]:
    """The hub's times the public can book now: not withdrawn, far enough ahead, within the
    booking window, and with no live booking (a hold past its time no longer counts)."""
    taken = Exists(Booking.objects.filter(live_booking(moment), slot=OuterRef("pk")))
    return (
        Slot.objects.filter(
            hub=hub,
            is_withdrawn=False,
            starts_at__gte=moment + BOOKING_NOTICE,
            starts_at__lt=moment + BOOKING_WINDOW,
        )
        .filter(~taken)
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class FreeDay:
    day: date
    label: str
    slots: list[Slot]


def free_slots_by_day(hub: Hub, *, moment: datetime) -> list[FreeDay]:
    """The free times of the next three weeks, grouped by their London day."""
    days: dict[date, list[Slot]] = {}
    for slot in free_slots(hub, moment=moment):
        days.setdefault(to_london(slot.starts_at).date(), []).append(slot)
    return [FreeDay(day, day_label(day), slots) for day, slots in days.items()]


# --- The officers' pages -----------------------------------------------------------------------


def hubs_of(user: User) -> QuerySet[Hub]:
    """The hubs of the officer's council (none for anyone outside a council)."""
    if user.council_id is None:
        return Hub.objects.none()
    return Hub.objects.filter(council_id=user.council_id)


def hubs_with_counts(user: User, *, moment: datetime) -> QuerySet[Hub]:
    """The council's hubs with, over the booking window, the times offered and booked."""
    window = Q(slots__starts_at__gte=moment, slots__starts_at__lt=moment + BOOKING_WINDOW)
    return hubs_of(user).annotate(
        offered=Count("slots", filter=window & Q(slots__is_withdrawn=False), distinct=True),
        booked=Count(
            "slots__bookings",
            filter=window & Q(slots__bookings__status=BookingStatus.CONFIRMED),
            distinct=True,
        ),
    )


@dataclass
class SlotRow:
    """A slot as the officer's week shows it: its live booking, and any earlier ones."""

    slot: Slot
    state: str
    booking: Booking | None
    earlier: list[Booking] = field(default_factory=list)

    @property
    def can_withdraw(self) -> bool:
        return self.state == "Free"

    @property
    def can_cancel(self) -> bool:
        return self.booking is not None and self.state != "Past"


@dataclass(frozen=True)
class WeekDay:
    day: date
    label: str
    rows: list[SlotRow]


def week_start(day: date) -> date:
    """The Monday of a day's week."""
    return day - timedelta(days=day.weekday())


def hub_week(hub: Hub, monday: date, *, moment: datetime) -> list[WeekDay]:
    """The hub's slots of a week, each with its bookings, in two queries."""
    slots = (
        Slot.objects.filter(
            hub=hub,
            starts_at__gte=london_midnight(monday),
            starts_at__lt=london_midnight(monday + timedelta(days=7)),
        )
        .order_by("starts_at")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.select_related("request").order_by("created_at", "pk"),
            )
        )
    )
    days: dict[date, list[SlotRow]] = {}
    for slot in slots:
        bookings = list(slot.bookings.all())
        live = next(
            (
                b
                for b in bookings
                if b.status == BookingStatus.CONFIRMED
                or (b.status == BookingStatus.HELD and b.held_until > moment)
            ),
            None,
        )
        if slot.starts_at <= moment:
            state = "Past"
        elif slot.is_withdrawn:
            state = "Withdrawn"
        elif live is None:
            state = "Free"
        else:
            state = BookingStatus(live.status).label
        row = SlotRow(slot, state, live, [b for b in bookings if b is not live])
        days.setdefault(to_london(slot.starts_at).date(), []).append(row)
    return [WeekDay(day, day_label(day), rows) for day, rows in days.items()]


def bookings_of_request(request_id: int) -> QuerySet[Booking]:
    """The appointments booked from a front-door request, newest first, for its officer page."""
    return (
        Booking.objects.filter(request_id=request_id)
        .select_related("slot__hub")
        .order_by("-created_at")
    )
