"""The appointment pages the public use: the journey from choosing a hub to the e-mailed
links, with the session (never the URL) carrying the answers, times that go while someone is
choosing, and links that are bad, expired or another's."""

from datetime import date, timedelta

import pytest
from django.core import mail

from carebridge.core.logs import LINK_OPENED
from carebridge.frontdoor.hubs import services as services_hubs
from carebridge.frontdoor.hubs.access import LinkPurpose, booking_token
from carebridge.frontdoor.models import Booking, BookingStatus, Slot
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.hubs.pages.pages_support import care, choose, link_in, page
from carebridge.frontdoor.tests.hubs.test_hubs_support import (
    START,
    first_slot,
    hold,
    make_hub,
    publish,
)
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit

pytestmark = pytest.mark.django_db
B = BookingStatus


# --- The public's journey ----------------------------------------------------------------------


def test_a_person_books_confirms_and_cancels_an_appointment(
    client, council, hub, slot, clock, django_capture_on_commit_callbacks
):
    request = submit(council, likely_answers())
    # The person follows their request (so this browser may link the booking to it).
    client.post(
        care("track", council), {"reference": request.reference, "email": "rosa@example.org"}
    )
    start = client.get(care("appointment_start", council), {"request": request.reference})
    assert "Book an appointment at a local hub" in page(start)
    assert "2 Brookfield Parade, Wealdbridge, WB1 2HQ" in page(start)  # the radio's hint
    assert "Step-free access from the car park." in page(start)

    response = client.post(care("appointment_start", council), {"hub": hub.pk})
    assert response["Location"] == care("appointment_time", council)
    times = page(client.get(response["Location"]))
    assert "Tuesday 20 October 2026" in times and "Thursday 22 October 2026" in times
    assert "10:00am" in times and 'id="id_slot_1"' in times

    response = client.post(care("appointment_time", council), {"slot": slot.pk})
    assert response["Location"] == care("appointment_details", council)
    response = choose(client, council, hub, slot)
    assert response["Location"] == care("appointment_check", council)

    check = page(client.get(care("appointment_check", council)))
    for shown in (
        "Brookfield Community Hub",
        "10:00am to 10:30am on Tuesday 20 October 2026",
        "Marjorie Pennington",
        "marjorie@example.org",
        "01632 960 512",
        "Help at home after a stroke",
    ):
        assert shown in check
    assert f"{care('appointment_time', council)}?change=1" in check

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(care("appointment_check", council))
    assert response["Location"] == care("appointment_held", council)
    held = page(client.get(response["Location"]))
    assert "Check your e-mail" in held and "marjorie@example.org" in held
    booking = Booking.objects.get()
    assert booking.status == B.HELD and booking.request == request
    assert booking.reference in held

    # The e-mailed link: opening it (as a mail scanner would) changes nothing.
    # The link is a one-hop door: its page is served without the token.
    confirm = link_in(mail.outbox[0].body, "confirm")
    clock.advance(minutes=5)
    door = client.get(confirm)
    assert door["Location"] == care("appointment_confirm", council, token=LINK_OPENED)
    asking = client.get(door["Location"])
    assert asking.status_code == 200 and "Confirm appointment" in page(asking)
    booking.refresh_from_db()
    assert booking.status == B.HELD

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(door["Location"], {"booking": booking.reference})
    booking.refresh_from_db()
    assert booking.status == B.CONFIRMED
    assert response["Location"] == care("appointment_detail", council, token=LINK_OPENED)
    shown = page(client.get(response["Location"]))
    assert "Your appointment is booked" in shown and "Cancel appointment" in shown
    manage = link_in(mail.outbox[1].body, "booking")
    assert response["Location"].startswith("/care-and-support/")

    # A second click on the confirmation link just shows the booking.
    again = client.get(confirm)
    assert again["Location"].startswith(f"{care('appointment_start', council)}booking/")
    assert "You have already confirmed this appointment" in page(client.get(again["Location"]))

    sure = client.get(f"{manage}cancel/", follow=True)
    assert sure.redirect_chain == [(care("appointment_cancel", council, token=LINK_OPENED), 302)]
    assert "Are you sure you want to cancel your appointment?" in page(sure)
    booking.refresh_from_db()
    assert booking.status == B.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            care("appointment_cancel", council, token=LINK_OPENED), {"booking": booking.reference}
        )
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED and not booking.cancelled_by_council
    assert "Your appointment has been cancelled" in page(client.get(response["Location"]))
    assert [m.to for m in mail.outbox] == [["marjorie@example.org"]] * 3


def test_no_personal_data_goes_into_a_url(client, council, hub, slot):
    responses = [
        client.post(care("appointment_start", council), {"hub": hub.pk}),
        client.post(care("appointment_time", council), {"slot": slot.pk}),
        choose(client, council, hub, slot),
        client.post(care("appointment_check", council)),
    ]
    for response in responses:
        location = response["Location"]
        assert "Marjorie" not in location and "example.org" not in location
        assert "01632" not in location


def test_each_question_says_what_is_wrong_in_an_error_summary(client, council, hub, slot):
    response = client.post(care("appointment_start", council), {})
    assert response.status_code == 200
    assert "There is a problem" in page(response)
    assert 'href="#id_hub_1"' in page(response)
    assert "Select the hub you would like to go to" in page(response)
    assert page(response).count("<title>Error: ") == 1

    client.post(care("appointment_start", council), {"hub": hub.pk})
    response = client.post(care("appointment_time", council), {})
    assert 'href="#id_slot_1"' in page(response) and 'id="id_slot_1"' in page(response)
    assert "Select a time for your appointment" in page(response)

    client.post(care("appointment_time", council), {"slot": slot.pk})
    response = client.post(
        care("appointment_details", council), {"name": "", "email": "nope", "phone": "abc"}
    )
    body = page(response)
    assert "Enter your full name" in body
    assert "Enter an e-mail address in the correct format, like name@example.com" in body
    assert "Enter a phone number" in body


def test_the_steps_send_someone_back_to_the_start_without_earlier_answers(client, council, hub):
    for name in ("appointment_time", "appointment_details", "appointment_check"):
        response = client.get(care(name, council))
        assert response["Location"] == care("appointment_start", council), name
    assert client.get(care("appointment_held", council))["Location"] == care(
        "appointment_start", council
    )


def test_a_change_link_returns_to_check_your_answers(client, council, hub, slot):
    choose(client, council, hub, slot)
    later = Slot.objects.filter(hub=hub).order_by("starts_at")[2]

    response = client.post(f"{care('appointment_time', council)}?change=1", {"slot": later.pk})
    assert response["Location"] == care("appointment_check", council)
    assert "11:00am to 11:30am" in page(client.get(care("appointment_check", council)))

    response = client.post(
        f"{care('appointment_details', council)}?change=1",
        {"name": "Marjorie Pennington", "email": "m.pennington@example.org"},
    )
    assert response["Location"] == care("appointment_check", council)


def test_choosing_another_hub_asks_for_a_time_there_then_returns_to_check(
    client, council, officer, hub, slot
):
    other = make_hub(council, officer, name="Marsh Lane Library", postcode="WB2 4LB")
    publish(other, officer, date(2026, 10, 21))
    choose(client, council, hub, slot)

    response = client.post(f"{care('appointment_start', council)}?change=1", {"hub": other.pk})
    assert response["Location"] == f"{care('appointment_time', council)}?change=1"
    response = client.post(response["Location"], {"slot": first_slot(other).pk})
    assert response["Location"] == care("appointment_check", council)
    assert "Marsh Lane Library" in page(client.get(care("appointment_check", council)))


def test_a_time_taken_while_someone_was_choosing_sends_them_back_to_choose(
    client, council, hub, slot
):
    choose(client, council, hub, slot)
    hold(slot, name="Desmond Ashworth", email="desmond@example.org")

    response = client.post(care("appointment_check", council))

    assert response["Location"] == care("appointment_time", council)
    shown = page(client.get(response["Location"]))
    assert "Sorry, the time you chose has just gone" in shown
    assert f'value="{slot.pk}"' not in shown
    assert Booking.objects.count() == 1


def test_a_time_taken_at_the_last_moment_is_explained(client, council, hub, slot, monkeypatch):
    choose(client, council, hub, slot)
    real_hold = services_hubs.booking_hold

    def someone_else_first(**kwargs):
        real_hold(slot=kwargs["slot"], name="Desmond Ashworth", email="desmond@example.org")
        return real_hold(**kwargs)

    monkeypatch.setattr(services_hubs, "booking_hold", someone_else_first)
    response = client.post(care("appointment_check", council))

    assert response["Location"] == care("appointment_time", council)
    assert "someone has just booked this time" in page(client.get(response["Location"]))


def test_a_withdrawn_time_is_explained_and_no_longer_offered(client, council, officer, hub, slot):
    choose(client, council, hub, slot)
    services_hubs.slot_withdraw(slot=slot, by=officer)

    response = client.get(care("appointment_check", council))

    assert response["Location"] == care("appointment_time", council)
    assert "has just gone" in page(client.get(response["Location"]))


def test_a_hub_with_no_free_times_says_so(client, council, officer, clock):
    empty = make_hub(council, officer, name="Old Station Wellbeing Centre")
    client.post(care("appointment_start", council), {"hub": empty.pk})

    shown = page(client.get(care("appointment_time", council)))

    assert "There are no free times at Old Station Wellbeing Centre" in shown
    assert "01632 960 100" in shown  # the front door's phone


def test_a_council_whose_front_door_is_closed_has_no_booking_pages(client, council, hub):
    services.front_door_settings_update(council=council, by=None, is_open=False)

    assert client.get(care("appointment_start", council)).status_code == 404


def test_held_until_is_shown_in_london_time(client, council, hub, slot):
    choose(client, council, hub, slot)
    client.post(care("appointment_check", council))

    held = page(client.get(care("appointment_held", council)))

    # Held until 08:30 UTC, which is 9:30am in British Summer Time.
    assert Booking.objects.get().held_until == START + timedelta(minutes=30)
    assert "If you do not confirm it by 9:30am" in held


def test_a_guessed_reference_links_no_booking_to_a_request(client, council, hub, slot, clock):
    someone_elses = submit(council, likely_answers())
    client.get(care("appointment_start", council), {"request": someone_elses.reference})
    client.post(care("appointment_start", council), {"hub": hub.pk})
    client.post(care("appointment_time", council), {"slot": slot.pk})
    choose(client, council, hub, slot)
    client.post(care("appointment_check", council))

    assert Booking.objects.get().request is None


def test_the_times_come_a_week_at_a_time(client, council, officer, hub, clock):
    publish(hub, officer, date(2026, 10, 27), date(2026, 10, 27))
    client.post(care("appointment_start", council), {"hub": hub.pk})

    first = page(client.get(care("appointment_time", council)))
    assert "Tuesday 20 October 2026" in first and "Tuesday 27 October 2026" not in first
    assert "Next week" in first and "Previous week" not in first
    second = page(client.get(care("appointment_time", council) + "?week=1"))
    assert "Tuesday 27 October 2026" in second and "Tuesday 20 October 2026" not in second

    later = Slot.objects.filter(hub=hub, starts_at__date=date(2026, 10, 27)).first()
    response = client.post(care("appointment_time", council) + "?week=1", {"slot": later.pk})
    assert response["Location"] == care("appointment_details", council)
    # Back on the page, it opens on the week of the time chosen.
    assert "Tuesday 27 October 2026" in page(client.get(care("appointment_time", council)))


# --- The e-mailed links ----------------------------------------------------------------------


def test_a_bad_link_gets_a_clear_page_not_a_crash(client, council, slot):
    booking = hold(slot)
    confirm = booking_token(booking, LinkPurpose.CONFIRM)
    manage = booking_token(booking, LinkPurpose.MANAGE)
    for name, token in (
        ("appointment_confirm", "rubbish"),
        ("appointment_confirm", confirm[:-3]),
        ("appointment_confirm", manage),
        ("appointment_detail", confirm),
        ("appointment_cancel", confirm),
        ("appointment_detail", "a:b:c"),
    ):
        for method in ("get", "post") if name != "appointment_detail" else ("get",):
            response = getattr(client, method)(care(name, council, token=token))
            assert response.status_code == 404, (name, method)
            assert "This link is not valid" in page(response)
    booking.refresh_from_db()
    assert booking.status == B.HELD


def test_another_councils_booking_link_does_not_work_here(client, council, slot):
    other = open_council("Quillinghurst Council")
    booking = hold(slot)
    token = booking_token(booking, LinkPurpose.MANAGE)

    response = client.post(care("appointment_cancel", other, token=token))

    assert response.status_code == 404
    assert "Brookfield" not in page(response)
    booking.refresh_from_db()
    assert booking.status == B.HELD


def test_an_expired_confirmation_link_says_to_book_again(client, council, slot, clock):
    booking = hold(slot)
    confirm = care(
        "appointment_confirm", council, token=booking_token(booking, LinkPurpose.CONFIRM)
    )
    clock.advance(minutes=31)

    for method in ("get", "post"):
        response = getattr(client, method)(confirm)
        assert response.status_code == 410
        assert "This link has expired" in page(response)
    booking.refresh_from_db()
    assert booking.status == B.HELD  # the sweep expires it; the page changes nothing


def test_a_hold_given_up_before_its_link_expires_cannot_be_confirmed(client, council, slot, clock):
    booking = hold(slot)
    confirm = care(
        "appointment_confirm", council, token=booking_token(booking, LinkPurpose.CONFIRM)
    )
    services_hubs.booking_cancel(booking=booking)

    response = client.post(confirm)

    assert response.status_code == 410
    assert "This appointment was cancelled" in page(response)


def test_the_booking_link_works_until_the_appointment_starts(client, council, slot, clock):
    booking = services_hubs.booking_confirm(booking=hold(slot))
    manage = care("appointment_detail", council, token=booking_token(booking, LinkPurpose.MANAGE))
    assert client.get(manage, follow=True).status_code == 200

    clock.at = slot.starts_at
    response = client.get(manage)
    assert response.status_code == 410
    assert "This appointment has passed" in page(response)
    assert client.post(f"{manage}cancel/").status_code == 410


def test_each_link_is_a_door_that_keeps_its_token_out_of_the_address_bar(client, council, slot):
    booking = hold(slot)
    confirm = booking_token(booking, LinkPurpose.CONFIRM)
    manage = booking_token(booking, LinkPurpose.MANAGE)
    for name, token in (
        ("appointment_confirm", confirm),
        ("appointment_detail", manage),
        ("appointment_cancel", manage),
    ):
        response = client.get(care(name, council, token=token), follow=True)
        assert response.redirect_chain == [(care(name, council, token=LINK_OPENED), 302)], name
        assert response.status_code == 200, name
        assert token not in page(response), name
    booking.refresh_from_db()
    assert booking.status == B.HELD


def test_a_links_page_without_its_link_opened_in_this_browser_is_not_valid(client, council):
    for name in ("appointment_confirm", "appointment_detail", "appointment_cancel"):
        response = client.get(care(name, council, token=LINK_OPENED))
        assert response.status_code == 404, name
        assert "This link is not valid" in page(response)


def test_a_post_to_the_link_itself_only_opens_it(client, council, slot):
    booking = hold(slot)
    for name, purpose in (
        ("appointment_confirm", LinkPurpose.CONFIRM),
        ("appointment_cancel", LinkPurpose.MANAGE),
    ):
        token = booking_token(booking, purpose)
        response = client.post(care(name, council, token=token), {"booking": booking.reference})
        assert response["Location"] == care(name, council, token=LINK_OPENED)
    booking.refresh_from_db()
    assert booking.status == B.HELD


def test_a_button_acts_only_on_the_booking_its_page_showed(client, council, slot):
    later = Slot.objects.filter(hub=slot.hub).exclude(pk=slot.pk).order_by("starts_at").first()
    first, second = hold(slot), hold(later, name="Rosa Delgado", email="rosa@example.org")
    client.get(care("appointment_cancel", council, token=booking_token(first, LinkPurpose.MANAGE)))
    client.get(care("appointment_detail", council, token=booking_token(second, LinkPurpose.MANAGE)))

    response = client.post(
        care("appointment_cancel", council, token=LINK_OPENED), {"booking": first.reference}
    )

    assert response["Location"] == care("appointment_cancel", council, token=LINK_OPENED)
    assert "another appointment" in page(client.get(response["Location"]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (B.HELD, B.HELD)
