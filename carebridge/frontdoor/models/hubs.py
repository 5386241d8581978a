"""Local hubs, the appointment slots they publish, and bookings of them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from carebridge.core.formats import guide_datetime
from carebridge.core.lifecycle import Lifecycle
from carebridge.frontdoor.models.requests import FrontDoorRequest
from carebridge.organisations.models import Council

__all__ = ["BOOKING_TRANSITIONS", "LIVE_STATUSES", "Booking", "BookingStatus", "Hub", "Slot"]


class Hub(models.Model):
    """A local place where people meet an adult social care professional face to face, by
    appointment: a community hub, a library or a council office."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="hubs")
    name = models.CharField(max_length=200)
    address_line_1 = models.CharField("Address line 1", max_length=200)
    address_line_2 = models.CharField("Address line 2", max_length=200, blank=True)
    town = models.CharField("Town or city", max_length=100)
    postcode = models.CharField(max_length=8)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField("E-mail address", blank=True)
    opening_notes = models.CharField(
        "Opening times",
        max_length=300,
        blank=True,
        help_text='For example "Monday to Friday, 9am to 5pm".',
    )
    access_notes = models.TextField(
        "Getting there and access",
        blank=True,
        help_text="Step-free access, parking, buses, hearing loop, quiet room: what people "
        "should know before they come.",
    )
    is_active = models.BooleanField(
        "Taking bookings",
        default=True,
        help_text="A hub that is not taking bookings is not offered to the public.",
    )
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="frontdoor_hub_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [
            line
            for line in (self.address_line_1, self.address_line_2, self.town, self.postcode)
            if line
        ]

    @property
    def address(self) -> str:
        return ", ".join(self.address_lines)


class Slot(models.Model):
    """A time a hub offers for one appointment; stored in UTC, published and read in London
    time. A withdrawn slot is kept (its bookings' history refers to it) but never offered."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_withdrawn = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "starts_at"], name="frontdoor_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="frontdoor_slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub}, {guide_datetime(self.starts_at)}"


class BookingStatus(models.TextChoices):
    """Where a booking stands: held until the person confirms it from the e-mailed link."""

    HELD = "held", "Waiting for confirmation"
    CONFIRMED = "confirmed", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Not confirmed in time"


# A slot has at most one booking in these statuses (the constraint below).
LIVE_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)

_B = BookingStatus
# What may happen to a booking: {event: (the statuses it may happen from, the status it leads
# to)}. A booking is made held (from no status); the services move it only by this table's
# compare-and-set, BOOKING_TRANSITIONS.move.
BOOKING_TRANSITIONS: Lifecycle[str, BookingStatus] = Lifecycle(
    {
        "hold": ((), _B.HELD),
        "confirm": ({_B.HELD}, _B.CONFIRMED),
        "cancel": ({_B.HELD, _B.CONFIRMED}, _B.CANCELLED),
        "expire": ({_B.HELD}, _B.EXPIRED),
    }
)


class Booking(models.Model):
    """A person's appointment in a slot, booked from the public pages without an account;
    the e-mailed links to confirm and to cancel it are the person's only way back to it."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    reference = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField("E-mail address")
    phone = models.CharField(max_length=30, blank=True)
    about = models.CharField("What they would like to talk about", max_length=500, blank=True)
    request = models.ForeignKey(
        FrontDoorRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        help_text="The front-door request the person came from, when they had one.",
    )
    created_at = models.DateTimeField()
    changed_at = models.DateTimeField()
    held_until = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_by_council = models.BooleanField(default=False)
    cancel_reason = models.TextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # What makes double booking impossible, whatever the database and however many
            # people press "Book appointment" at once.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="frontdoor_booking_one_live_per_slot",
            ),
        ]
        indexes = [models.Index(fields=["status", "held_until"])]

    def __str__(self) -> str:
        # The reference alone: audit rows and admin lists never carry the person's name.
        return self.reference

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES
