"""The council's front-door settings: what its officers keep (phone, office hours, the
out-of-hours team, emergency contacts), opening or closing the public front door (its own,
confirmed action), and the outbound connections (CRM webhook, directory feed) that only the
council's administrators set, with the CRM signing secret shown once when it is made."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from carebridge.accounts.models import User
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.frontdoor.models import FrontDoorSettings, FrontDoorTeam
from carebridge.frontdoor.requests import selectors, services
from carebridge.frontdoor.requests.forms import (
    ConnectionsForm,
    FrontDoorTeamForm,
    OpenForm,
    SettingsForm,
    keep_carried,
)
from carebridge.frontdoor.requests.services import settings as services_settings
from carebridge.organisations.models import Council


def _council_of(user: User, function: Function) -> Council:
    require_function(user, function, edit=True)
    if user.council is None:
        raise PermissionDenied
    return user.council


def _current(council: Council) -> FrontDoorSettings:
    # Unsaved defaults until the council first saves: a page never writes on a GET.
    return FrontDoorSettings.objects.filter(council=council).first() or FrontDoorSettings(
        council=council
    )


@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    council = _council_of(user, Function.FRONT_DOOR)
    current = _current(council)
    initial = {name: getattr(current, name) for name in services.SETTINGS_FIELDS}
    initial["office_days"] = list(current.office_days)
    if request.method == "POST":
        form = keep_carried(SettingsForm(request.POST, initial=initial, council_id=council.pk))
        if form.is_valid():
            try:
                if form.cleaned_data:
                    services.front_door_settings_update(
                        council=council, by=user, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, "The front-door settings are saved.")
                return redirect("frontdoor:settings")
    else:
        form = SettingsForm(initial=initial, council_id=council.pk)
    return render(
        request,
        "frontdoor/settings.html",
        {
            "form": form,
            "current": current,
            "council": council,
            "teams": selectors.front_door_teams(council.pk),
        },
    )


def _team_row(council: Council, pk: int) -> FrontDoorTeam:
    """One of the council's front-door teams; 404 for any other council's."""
    row = FrontDoorTeam.objects.filter(council=council, pk=pk).select_related("team").first()
    if row is None:
        raise Http404("No such front-door team")
    return row


@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add one of the council's teams to the front door's routing, or change its rules."""
    user = acting_user(request)
    council = _council_of(user, Function.FRONT_DOOR)
    row = _team_row(council, pk) if pk is not None else None
    initial = (
        {name: getattr(row, name) for name in services_settings.TEAM_FIELDS}
        if row
        else {"order": len(selectors.front_door_teams(council.pk)) + 1}
    )
    data = request.POST if request.method == "POST" else None
    form = FrontDoorTeamForm(data, initial=initial, council_id=council.pk)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services_settings.front_door_team_save(
                council=council, by=user, row=row, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{saved.team.name}'s routing is saved.")
            return redirect("frontdoor:settings")
    return render(
        request,
        "frontdoor/team_edit.html",
        {"form": form, "row": row, "council": council},
    )


@require_http_methods(["POST"])
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a team out of the front door's routing (the edit page's button)."""
    user = acting_user(request)
    council = _council_of(user, Function.FRONT_DOOR)
    row = _team_row(council, pk)
    name = row.team.name
    services_settings.front_door_team_remove(council=council, by=user, row=row)
    messages.success(request, f"{name} no longer takes front-door requests.")
    return redirect("frontdoor:settings")


@require_http_methods(["GET", "POST"])
def open_close(request: HttpRequest) -> HttpResponse:
    """Open or close the public front door, after the officer confirms. The POST says which it
    means, so a repeated or stale submit never flips it back."""
    user = acting_user(request)
    council = _council_of(user, Function.FRONT_DOOR)
    current = _current(council)
    opening = not current.is_open
    form = OpenForm(
        request.POST if request.method == "POST" else None,
        initial={"is_open": "yes" if opening else "no"},
    )
    if request.method == "POST" and form.is_valid():
        is_open = form.cleaned_data["is_open"]
        services.front_door_open_set(council=council, by=user, is_open=is_open)
        messages.success(
            request,
            "The front door is open to the public."
            if is_open
            else "The front door is closed: its public pages are not found until it opens again.",
        )
        return redirect("frontdoor:settings")
    return render(
        request,
        "frontdoor/open_close.html",
        {"form": form, "current": current, "council": council, "opening": opening},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def connections(request: HttpRequest) -> HttpResponse:
    """The council's outbound addresses, for its administrators. A signing secret, when one is
    made, is in this one response and never shown again."""
    user = acting_user(request)
    council = _council_of(user, Function.CONNECTIONS)
    current = _current(council)
    initial = {name: getattr(current, name) for name in services.CONNECTION_FIELDS}
    secret = ""
    form = ConnectionsForm(initial=initial)
    if request.method == "POST" and request.POST.get("do") == "secret":
        secret = services.crm_secret_renew(council=council, by=user)
    elif request.method == "POST":
        form = keep_carried(ConnectionsForm(request.POST, initial=initial))
        if form.is_valid():
            try:
                current, secret = services.front_door_connections_update(
                    council=council, by=user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_errors(error)
            else:
                if not secret:
                    messages.success(request, "The connections are saved.")
                    return redirect("frontdoor:connections")
    if secret:
        current = _current(council)
        form = ConnectionsForm(initial={n: getattr(current, n) for n in services.CONNECTION_FIELDS})
    return render(
        request,
        "frontdoor/connections.html",
        {"form": form, "current": current, "council": council, "secret": secret},
    )
