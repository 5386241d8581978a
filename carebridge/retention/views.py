"""The council administrators' retention pages: the schedule, the legal holds and the runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.audit import services as audit
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.organisations.models import Rulebook
from carebridge.people.models import ServiceUser
from carebridge.retention import selectors, services
from carebridge.retention.access import access_hold, council_id_of
from carebridge.retention.choices import SCHEDULE
from carebridge.retention.forms import HoldForm, ReleaseForm, ScheduleForm

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def _administrator(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    require_function(user, Function.RETENTION, edit=edit)
    return user


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = _administrator(request)
    book = Rulebook.objects.get(council_id=council_id_of(user))
    schedule = [
        {"label": cls.label, "months": getattr(book, f), "removal": r.label, "words": w}
        for cls, (f, r, w) in SCHEDULE.items()
    ]
    holds = list(selectors.holds_for(user))
    people = {h.service_user_id: 1 for h in holds if h.service_user_id}
    if people:
        audit.record_listed(action="retention.holds_listed", by=user, counts=people)
    context = {"schedule": schedule, "holds": holds, "runs": selectors.runs_for(user)}
    return render(request, "retention/overview.html", context)


@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest) -> HttpResponse:
    user = _administrator(request, edit=True)
    book = Rulebook.objects.get(council_id=council_id_of(user))
    initial = {field: getattr(book, field) for field in services.SCHEDULE_FIELDS}
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(council=book.council, by=user, months=form.cleaned_data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Retention schedule saved")
            return redirect("retention:overview")
    return render(request, "retention/schedule_form.html", {"form": form})


def _person(user: User, kind: str, reference: str) -> dict[str, object] | None:
    if kind == "service_user":
        found = ServiceUser.objects.filter(council_id=council_id_of(user), ss_ref=reference).first()
        return {"service_user": found} if found else None
    request = FrontDoorRequest.objects.filter(
        council_id=council_id_of(user), reference=reference
    ).first()
    return {"request": request} if request else None


@require_http_methods(["GET", "POST"])
def hold_place(request: HttpRequest) -> HttpResponse:
    user = _administrator(request, edit=True)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = _person(user, data["kind"], data["reference"].strip())
        if person is None:
            form.add_error("reference", "No one with this reference was found")
        else:
            try:
                services.legal_hold_place(by=user, reason=data["reason"], **person)  # type: ignore[arg-type]
            except services.RetentionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, "Legal hold placed")
                return redirect("retention:overview")
    return render(request, "retention/hold_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = _administrator(request, edit=True)
    hold = access_hold(user, pk)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_release(hold=hold, by=user, reason=form.cleaned_data["reason"])
        except services.RetentionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, "Legal hold released")
            return redirect("retention:overview")
    return render(request, "retention/release_form.html", {"form": form, "hold": hold})
