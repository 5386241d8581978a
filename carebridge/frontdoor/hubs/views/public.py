"""Hub appointments, the public's booking pages: no log-in; one question per page, the answers
kept in the session so that no personal data goes into a URL; the e-mailed links confirm and
cancel. Each e-mailed link is a one-hop door: its token goes into the session and the browser
moves at once to the same page with `core.logs.LINK_OPENED` in its place, so the token is in no
address bar, Referer or later log line. Every write is a service in hubs/services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.bounds import parse_id
from carebridge.core.calendar import now
from carebridge.core.idempotency import created_before, key_from_form
from carebridge.core.logs import LINK_OPENED
from carebridge.core.ratelimits import rate_limited
from carebridge.frontdoor.hubs import services
from carebridge.frontdoor.hubs.access import (
    LinkExpired,
    LinkInvalid,
    LinkPurpose,
    access_booking_by_link,
    booking_token,
)
from carebridge.frontdoor.hubs.forms import DetailsForm, HubChoiceForm, SlotChoiceForm
from carebridge.frontdoor.hubs.selectors import (
    HOLD_FOR,
    appointment_when,
    free_slots,
    free_slots_by_day,
    public_hubs,
    week_start,
)
from carebridge.frontdoor.models import Booking, BookingStatus, FrontDoorRequest, Hub, Slot
from carebridge.frontdoor.requests.selectors import public_council
from carebridge.frontdoor.requests.views.public import session_requests
from carebridge.organisations.models import Council

B = BookingStatus


def _key(council: Council) -> str:
    return f"frontdoor-appointment:{council.slug}"


def _answers(request: HttpRequest, council: Council) -> dict[str, Any]:
    return dict(request.session.get(_key(council), {}))


def _save(request: HttpRequest, council: Council, answers: dict[str, Any]) -> None:
    request.session[_key(council)] = answers


def _url(name: str, council: Council, *, change: bool = False, **kwargs: Any) -> str:
    url = reverse(f"care:{name}", kwargs={"council": council.slug, **kwargs})
    return f"{url}?change=1" if change else url


def _changing(request: HttpRequest) -> bool:
    return request.GET.get("change") == "1"


def _chosen_hub(council: Council, answers: dict[str, Any]) -> Hub | None:
    pk = answers.get("hub")
    return public_hubs(council).filter(pk=pk).first() if isinstance(pk, int) else None


def _chosen_slot(hub: Hub, answers: dict[str, Any]) -> Slot | None:
    """The chosen time while it is still free; None once it has gone."""
    pk = answers.get("slot")
    if not isinstance(pk, int):
        return None
    return free_slots(hub, moment=now()).filter(pk=pk).first()


def _complete(answers: dict[str, Any]) -> bool:
    return all(answers.get(name) for name in ("hub", "slot", "name", "email"))


@login_not_required
@require_http_methods(["GET", "POST"])
def appointment_start(request: HttpRequest, council: str) -> HttpResponse:
    """Book an appointment at a local hub: which hub. `?request=REFERENCE` links the booking to
    the front-door request the person came from, when this browser sent it or is tracking it
    (never shown, and a guessed reference links nothing)."""
    found, settings = public_council(council)
    answers = _answers(request, found)
    reference = request.GET.get("request", "").strip().upper()[:20]
    if reference:
        linked = (
            FrontDoorRequest.objects.filter(
                council=found, reference=reference, pk__in=session_requests(request, found)
            )
            .values_list("pk", flat=True)
            .first()
        )
        answers["request"] = linked
        _save(request, found, answers)
    hubs = list(public_hubs(found))
    form = HubChoiceForm(
        request.POST if request.method == "POST" else None,
        hubs=hubs,
        initial={"hub": str(answers.get("hub", ""))},
    )
    if request.method == "POST" and form.is_valid():
        hub = int(form.cleaned_data["hub"])
        if answers.get("hub") != hub:
            answers.pop("slot", None)
        answers["hub"] = hub
        _save(request, found, answers)
        if _changing(request) and _complete(answers):
            return redirect(_url("appointment_check", found))
        # A new hub needs a new time; from the check page, it leads back there.
        return redirect(_url("appointment_time", found, change=_changing(request)))
    return render(
        request,
        "frontdoor/hubs/start.html",
        {
            "council": found,
            "settings": settings,
            "form": form,
            "hubs": hubs,
            "back": _url("appointment_check", found) if _changing(request) else None,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def appointment_time(request: HttpRequest, council: str) -> HttpResponse:
    found, settings = public_council(council)
    answers = _answers(request, found)
    hub = _chosen_hub(found, answers)
    if hub is None:
        return redirect(_url("appointment_start", found))
    moment = now()
    # A week at a time: three weeks of a busy hub are a couple of hundred times on one page.
    weeks: dict[date, list[Any]] = {}
    for day in free_slots_by_day(hub, moment=moment):
        weeks.setdefault(week_start(day.day), []).append(day)
    starts = list(weeks)
    chosen_slot = answers.get("slot")
    index = next(
        (
            number
            for number, start in enumerate(starts)
            if any(slot.pk == chosen_slot for day in weeks[start] for slot in day.slots)
        ),
        0,
    )
    requested = request.GET.get("week", "")
    if (number := parse_id(requested)) is not None:
        index = min(number, max(len(starts) - 1, 0))
    days = weeks[starts[index]] if starts else []
    slots = [slot for day in days for slot in day.slots]
    form = SlotChoiceForm(
        request.POST if request.method == "POST" else None,
        slots=slots,
        initial={"slot": str(answers.get("slot", ""))},
    )
    if request.method == "POST" and form.is_valid():
        answers["slot"] = int(form.cleaned_data["slot"])
        _save(request, found, answers)
        if _changing(request) and _complete(answers):
            return redirect(_url("appointment_check", found))
        return redirect(_url("appointment_details", found))
    chosen = form["slot"].value()
    return render(
        request,
        "frontdoor/hubs/time.html",
        {
            "council": found,
            "settings": settings,
            "form": form,
            "hub": hub,
            "days": days,
            "week": index,
            "week_label": starts[index] if starts else None,
            "previous_week": index - 1 if index > 0 else None,
            "next_week": index + 1 if index + 1 < len(starts) else None,
            "chosen": str(chosen) if chosen else "",
            "back": _url("appointment_check" if _changing(request) else "appointment_start", found),
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def appointment_details(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    answers = _answers(request, found)
    if not answers.get("hub") or not answers.get("slot"):
        return redirect(_url("appointment_start", found))
    fields = ("name", "email", "phone", "about")
    form = DetailsForm(
        request.POST if request.method == "POST" else None,
        initial={name: answers.get(name, "") for name in fields},
    )
    if request.method == "POST" and form.is_valid():
        answers.update({name: form.cleaned_data[name] for name in fields})
        _save(request, found, answers)
        return redirect(_url("appointment_check", found))
    return render(
        request,
        "frontdoor/hubs/details.html",
        {
            "council": found,
            "form": form,
            "back": _url("appointment_check" if _changing(request) else "appointment_time", found),
        },
    )


def _choose_again(
    request: HttpRequest,
    council: Council,
    answers: dict[str, Any],
    message: str,
    *,
    forget: str = "slot",
    step: str = "appointment_time",
) -> Any:
    """What was chosen (the time, unless named) has gone: say so, and send the person back to
    choose again."""
    answers.pop(forget, None)
    _save(request, council, answers)
    messages.warning(request, message)
    return redirect(_url(step, council))


def _to_held(request: HttpRequest, council: Council, booking_pk: int) -> HttpResponse:
    """The booking is held: the answers go, and its page shows it."""
    request.session.pop(_key(council), None)
    request.session[f"{_key(council)}:held"] = booking_pk
    return redirect(_url("appointment_held", council))


def _held_already(
    request: HttpRequest, council: Council, answers: dict[str, Any]
) -> HttpResponse | None:
    """A POST of Book appointment whose time is held already (a second click, another tab, or
    Back and book again): the first hold's page, never "someone has just booked this time"."""
    if request.method != "POST":
        return None
    held = request.session.get(f"{_key(council)}:held") if not answers else None
    first = created_before(key=key_from_form(request), purpose=services.BOOKING_HOLD) or held
    if first is None or not Booking.objects.filter(pk=first, slot__hub__council=council).exists():
        return None
    return _to_held(request, council, first)


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("hub-booking")
def appointment_check(request: HttpRequest, council: str) -> HttpResponse:
    found, _settings = public_council(council)
    answers = _answers(request, found)
    if (held := _held_already(request, found, answers)) is not None:
        return held
    if not _complete(answers):
        return redirect(_url("appointment_start", found))
    hub = _chosen_hub(found, answers)
    if hub is None:
        return _choose_again(
            request,
            found,
            answers,
            "Sorry, that hub is no longer taking bookings. Choose another.",
            forget="hub",
            step="appointment_start",
        )
    slot = _chosen_slot(hub, answers)
    if slot is None:
        # Gone, perhaps to this very click's twin that committed a moment ago: ask again.
        if (held := _held_already(request, found, answers)) is not None:
            return held
        return _choose_again(
            request, found, answers, "Sorry, the time you chose has just gone. Choose another time."
        )
    if request.method == "POST":
        linked = answers.get("request")
        front_door_request = (
            FrontDoorRequest.objects.filter(pk=linked, council=found).first()
            if isinstance(linked, int)
            else None
        )
        try:
            booking = services.booking_hold(
                slot=slot,
                name=answers["name"],
                email=answers["email"],
                phone=answers.get("phone", ""),
                about=answers.get("about", ""),
                request=front_door_request,
                idempotency_key=key_from_form(request),
            )
        except services.SlotUnavailable as refusal:
            return _choose_again(request, found, answers, refusal.message)
        except ValidationError:
            return redirect(_url("appointment_details", found))
        return _to_held(request, found, booking.pk)
    return render(
        request,
        "frontdoor/hubs/check.html",
        {
            "council": found,
            "hub": hub,
            "slot": slot,
            "when": appointment_when(slot),
            "answers": answers,
            "change": {
                name: _url(name, found, change=True)
                for name in ("appointment_start", "appointment_time", "appointment_details")
            },
        },
    )


@login_not_required
@require_GET
def appointment_held(request: HttpRequest, council: str) -> HttpResponse:
    """Check your e-mail: the time is held for 30 minutes until the link in it is clicked."""
    found, _settings = public_council(council)
    held = request.session.get(f"{_key(found)}:held")
    booking = (
        Booking.objects.select_related("slot__hub")
        .filter(pk=held, slot__hub__council=found)
        .first()
        if isinstance(held, int)
        else None
    )
    if booking is None:
        return redirect(_url("appointment_start", found))
    return render(
        request,
        "frontdoor/hubs/held.html",
        {
            "council": found,
            "booking": booking,
            "when": appointment_when(booking.slot),
            "minutes": int(HOLD_FOR.total_seconds() // 60),
        },
    )


def _link_problem(
    request: HttpRequest,
    council: Council,
    *,
    title: str,
    text: str,
    status: int,
    booking: Booking | None = None,
) -> HttpResponse:
    return render(
        request,
        "frontdoor/hubs/link_problem.html",
        {"council": council, "title": title, "text": text, "booking": booking},
        status=status,
    )


def _invalid_link(request: HttpRequest, council: Council) -> HttpResponse:
    return _link_problem(
        request,
        council,
        title="This link is not valid",
        text="Check that you copied the whole link from the e-mail. If you clicked it, it may "
        "have been cut short: try copying it into your browser instead.",
        status=404,
    )


def _link_key(council: Council, purpose: LinkPurpose) -> str:
    return f"{_key(council)}:link:{purpose.value}"


def _link_token(
    request: HttpRequest, council: Council, token: str, purpose: LinkPurpose
) -> str | None:
    """The token a link's page works with: the URL's on the door's hop, else the one the door
    kept in the session (None when there is none)."""
    if token != LINK_OPENED:
        return token
    kept = request.session.get(_link_key(council, purpose))
    return kept if isinstance(kept, str) else None


def _door(
    request: HttpRequest, council: Council, token: str, purpose: LinkPurpose, name: str
) -> HttpResponse:
    """The link's one hop: keep its token in the session, and open the page without it."""
    request.session[_link_key(council, purpose)] = token
    return redirect(_url(name, council, token=LINK_OPENED))


def _same_booking(request: HttpRequest, booking: Booking) -> bool:
    """A button's POST acts on the booking its page showed: another link opened meanwhile in
    the same browser has changed the session's booking."""
    return request.POST.get("booking") == booking.reference


def _to_manage(request: HttpRequest, council: Council, booking: Booking) -> HttpResponse:
    return _door(
        request,
        council,
        booking_token(booking, LinkPurpose.MANAGE),
        LinkPurpose.MANAGE,
        "appointment_detail",
    )


def _manage(council: Council) -> str:
    return _url("appointment_detail", council, token=LINK_OPENED)


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def appointment_confirm(request: HttpRequest, council: str, token: str) -> HttpResponse:
    """The e-mailed confirmation link: the page asks, and only the button confirms (mail
    scanners follow links, and a GET must never book)."""
    found, _settings = public_council(council)
    kept = _link_token(request, found, token, LinkPurpose.CONFIRM)
    if kept is None:
        return _invalid_link(request, found)
    try:
        booking = access_booking_by_link(found, kept, LinkPurpose.CONFIRM)
    except LinkInvalid:
        return _invalid_link(request, found)
    except LinkExpired as expired:
        booking = expired.booking
        if booking.status != B.CONFIRMED:
            return _link_problem(
                request,
                found,
                title="This link has expired",
                text="The link to confirm an appointment works for 30 minutes. The time "
                "you chose has been given up, so you need to book again.",
                status=410,
                booking=booking,
            )
    if booking.status == B.CONFIRMED:
        messages.info(request, "You have already confirmed this appointment.")
        return _to_manage(request, found, booking)
    if booking.status != B.HELD or booking.held_until <= now():
        cancelled = booking.status == B.CANCELLED
        return _link_problem(
            request,
            found,
            title="This appointment was cancelled" if cancelled else "This time is no longer held",
            text="This appointment was cancelled, so it cannot be confirmed."
            if cancelled
            else "You did not confirm this time within 30 minutes, so it has been given up. "
            "You need to book again.",
            status=410,
            booking=booking,
        )
    if token != LINK_OPENED:
        return _door(request, found, token, LinkPurpose.CONFIRM, "appointment_confirm")
    if request.method == "POST" and not _same_booking(request, booking):
        messages.warning(request, "You opened another appointment's link: check this one.")
        return redirect(_url("appointment_confirm", found, token=LINK_OPENED))
    if request.method == "POST":
        try:
            booking = services.booking_confirm(booking=booking)
        except services.BookingRefused as refusal:
            return _link_problem(
                request,
                found,
                title="Your appointment could not be confirmed",
                text=refusal.message,
                status=409,
                booking=booking,
            )
        messages.success(
            request,
            f"Your appointment is booked. Your reference is {booking.reference}. We have sent "
            f"the details to {booking.email}.",
        )
        return _to_manage(request, found, booking)
    return render(
        request,
        "frontdoor/hubs/confirm.html",
        {"council": found, "booking": booking, "when": appointment_when(booking.slot)},
    )


def _by_link(
    request: HttpRequest, council: Council, token: str
) -> tuple[Booking | None, HttpResponse | None]:
    kept = _link_token(request, council, token, LinkPurpose.MANAGE)
    if kept is None:
        return None, _invalid_link(request, council)
    try:
        return access_booking_by_link(council, kept, LinkPurpose.MANAGE), None
    except LinkInvalid:
        return None, _invalid_link(request, council)
    except LinkExpired as expired:
        return None, _link_problem(
            request,
            council,
            title="This appointment has passed",
            text="The link to your appointment works until the appointment starts.",
            status=410,
            booking=expired.booking,
        )


@login_not_required
@require_GET
def appointment_detail(request: HttpRequest, council: str, token: str) -> HttpResponse:
    """The booking, from the e-mailed link, with "Cancel appointment"."""
    found, _settings = public_council(council)
    booking, problem = _by_link(request, found, token)
    if booking is None:
        assert problem is not None
        return problem
    if token != LINK_OPENED:
        return _door(request, found, token, LinkPurpose.MANAGE, "appointment_detail")
    services.booking_viewed(booking=booking, ip=request.META.get("REMOTE_ADDR"))
    held_out = booking.status == B.HELD and booking.held_until <= now()
    return render(
        request,
        "frontdoor/hubs/booking.html",
        {
            "council": found,
            "booking": booking,
            "when": appointment_when(booking.slot),
            "status": B.EXPIRED.label if held_out else B(booking.status).label,
            "can_cancel": booking.status == B.CONFIRMED
            or (booking.status == B.HELD and not held_out),
            "waiting": booking.status == B.HELD and not held_out,
            "opened": LINK_OPENED,
        },
    )


@login_not_required
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def appointment_cancel(request: HttpRequest, council: str, token: str) -> HttpResponse:
    """Are you sure? Only the button cancels."""
    found, _settings = public_council(council)
    booking, problem = _by_link(request, found, token)
    if booking is None:
        assert problem is not None
        return problem
    if token != LINK_OPENED:
        return _door(request, found, token, LinkPurpose.MANAGE, "appointment_cancel")
    manage = _manage(found)
    if booking.status not in (B.HELD, B.CONFIRMED):
        return redirect(manage)
    if request.method == "POST" and not _same_booking(request, booking):
        messages.warning(request, "You opened another appointment's link: check this one.")
        return redirect(_url("appointment_cancel", found, token=LINK_OPENED))
    if request.method == "POST":
        try:
            services.booking_cancel(booking=booking)
        except services.BookingRefused as refusal:
            messages.warning(request, refusal.message)
            return redirect(manage)
        messages.success(request, "Your appointment has been cancelled. We have e-mailed you.")
        return redirect(manage)
    return render(
        request,
        "frontdoor/hubs/cancel.html",
        {
            "council": found,
            "booking": booking,
            "when": appointment_when(booking.slot),
            "back": manage,
        },
    )
