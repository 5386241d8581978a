"""Hubs, their published times and bookings: London times across the clock change, bank
holidays, publishing again, holds that expire, confirming and cancelling once, withdrawing,
who may change what, the e-mails and the demo."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.audit.models import Event
from carebridge.core.calendar import to_london
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.hubs.access import (
    LinkExpired,
    LinkInvalid,
    LinkPurpose,
    access_booking_by_link,
    booking_token,
)
from carebridge.frontdoor.hubs.selectors import free_slots, free_slots_by_day, hub_week
from carebridge.frontdoor.hubs.tasks import expire_booking_holds
from carebridge.frontdoor.models import Booking, BookingStatus, Hub, Slot
from carebridge.frontdoor.tests.hubs.test_hubs_support import (
    START,
    first_slot,
    freeze,
    hold,
    make_hub,
    publish,
)
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.notifications.models import Notification
from tests.support import make_user

pytestmark = pytest.mark.django_db
B = BookingStatus


@pytest.fixture
def clock(monkeypatch):
    return freeze(monkeypatch)


@pytest.fixture
def hub(council, officer, clock):
    return make_hub(council, officer)


@pytest.fixture
def slot(hub, officer):
    publish(hub, officer, date(2026, 10, 20))  # Tuesday: 10:00, 10:30, 11:00, 11:30
    return first_slot(hub)


# --- Publishing --------------------------------------------------------------------------------


def test_it_publishes_london_times_on_both_sides_of_the_october_clock_change(hub, officer):
    published = publish(
        hub, officer, date(2026, 10, 22), date(2026, 10, 27), weekdays={0, 1, 2, 3, 4}
    )

    slots = list(Slot.objects.filter(hub=hub).order_by("starts_at"))
    # Thursday, Friday, then (clocks back on Sunday 25th) Monday, Tuesday: 4 times a day.
    assert published.created == 16 == len(slots)
    local = [to_london(s.starts_at) for s in slots]
    assert {(d.date(), d.strftime("%H:%M")) for d in local} == {
        (day, hhmm)
        for day in (date(2026, 10, 22), date(2026, 10, 23), date(2026, 10, 26), date(2026, 10, 27))
        for hhmm in ("10:00", "10:30", "11:00", "11:30")
    }
    # Stored in UTC: 9am UTC in summer time, 10am UTC after it ends.
    assert slots[0].starts_at.astimezone(UTC).hour == 9
    assert slots[-4].starts_at.astimezone(UTC).hour == 10
    assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in slots)


def test_it_publishes_london_times_across_the_march_clock_change(council, officer, monkeypatch):
    freeze(monkeypatch, datetime(2027, 3, 22, 9, 0, tzinfo=UTC))
    hub = make_hub(council, officer)

    # Clocks go forward on Sunday 28 March 2027 (Good Friday and Easter Monday are skipped).
    published = publish(hub, officer, date(2027, 3, 25), date(2027, 3, 30), weekdays=range(5))

    assert published.bank_holidays == [date(2027, 3, 26), date(2027, 3, 29)]
    slots = Slot.objects.filter(hub=hub, starts_at__minute=0).order_by("starts_at")
    assert [(to_london(s.starts_at).day, to_london(s.starts_at).hour) for s in slots] == [
        (25, 10),
        (25, 11),
        (30, 10),
        (30, 11),
    ]
    assert [s.starts_at.astimezone(UTC).hour for s in slots] == [10, 11, 9, 10]


def test_it_skips_bank_holidays(council, officer, monkeypatch):
    freeze(monkeypatch, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    hub = make_hub(council, officer)

    published = publish(hub, officer, date(2026, 12, 21), date(2026, 12, 31), weekdays=range(5))

    # Christmas Day (Friday) and Boxing Day's substitute (Monday 28th).
    assert published.bank_holidays == [date(2026, 12, 25), date(2026, 12, 28)]
    days = {to_london(s.starts_at).date() for s in Slot.objects.filter(hub=hub)}
    assert days == {date(2026, 12, d) for d in (21, 22, 23, 24, 29, 30, 31)}


def test_publishing_again_keeps_the_times_there_and_adds_none_that_overlap(hub, officer):
    first = publish(hub, officer, date(2026, 10, 20), date(2026, 10, 21))
    again = publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22))
    longer = publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22), length=60)

    assert (first.created, first.kept) == (8, 0)
    assert (again.created, again.kept) == (4, 8)
    # Hour-long times would overlap the half-hour ones on every day.
    assert (longer.created, longer.kept) == (0, 6)
    assert Slot.objects.filter(hub=hub).count() == 12
    assert Event.objects.filter(action="hub.slots_published").count() == 3


def test_publishing_refuses_what_cannot_be_offered(hub, officer):
    with pytest.raises(ValidationError) as error:
        services.slots_publish(
            hub=hub,
            first_day=date(2026, 10, 18),
            last_day=date(2026, 10, 17),
            weekdays=set(),
            start_time=time(12),
            end_time=time(11),
            length_minutes=5,
            by=officer,
        )
    assert set(error.value.message_dict) == {
        "first_day",
        "last_day",
        "weekdays",
        "end_time",
        "length_minutes",
    }
    with pytest.raises(ValidationError) as error:
        publish(hub, officer, date(2026, 10, 20), date(2027, 3, 1))
    assert "3 months" in error.value.message_dict["last_day"][0]
    with pytest.raises(ValidationError) as error:
        publish(hub, officer, date(2026, 10, 20), start=time(10), end=time(10, 20))
    assert "fit" in error.value.message_dict["length_minutes"][0]
    assert not Slot.objects.exists()


# --- Hubs and who may change them --------------------------------------------------------------


def test_it_adds_a_hub_with_a_tidy_postcode_and_refuses_a_second_of_the_same_name(
    hub, council, officer
):
    assert hub.postcode == "WB1 2HQ"
    assert hub.address == "2 Brookfield Parade, Wealdbridge, WB1 2HQ"
    with pytest.raises(ValidationError) as error:
        make_hub(council, officer, name="brookfield community hub", postcode="nonsense")
    assert set(error.value.message_dict) == {"name", "postcode"}
    assert Event.objects.filter(action="hub.created").count() == 1


def test_an_update_records_only_what_changed(hub, officer):
    services.hub_update(hub=hub, by=officer, phone="01632 960 499", name=hub.name)
    services.hub_update(hub=hub, by=officer, phone="01632 960 499")

    events = Event.objects.filter(action="hub.updated")
    assert events.count() == 1
    assert events.get().after == {"phone": "01632 960 499"}


def test_only_the_councils_front_door_officers_change_its_hubs(hub, slot, council):
    other_officer = make_user(council=open_council(), role="front_door_officer")
    broker = make_user(council=council, role="broker")
    for user in (other_officer, broker):
        with pytest.raises(PermissionError):
            services.hub_update(hub=hub, by=user, phone="0")
        with pytest.raises(PermissionError):
            publish(hub, user, date(2026, 10, 21))
        with pytest.raises(PermissionError):
            services.slot_withdraw(slot=slot, by=user)
        with pytest.raises(PermissionError):
            services.hub_create(council=council, by=user, name="X")
    booking = hold(slot)
    with pytest.raises(PermissionError):
        services.booking_cancel(booking=booking, by=other_officer, reason="No")


# --- Holding, confirming, cancelling ------------------------------------------------------------


def test_a_hold_emails_the_links_to_confirm_and_to_cancel_once(
    slot, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = hold(slot, phone="01632 960 512", about="Help at home")

    assert booking.status == B.HELD
    assert booking.held_until == START + timedelta(minutes=30)
    assert booking.reference.startswith("HB-") and len(booking.reference) == 9
    assert [m.to for m in mail.outbox] == [["marjorie@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Confirm your appointment at Brookfield Community Hub"
    assert "Marjorie" not in message.subject
    links = services.booking_links(booking)
    assert links["confirm"].startswith(f"{settings.SITE_URL}/care-and-support/")
    assert links["confirm"] in message.body and links["manage"] in message.body
    assert "10:00am to 10:30am on Tuesday 20 October 2026" in message.body
    assert "9:30am 19/10/2026" in message.body  # held until, in London time
    event = Event.objects.get(action="booking.held")
    assert event.object_label == booking.reference
    assert "Marjorie" not in str(event.detail)


def test_a_second_hold_on_the_same_time_is_refused_as_taken(slot):
    hold(slot)
    with pytest.raises(services.SlotUnavailable) as refusal:
        hold(slot, name="Desmond Ashworth", email="desmond@example.org")

    assert refusal.value.reason == "taken"
    assert "just booked" in refusal.value.message
    assert Booking.objects.count() == 1


def test_the_database_itself_refuses_a_second_live_booking_of_a_slot(slot):
    first = hold(slot)
    fields = {
        "slot": slot,
        "name": "Desmond Ashworth",
        "email": "desmond@example.org",
        "created_at": first.created_at,
        "changed_at": first.created_at,
        "held_until": first.held_until,
    }
    # A direct write, past the service, is what the constraint is for.
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(status=B.CONFIRMED, reference="HB-TEST01", **fields)
    # A cancelled or expired booking does not take the slot.
    Booking.objects.create(status=B.CANCELLED, reference="HB-TEST02", **fields)
    Booking.objects.create(status=B.EXPIRED, reference="HB-TEST03", **fields)


def test_a_hold_not_confirmed_in_30_minutes_expires_and_frees_the_time(slot, clock):
    first = hold(slot)
    assert slot not in free_slots(slot.hub, moment=clock())

    clock.advance(minutes=30, seconds=1)
    # Free to the public at once, before any sweep has run.
    assert slot in free_slots(slot.hub, moment=clock())
    second = hold(slot, name="Desmond Ashworth", email="desmond@example.org")

    first.refresh_from_db()
    assert first.status == B.EXPIRED and first.expired_at == clock()
    assert second.status == B.HELD
    assert Event.objects.filter(action="booking.expired", object_id=str(first.pk)).count() == 1
    with pytest.raises(services.BookingRefused) as refusal:
        services.booking_confirm(booking=first)
    assert refusal.value.reason == "expired"


def test_the_sweep_every_5_minutes_expires_holds_once(slot, clock):
    booking = hold(slot)
    assert expire_booking_holds.call_local() == 0

    clock.advance(minutes=31)
    assert expire_booking_holds.call_local() == 1
    assert expire_booking_holds.call_local() == 0

    booking.refresh_from_db()
    assert booking.status == B.EXPIRED
    assert Event.objects.filter(action="booking.expired").count() == 1


def test_confirming_a_hold_late_is_refused_and_expires_it(slot, clock):
    booking = hold(slot)
    clock.advance(minutes=45)

    with pytest.raises(services.BookingRefused):
        services.booking_confirm(booking=booking)

    booking.refresh_from_db()
    assert booking.status == B.EXPIRED


def test_confirming_twice_confirms_once_and_emails_once(
    slot, clock, django_capture_on_commit_callbacks
):
    booking = hold(slot)
    clock.advance(minutes=10)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.booking_confirm(booking=booking)
        again = services.booking_confirm(booking=booking)

    assert first.status == again.status == B.CONFIRMED
    assert first.confirmed_at == again.confirmed_at == clock()
    assert Event.objects.filter(action="booking.confirmed").count() == 1
    assert [m.subject for m in mail.outbox] == [
        "Your appointment at Brookfield Community Hub is booked"
    ]
    assert "Step-free access from the car park." in mail.outbox[0].body
    # The link's signature carries the wall clock's second, which may tick between the e-mail
    # and this line: the link is compared up to its timestamp.
    manage = services.booking_links(first)["manage"]
    assert manage.rsplit(":", 2)[0] in mail.outbox[0].body


def test_the_person_cancels_and_is_emailed_once(slot, django_capture_on_commit_callbacks):
    booking = services.booking_confirm(booking=hold(slot))
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.booking_cancel(booking=booking)
        again = services.booking_cancel(booking=booking)

    assert cancelled.status == again.status == B.CANCELLED
    assert not cancelled.cancelled_by_council and cancelled.cancelled_by is None
    assert [m.subject for m in mail.outbox] == [
        "Your appointment at Brookfield Community Hub has been cancelled"
    ]
    assert "as you asked" in mail.outbox[0].body
    assert Event.objects.filter(action="booking.cancelled").count() == 1
    # The time is free again.
    assert slot in free_slots(slot.hub, moment=START)
    with pytest.raises(services.BookingRefused) as refusal:
        services.booking_confirm(booking=booking)
    assert refusal.value.reason == "cancelled"


def test_an_officer_cancels_with_the_reason_emailed(
    slot, officer, django_capture_on_commit_callbacks
):
    booking = services.booking_confirm(booking=hold(slot))
    with pytest.raises(ValidationError):
        services.booking_cancel(booking=booking, by=officer, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.booking_cancel(
            booking=booking, by=officer, reason="The hub is closed for a power cut."
        )

    assert cancelled.cancelled_by_council and cancelled.cancelled_by == officer
    assert "The hub is closed for a power cut." in mail.outbox[0].body
    assert services.booking_links(booking)["book"] in mail.outbox[0].body
    event = Event.objects.get(action="booking.cancelled")
    assert event.actor == officer and event.detail["by_council"] is True


def test_an_appointment_that_has_started_cannot_be_cancelled(slot, clock):
    booking = services.booking_confirm(booking=hold(slot))
    clock.at = slot.starts_at

    with pytest.raises(services.BookingRefused):
        services.booking_cancel(booking=booking)


def test_a_time_too_soon_or_withdrawn_cannot_be_held(slot, officer, clock):
    clock.at = slot.starts_at - timedelta(minutes=59)
    with pytest.raises(services.SlotUnavailable) as refusal:
        hold(slot)
    assert refusal.value.reason == "too_late"

    clock.at = START
    services.slot_withdraw(slot=slot, by=officer)
    with pytest.raises(services.SlotUnavailable) as refusal:
        hold(slot)
    assert refusal.value.reason == "withdrawn"


def test_a_hub_not_taking_bookings_offers_nothing(hub, slot, officer):
    services.hub_update(hub=hub, by=officer, is_active=False)

    with pytest.raises(services.SlotUnavailable):
        hold(slot)


def test_a_booked_time_is_withdrawn_only_after_its_booking_is_cancelled(slot, officer):
    booking = hold(slot)
    with pytest.raises(services.BookingRefused) as refusal:
        services.slot_withdraw(slot=slot, by=officer)
    assert refusal.value.reason == "booked"

    services.booking_cancel(booking=booking, by=officer, reason="Closed")
    withdrawn = services.slot_withdraw(slot=slot, by=officer)
    again = services.slot_withdraw(slot=slot, by=officer)

    assert withdrawn.is_withdrawn and again.is_withdrawn
    assert withdrawn.withdrawn_by == officer
    assert Event.objects.filter(action="hub.slot_withdrawn").count() == 1
    assert slot not in free_slots(slot.hub, moment=START)


def test_a_booking_links_to_a_request_of_its_own_council_only(slot, council):
    request = submit(council, likely_answers())
    booking = hold(slot, request=request)
    assert booking.request == request

    other = submit(open_council(), likely_answers())
    second = Slot.objects.filter(hub=slot.hub).exclude(pk=slot.pk).first()
    with pytest.raises(ValueError):
        hold(second, request=other)


def test_a_hold_needs_a_name_and_a_real_email_address(slot):
    with pytest.raises(ValidationError) as error:
        hold(slot, name=" ", email="not an address")
    assert set(error.value.message_dict) == {"name", "email"}
    assert not Booking.objects.exists()


# --- Reading --------------------------------------------------------------------------------


def test_the_public_sees_the_next_three_weeks_of_free_times_by_day(hub, officer, clock):
    publish(hub, officer, date(2026, 10, 19), date(2026, 11, 20), weekdays={1})
    hold(first_slot(hub))  # Tuesday 20 October, 10am: taken

    days = free_slots_by_day(hub, moment=clock())

    assert [d.label for d in days] == [
        "Tuesday 20 October 2026",
        "Tuesday 27 October 2026",
        "Tuesday 3 November 2026",
    ]
    assert [to_london(s.starts_at).strftime("%H:%M") for s in days[0].slots] == [
        "10:30",
        "11:00",
        "11:30",
    ]


def test_the_officers_week_shows_each_time_with_its_booking(hub, slot, officer, clock):
    booking = hold(slot)
    cancelled = hold(Slot.objects.filter(hub=hub).order_by("starts_at")[1])
    services.booking_cancel(booking=cancelled)
    services.slot_withdraw(slot=Slot.objects.filter(hub=hub).order_by("starts_at")[2], by=officer)

    (day,) = hub_week(hub, date(2026, 10, 19), moment=clock())

    assert [row.state for row in day.rows] == [
        "Waiting for confirmation",
        "Free",
        "Withdrawn",
        "Free",
    ]
    assert day.rows[0].booking == booking
    assert day.rows[1].earlier == [cancelled]
    clock.advance(minutes=31)
    (day,) = hub_week(hub, date(2026, 10, 19), moment=clock())
    assert day.rows[0].state == "Free" and day.rows[0].earlier == [booking]


# --- The e-mailed links ----------------------------------------------------------------------


def test_a_link_opens_its_booking_on_its_own_councils_pages_only(slot, council, clock):
    booking = hold(slot)
    confirm = booking_token(booking, LinkPurpose.CONFIRM)
    manage = booking_token(booking, LinkPurpose.MANAGE)

    assert access_booking_by_link(council, confirm, LinkPurpose.CONFIRM) == booking
    assert access_booking_by_link(council, manage, LinkPurpose.MANAGE) == booking
    for token, purpose, where in (
        (confirm, LinkPurpose.MANAGE, council),  # a link for another purpose
        (manage, LinkPurpose.CONFIRM, council),
        (confirm[:-2], LinkPurpose.CONFIRM, council),  # cut short
        ("rubbish", LinkPurpose.CONFIRM, council),
        (confirm, LinkPurpose.CONFIRM, open_council()),  # on another council's pages
    ):
        with pytest.raises(LinkInvalid):
            access_booking_by_link(where, token, purpose)

    clock.advance(minutes=31)
    with pytest.raises(LinkExpired) as expired:
        access_booking_by_link(council, confirm, LinkPurpose.CONFIRM)
    assert expired.value.booking == booking
    assert access_booking_by_link(council, manage, LinkPurpose.MANAGE) == booking
    clock.at = slot.starts_at
    with pytest.raises(LinkExpired):
        access_booking_by_link(council, manage, LinkPurpose.MANAGE)


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_makes_three_hubs_with_times_and_bookings_once(council, officer):
    from carebridge.demo.frontdoor_hubs_demo import hubs_demo

    submit(council, likely_answers())
    hubs = hubs_demo(council)

    assert len(hubs) == 3
    assert all(Slot.objects.filter(hub=h).exists() for h in hubs)
    bookings = Booking.objects.filter(slot__hub__council=council)
    assert bookings.filter(status=B.CONFIRMED).count() == 3
    assert bookings.filter(status=B.CANCELLED, cancelled_by_council=True).count() == 1
    assert bookings.exclude(request=None).count() == 1
    assert all(b.email.endswith("@example.org") for b in bookings)
    made = (Hub.objects.count(), Slot.objects.count(), Booking.objects.count())
    assert hubs_demo(council) == hubs
    assert (Hub.objects.count(), Slot.objects.count(), Booking.objects.count()) == made
    assert Notification.objects.filter(to_email__endswith="@example.org").exists()


def test_one_address_may_have_two_appointments_coming_up_at_a_time(hub, slot):
    first, second, third = list(Slot.objects.filter(hub=hub).order_by("starts_at")[:3])
    hold(first, email="marjorie@example.org")
    hold(second, email="Marjorie@example.org")

    with pytest.raises(services.SlotUnavailable) as refused:
        hold(third, email="marjorie@example.org")
    assert refused.value.reason == "limit"
    # Someone else may still book it.
    assert hold(third, email="someone@example.org").status == B.HELD
