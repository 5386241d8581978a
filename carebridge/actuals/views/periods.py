"""The provider's actuals periods: the list, and a period's exceptions and confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from carebridge.actuals import selectors, services
from carebridge.actuals.views.common import (
    provider_id,
    provider_user,
)
from carebridge.core import row_links
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.organisations.focus import chosen_council_id
from carebridge.organisations.models import Rulebook


@require_http_methods(["GET"])
def period_list(request: HttpRequest) -> HttpResponse:
    user = provider_user(request)
    periods = selectors.provider_periods(user, council_id=chosen_council_id(request))
    states = selectors.provider_confirmations(user, periods)
    return render(
        request,
        "actuals/period_list.html",
        {"rows": [(p, states[p.pk]) for p in periods]},
    )


@require_http_methods(["GET", "POST"])
def period(request: HttpRequest, pk: int) -> HttpResponse:
    user = provider_user(request, edit=request.method == "POST")
    found = selectors.periods_visible_to(user).filter(pk=pk).select_related("council").first()
    if found is None:
        raise Http404("No such period")
    if request.method == "POST":
        try:
            services.actuals_confirm(user, found)
        except services.ActualsRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                f"Actuals confirmed for {found.council.name}, {guide_date(found.start_date)} to "
                f"{guide_date(found.end_date)}.",
            )
        return HttpResponseRedirect(reverse("actuals:period", args=[found.pk]))
    state = services.confirmation_state(provider_id(user), found)
    exceptions = list(selectors.exceptions_of(user, found)[:500])
    links = row_links.links_for(user, exceptions)
    return render(
        request,
        "actuals/period.html",
        {
            "period": found,
            "state": state,
            "exceptions": exceptions,
            "rows": [(actual, links.get(actual.pk, [])) for actual in exceptions],
            "total": selectors.period_total(user, found),
            "in_progress": found.end_date >= today(),
            "over_percent": Rulebook.objects.get(
                council_id=found.council_id
            ).actuals_over_plan_percent,
        },
    )
