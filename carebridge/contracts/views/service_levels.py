"""The council's service levels and their payment settings: listed for the council's staff who
see its organisation details, changed by its administrators (one call of
contracts.service_levels, audited there). Another council's level is not found."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts.models import User
from carebridge.contracts.forms_service_levels import ServiceLevelSettingsForm
from carebridge.contracts.models import ServiceLevel
from carebridge.contracts.service_levels import service_level_settings_update
from carebridge.core.http import acting_user
from carebridge.organisations.models import Council
from carebridge.organisations.services.payment_settings import (
    PaymentSettingsRefused,
    may_change_payment_settings,
    may_view_payment_settings,
)


def _council(request: HttpRequest, *, change: bool = False) -> tuple[User, Council]:
    user = acting_user(request)
    council = user.council
    if council is None:
        raise PermissionDenied
    allowed = (
        may_change_payment_settings(user, council.pk)
        if change
        else may_view_payment_settings(user, council.pk)
    )
    if not allowed:
        raise PermissionDenied
    return user, council


@require_GET
def service_level_list(request: HttpRequest) -> HttpResponse:
    user, council = _council(request)
    return render(
        request,
        "contracts/service_level_list.html",
        {
            "council": council,
            "levels": list(ServiceLevel.objects.filter(council=council).order_by("name", "pk")),
            "can_change": may_change_payment_settings(user, council.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def service_level_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _council(request, change=True)
    level = ServiceLevel.objects.filter(pk=pk, council=council).first()
    if level is None:
        raise Http404("No such service level")
    if request.method == "POST":
        form = ServiceLevelSettingsForm(request.POST)
        if form.is_valid():
            try:
                service_level_settings_update(by=user, level=level, **form.cleaned_data)
            except ValidationError as error:
                form.add_errors(error)
            except PaymentSettingsRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, f"{level.name} is saved.")
                return redirect("contracts:service_level_list")
    else:
        form = ServiceLevelSettingsForm(initial=ServiceLevelSettingsForm.initial_of(level))
    return render(
        request,
        "contracts/service_level_edit.html",
        {"council": council, "form": form, "level": level},
    )
