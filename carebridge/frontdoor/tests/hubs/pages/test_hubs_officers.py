"""The officers' hub pages, tried by each persona: adding a hub and publishing its times, the
week with its bookings, withdrawing a time, cancelling a booking, and their queries."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from carebridge.frontdoor.hubs import services as services_hubs
from carebridge.frontdoor.models import BookingStatus, Slot
from carebridge.frontdoor.tests.hubs.pages.pages_support import care, page
from carebridge.frontdoor.tests.hubs.test_hubs_support import hold, make_hub
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from tests.support import make_provider, make_user

pytestmark = pytest.mark.django_db
B = BookingStatus


# --- The officers' pages -----------------------------------------------------------------------


def officer_urls(hub, slot, booking):
    return [
        reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk}),
        reverse("frontdoor:hub_edit", kwargs={"pk": hub.pk}),
        reverse("frontdoor:slots_publish", kwargs={"pk": hub.pk}),
        reverse("frontdoor:slot_withdraw", kwargs={"pk": slot.pk}),
        reverse("frontdoor:booking_cancel", kwargs={"pk": booking.pk}),
    ]


def test_officers_of_the_council_reach_its_hub_pages(council, officer, hub, slot):
    booking = hold(Slot.objects.filter(hub=hub).order_by("starts_at")[1])
    client = Client()
    client.force_login(officer)

    for url in [reverse("frontdoor:hub_list"), reverse("frontdoor:hub_new")]:
        assert client.get(url).status_code == 200, url
    for url in officer_urls(hub, slot, booking):
        assert client.get(url).status_code == 200, url


def test_every_other_persona_is_refused(council, hub, slot):
    booking = hold(Slot.objects.filter(hub=hub).order_by("starts_at")[1])
    other_officer = make_user(council=open_council(), role="front_door_officer")
    personas = {
        "front-door officer of another council": (other_officer, 404),
        "provider user": (make_user(provider=make_provider()), 403),
        "council administrator": (make_user(council=council, role="council_administrator"), 403),
    }
    for persona, (user, status) in personas.items():
        client = Client()
        client.force_login(user)
        for url in officer_urls(hub, slot, booking):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                # A page that only shows refuses a POST before looking anything up.
                expected = (status, 405) if url.endswith(f"/{hub.pk}/") else (status,)
                assert response.status_code in expected, (persona, method, url)
                assert "Brookfield" not in page(response)
    client = Client()
    for url in [reverse("frontdoor:hub_list"), *officer_urls(hub, slot, booking)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
    # The other council's officer sees a list without our hub.
    client = Client()
    client.force_login(other_officer)
    assert "Brookfield" not in page(client.get(reverse("frontdoor:hub_list")))
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == B.HELD and not slot.is_withdrawn


def test_an_officer_adds_a_hub_and_publishes_its_times(council, officer, clock):
    client = Client()
    client.force_login(officer)
    response = client.post(
        reverse("frontdoor:hub_new"),
        {
            "name": "Marsh Lane Library",
            "address_line_1": "41 Marsh Lane",
            "town": "Wealdbridge",
            "postcode": "wb2 4lb",
            "is_active": "yes",
        },
    )
    hub = council.hubs.get()
    assert response["Location"] == reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk})

    form = {
        "first_day_0": "26",
        "first_day_1": "10",
        "first_day_2": "2026",
        "last_day_0": "30",
        "last_day_1": "10",
        "last_day_2": "2026",
        "weekdays": ["1", "3"],
        "start_time": "10am",
        "end_time": "12:00",
        "length_minutes": "45",
    }
    response = client.post(reverse("frontdoor:slots_publish", kwargs={"pk": hub.pk}), form)
    assert response.status_code == 302
    week = page(client.get(response["Location"]))
    assert "4 new appointment times published." in week
    assert "Tuesday 27 October 2026" in week and "10:45am to 11:30am" in week

    response = client.post(
        reverse("frontdoor:slots_publish", kwargs={"pk": hub.pk}),
        {**form, "start_time": "25:00", "weekdays": []},
    )
    assert response.status_code == 200
    assert "Enter the start time like 9:30 or 14:00" in page(response)
    assert "Select the days the hub offers appointments" in page(response)


def test_an_officer_sees_the_week_with_its_bookings_and_changes_a_hub(
    council, officer, hub, slot, clock
):
    hold(slot, phone="01632 960 512", about="Help at home")
    client = Client()
    client.force_login(officer)

    week = page(client.get(reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk})))
    assert "Marjorie Pennington" in week and "Waiting for confirmation" in week
    assert "Help at home" in week
    next_week = page(
        client.get(reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk}), {"week": "2026-10-26"})
    )
    assert "No appointment times this week." in next_week

    response = client.post(
        reverse("frontdoor:hub_edit", kwargs={"pk": hub.pk}),
        {
            "name": hub.name,
            "address_line_1": hub.address_line_1,
            "town": hub.town,
            "postcode": hub.postcode,
            "is_active": "no",
        },
    )
    assert response.status_code == 302
    hub.refresh_from_db()
    assert not hub.is_active
    assert "Brookfield" not in page(Client().get(care("appointment_start", council)))


def test_the_hub_list_counts_the_times_offered_and_booked_in_the_next_three_weeks(
    council, officer, hub, slot
):
    services_hubs.booking_confirm(booking=hold(slot))
    hold(Slot.objects.filter(hub=hub).order_by("starts_at")[1])  # held: not booked yet
    services_hubs.slot_withdraw(
        slot=Slot.objects.filter(hub=hub).order_by("starts_at")[2], by=officer
    )
    client = Client()
    client.force_login(officer)

    listed = page(client.get(reverse("frontdoor:hub_list")))

    cells = re.findall(r'govuk-table__cell--numeric">(\d+)<', listed)
    assert cells == ["11", "1"]  # 12 published, 1 withdrawn; 1 confirmed


def test_an_officer_withdraws_a_free_time_but_not_a_booked_one(council, officer, hub, slot):
    booked = Slot.objects.filter(hub=hub).order_by("starts_at")[1]
    hold(booked)
    client = Client()
    client.force_login(officer)

    client.post(reverse("frontdoor:slot_withdraw", kwargs={"pk": slot.pk}))
    response = client.post(reverse("frontdoor:slot_withdraw", kwargs={"pk": booked.pk}))

    slot.refresh_from_db()
    booked.refresh_from_db()
    assert slot.is_withdrawn and not booked.is_withdrawn
    assert "Cancel their booking first" in page(client.get(response["Location"]))


def test_an_officer_cancels_a_booking_with_a_reason_the_person_is_emailed(
    council, officer, hub, slot, django_capture_on_commit_callbacks
):
    booking = services_hubs.booking_confirm(booking=hold(slot))
    client = Client()
    client.force_login(officer)
    url = reverse("frontdoor:booking_cancel", kwargs={"pk": booking.pk})

    response = client.post(url, {"reason": ""})
    assert "Enter why the appointment is cancelled" in page(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "The hub is closed for a power cut."})

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == B.CANCELLED and booking.cancelled_by == officer
    assert "The hub is closed for a power cut." in mail.outbox[-1].body
    # Cancelled already: the page says so instead of offering the form.
    assert "cannot be cancelled" in page(client.get(url))


def test_the_hub_pages_run_the_same_queries_however_many_hubs_and_bookings(
    council, officer, hub, clock
):
    client = Client()
    client.force_login(officer)

    def counted(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    detail = reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk})
    client.get(detail)  # the session's first touch writes it; later pages do not
    before = (counted(reverse("frontdoor:hub_list")), counted(detail))
    for number in range(3):
        make_hub(council, officer, name=f"Extra hub {number}")
    request = submit(council, likely_answers())
    for number, slot in enumerate(Slot.objects.filter(hub=hub).order_by("starts_at")[:6]):
        booking = hold(
            slot, email=f"person{number}@example.org", request=request if number % 2 else None
        )
        if number % 3 == 0:
            services_hubs.booking_cancel(booking=booking)
    after = (counted(reverse("frontdoor:hub_list")), counted(detail))

    assert after == before
