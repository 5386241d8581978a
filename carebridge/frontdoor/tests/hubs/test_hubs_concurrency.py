"""Races on a hub's times that only a real database server shows: many people booking the same
time at once, and confirming or cancelling the same booking at once (run on PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from carebridge.audit.models import Event
from carebridge.core.calendar import now, to_london
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.models import Booking, BookingStatus, Slot
from carebridge.frontdoor.tests.hubs.test_hubs_support import first_slot, hold, make_hub, publish
from carebridge.frontdoor.tests.support_requests import open_council
from carebridge.notifications.models import Notification
from tests.support import make_user, run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]
B = BookingStatus


def _a_free_slot():
    council = open_council()
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    tomorrow = to_london(now()).date() + timedelta(days=1)
    # A week of every day, so a bank holiday tomorrow still leaves times.
    publish(hub, officer, tomorrow, tomorrow + timedelta(days=6))
    return first_slot(hub), officer


def _outcome(call):
    """A refusal is an outcome here: anything else fails the test in run_together."""
    try:
        return call()
    except services.BookingRefused as refusal:
        return refusal


def test_twelve_people_booking_the_same_time_at_once_get_it_once():
    slot, _officer = _a_free_slot()
    people = iter(range(12))
    lock = threading.Lock()

    def book():
        with lock:
            number = next(people)
        return _outcome(
            lambda: hold(slot, name=f"Person {number}", email=f"person{number}@example.org")
        )

    outcomes = run_together(book, 12)

    won = [o for o in outcomes if isinstance(o, Booking)]
    refused = [o for o in outcomes if isinstance(o, services.SlotUnavailable)]
    assert len(won) == 1 and len(refused) == 11, outcomes
    assert {r.reason for r in refused} == {"taken"}
    assert list(Booking.objects.values_list("status", flat=True)) == [B.HELD]
    assert Event.objects.filter(action="booking.held").count() == 1
    held_emails = Notification.objects.filter(key__endswith=":held")
    assert list(held_emails.values_list("to_email", flat=True)) == [won[0].email]


def test_booking_every_time_of_a_day_at_once_books_each_once():
    slot, _officer = _a_free_slot()
    slots = list(Slot.objects.filter(hub=slot.hub).order_by("starts_at")[:4])
    # Three people for each of four times, all at once.
    wanted = iter([s for s in slots for _ in range(3)])
    lock = threading.Lock()

    def book():
        with lock:
            chosen = next(wanted)
        return _outcome(lambda: hold(chosen))

    outcomes = run_together(book, 12)

    assert sum(isinstance(o, Booking) for o in outcomes) == 4
    assert sorted(Booking.objects.values_list("slot_id", flat=True)) == sorted(s.pk for s in slots)


def test_confirming_the_same_booking_at_once_confirms_it_once():
    slot, _officer = _a_free_slot()
    booking = hold(slot)

    outcomes = run_together(lambda: _outcome(lambda: services.booking_confirm(booking=booking)), 8)

    assert all(isinstance(o, Booking) and o.status == B.CONFIRMED for o in outcomes), outcomes
    assert len({o.confirmed_at for o in outcomes}) == 1
    assert Event.objects.filter(action="booking.confirmed").count() == 1
    assert Notification.objects.filter(key__endswith=":confirmed").count() == 1


def test_cancelling_the_same_booking_at_once_cancels_it_once():
    slot, officer = _a_free_slot()
    booking = services.booking_confirm(booking=hold(slot))
    turns = iter(range(8))
    lock = threading.Lock()

    def cancel():
        with lock:
            turn = next(turns)
        # Half from the person's link, half by an officer.
        if turn % 2:
            return _outcome(
                lambda: services.booking_cancel(booking=booking, by=officer, reason="Hub closed")
            )
        return _outcome(lambda: services.booking_cancel(booking=booking))

    outcomes = run_together(cancel, 8)

    assert all(isinstance(o, Booking) and o.status == B.CANCELLED for o in outcomes), outcomes
    assert Event.objects.filter(action="booking.cancelled").count() == 1
    assert Notification.objects.filter(key__endswith=":cancelled").count() == 1


def test_confirming_and_cancelling_at_once_leaves_it_cancelled_once():
    slot, _officer = _a_free_slot()
    booking = hold(slot)
    turns = iter(range(8))
    lock = threading.Lock()

    def confirm_or_cancel():
        with lock:
            turn = next(turns)
        if turn % 2:
            return _outcome(lambda: services.booking_confirm(booking=booking))
        return _outcome(lambda: services.booking_cancel(booking=booking))

    outcomes = run_together(confirm_or_cancel, 8)

    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    assert Event.objects.filter(action="booking.cancelled").count() == 1
    assert Event.objects.filter(action="booking.confirmed").count() <= 1
    refusals = [o for o in outcomes if isinstance(o, services.BookingRefused)]
    assert {r.reason for r in refusals} <= {"cancelled"}


def test_withdrawing_a_time_while_people_book_it_never_leaves_a_withdrawn_time_booked():
    slot, officer = _a_free_slot()
    turns = iter(range(8))
    lock = threading.Lock()

    def book_or_withdraw():
        with lock:
            turn = next(turns)
        if turn == 0:
            return _outcome(lambda: services.slot_withdraw(slot=slot, by=officer))
        return _outcome(lambda: hold(slot, email=f"person{turn}@example.org"))

    run_together(book_or_withdraw, 8)

    slot.refresh_from_db()
    live = Booking.objects.filter(slot=slot, status__in=[B.HELD, B.CONFIRMED]).count()
    assert (slot.is_withdrawn, live) in {(True, 0), (False, 1)}
