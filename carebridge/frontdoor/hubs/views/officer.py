"""The front-door officers' hub pages: their council's hubs, each hub's week of times with
their bookings, publishing and withdrawing times, and cancelling a booking. Every write is a
service in hubs/services."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core import calendar
from carebridge.core.bounds import parse_iso_date
from carebridge.core.calendar import now, to_london
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.hubs.access import (
    access_booking,
    access_hub,
    access_slot,
    require_front_door_officer,
)
from carebridge.frontdoor.hubs.forms import CancelBookingForm, HubForm, PublishForm
from carebridge.frontdoor.hubs.selectors import (
    appointment_when,
    hub_week,
    hubs_with_counts,
    week_start,
)
from carebridge.frontdoor.models import BookingStatus, Hub

B = BookingStatus


@require_GET
def hub_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_front_door_officer(user)
    hubs = hubs_with_counts(user, moment=now()).order_by("name")
    return render(request, "frontdoor/hubs/hub_list.html", {"hubs": hubs})


@require_http_methods(["GET", "POST"])
def hub_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    council = require_front_door_officer(user, edit=True)
    form = HubForm(request.POST if request.method == "POST" else None, initial={"is_active": "yes"})
    if request.method == "POST" and form.is_valid():
        try:
            hub = services.hub_create(
                council=council,
                by=user,
                idempotency_key=key_from_form(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{hub.name} added. Now publish its appointment times.")
            return redirect("frontdoor:hub_detail", pk=hub.pk)
    return render(request, "frontdoor/hubs/hub_form.html", {"form": form, "hub": None})


@require_http_methods(["GET", "POST"])
def hub_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    hub = access_hub(user, pk, for_change=True)
    form = HubForm(
        request.POST if request.method == "POST" else None, initial=HubForm.initial_for(hub)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hub_update(hub=hub, by=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, "Hub details saved.")
            return redirect("frontdoor:hub_detail", pk=hub.pk)
    return render(request, "frontdoor/hubs/hub_form.html", {"form": form, "hub": hub})


def _week(value: str, today: date) -> date:
    # A tampered ?week= (9999-12-31, 0001-01-01) shows this week rather than overflowing.
    return week_start(parse_iso_date(value) or today)


def _week_url(hub: Hub, monday: date) -> str:
    return f"{reverse('frontdoor:hub_detail', kwargs={'pk': hub.pk})}?week={monday.isoformat()}"


@require_GET
def hub_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A hub's details and its slots of one week, with their bookings."""
    user = acting_user(request)
    hub = access_hub(user, pk)
    moment = now()
    monday = _week(request.GET.get("week", ""), to_london(moment).date())
    return render(
        request,
        "frontdoor/hubs/hub_detail.html",
        {
            "hub": hub,
            "days": hub_week(hub, monday, moment=moment),
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "previous": _week_url(hub, monday - timedelta(days=7)),
            "next": _week_url(hub, monday + timedelta(days=7)),
            "this_week": reverse("frontdoor:hub_detail", kwargs={"pk": hub.pk}),
        },
    )


@require_http_methods(["GET", "POST"])
def slots_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    hub = access_hub(user, pk, for_change=True)
    today = calendar.today()
    monday = week_start(today) + timedelta(days=7)
    form = PublishForm(
        request.POST if request.method == "POST" else None,
        initial={
            "first_day": monday,
            "last_day": monday + timedelta(days=18),
            "weekdays": ["0", "1", "2", "3", "4"],
            "start_time": "9:30",
            "end_time": "16:00",
            "length_minutes": "30",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            published = services.slots_publish(
                hub=hub,
                first_day=data["first_day"],
                last_day=data["last_day"],
                weekdays={int(day) for day in data["weekdays"]},
                start_time=data["start_time"],
                end_time=data["end_time"],
                length_minutes=data["length_minutes"],
                by=user,
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            text = f"{published.created} new appointment time{'s' if published.created != 1 else ''} published."
            if published.kept:
                text += f" {published.kept} were there already and have been kept."
            if published.bank_holidays:
                text += f" {len(published.bank_holidays)} bank holiday(s) skipped."
            messages.success(request, text)
            return redirect(_week_url(hub, week_start(data["first_day"])))
    return render(request, "frontdoor/hubs/publish.html", {"hub": hub, "form": form})


@require_http_methods(["GET", "POST"])
def slot_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    slot = access_slot(user, pk, for_change=True)
    back = _week_url(slot.hub, week_start(to_london(slot.starts_at).date()))
    if request.method == "POST":
        try:
            services.slot_withdraw(slot=slot, by=user)
        except services.BookingRefused as refusal:
            messages.warning(request, refusal.message)
        else:
            messages.success(request, f"{appointment_when(slot)} withdrawn.")
        return redirect(back)
    return render(
        request,
        "frontdoor/hubs/slot_withdraw.html",
        {"slot": slot, "hub": slot.hub, "when": appointment_when(slot), "back": back},
    )


@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    booking = access_booking(user, pk, for_change=True)
    hub = booking.slot.hub
    back = _week_url(hub, week_start(to_london(booking.slot.starts_at).date()))
    form = CancelBookingForm(request.POST if request.method == "POST" else None)
    refusal = None
    if booking.status not in (B.HELD, B.CONFIRMED):
        refusal = f"This booking cannot be cancelled: it is {B(booking.status).label.lower()}."
    elif request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, by=user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_errors(error)
        except services.BookingRefused as problem:
            refusal = problem.message
        else:
            messages.success(
                request, f"Booking {booking.reference} cancelled. {booking.name} has been e-mailed."
            )
            return redirect(back)
    return render(
        request,
        "frontdoor/hubs/booking_cancel.html",
        {
            "booking": booking,
            "hub": hub,
            "when": appointment_when(booking.slot),
            "form": form,
            "refusal": refusal,
            "back": back,
        },
    )
