"""Every write to hubs, their slots and bookings: hubs.py (a hub's details), slots.py
(publishing and withdrawing times), bookings.py (a person's booking, held, confirmed,
cancelled or expired) and emails.py (what the person is sent). Callers import from here."""

from carebridge.frontdoor.hubs.services.bookings import (
    BOOKING_HOLD,
    MAX_UPCOMING_PER_PERSON,
    REFERENCE_ALPHABET,
    BookingRefused,
    SlotUnavailable,
    booking_cancel,
    booking_confirm,
    booking_hold,
    booking_viewed,
    bookings_expire,
)
from carebridge.frontdoor.hubs.services.emails import EMAIL_SUBJECTS, booking_links
from carebridge.frontdoor.hubs.services.hubs import HUB_FIELDS, hub_create, hub_update
from carebridge.frontdoor.hubs.services.slots import (
    LONGEST_SLOT,
    PUBLISH_AT_MOST,
    SHORTEST_SLOT,
    Published,
    slot_withdraw,
    slots_publish,
)

__all__ = [
    "BOOKING_HOLD",
    "EMAIL_SUBJECTS",
    "HUB_FIELDS",
    "LONGEST_SLOT",
    "MAX_UPCOMING_PER_PERSON",
    "PUBLISH_AT_MOST",
    "REFERENCE_ALPHABET",
    "SHORTEST_SLOT",
    "BookingRefused",
    "Published",
    "SlotUnavailable",
    "booking_cancel",
    "booking_confirm",
    "booking_hold",
    "booking_links",
    "booking_viewed",
    "bookings_expire",
    "hub_create",
    "hub_update",
    "slot_withdraw",
    "slots_publish",
]
