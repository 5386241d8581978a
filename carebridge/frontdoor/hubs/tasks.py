"""Background work for hub appointments: every 5 minutes, holds nobody confirmed within their
30 minutes are expired, so abandoned holds give their slots back. Safe to run twice or at once:
each expiry is a compare-and-set."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def expire_booking_holds() -> int:
    from carebridge.frontdoor.hubs.services import bookings_expire

    return bookings_expire()
