"""The provider's two lists: referrals waiting for an answer, and the service users in its
care. Both filter through `referrals.filters` and page through `core.lists.page_of`, and htmx
refreshes only the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.core.http import HtmxHttpRequest, acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, require_function
from carebridge.organisations.focus import filter_data, names_a_stranger
from carebridge.organisations.models import District
from carebridge.organisations.selectors import councils_visible_to
from carebridge.referrals.choices import Stage
from carebridge.referrals.filters import ExistingFilters, PendingFilters
from carebridge.referrals.models import Referral
from carebridge.referrals.selectors import (
    PENDING_COLUMNS,
    pending_rows,
    referrals_existing_for,
    referrals_pending_for,
)


@dataclass(frozen=True)
class FilterOptions:
    """The districts and councils a provider's lists can be filtered by."""

    districts: list[tuple[int, str]]
    councils: list[tuple[int, str]]

    @property
    def several_councils(self) -> bool:
        return len(self.councils) > 1


def _filter_options(user: User) -> FilterOptions:
    """In one query: the districts of every council the provider works for, and so the councils
    (a council without districts cannot have sent a referral)."""
    districts = list(
        District.objects.filter(council__in=councils_visible_to(user)).values_list(
            "pk", "name", "council_id", "council__name"
        )
    )
    councils = {council_id: council for _pk, _name, council_id, council in districts}
    several = len(councils) > 1
    return FilterOptions(
        districts=sorted(
            (
                (pk, f"{name} ({council})" if several else name)
                for pk, name, _c, council in districts
            ),
            key=lambda choice: choice[1],
        ),
        councils=sorted(councils.items(), key=lambda choice: choice[1]),
    )


def _require_provider(user: User) -> None:
    require_function(user, Function.REFERRALS)
    if user.provider_id is None:
        raise PermissionDenied


def _list_response(
    request: HtmxHttpRequest, page_template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only the list when htmx refreshes it."""
    response = render(request, partial if request.htmx else page_template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def pending(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_provider(user)
    moment = now()
    options = _filter_options(user)
    # A provider of several councils that chose one starts at its referrals.
    listed = referrals_pending_for(user)
    filters = PendingFilters(
        filter_data(request),
        listed.none() if names_a_stranger(request) else listed,
        at=moment,
        districts=options.districts,
        councils=options.councils,
    )
    chosen = filters.chosen()
    referrals = filters.qs
    # Counted without the joins the rows need: counting through them cost more than the rows.
    page = page_of(request, referrals)
    rows = []
    if page.paginator.count:
        shown = referrals.values(*PENDING_COLUMNS)[page.start_index() - 1 : page.end_index()]
        rows = pending_rows(shown, moment)
    context = {
        "page": page,
        "rows": rows,
        "now": moment,
        "filters": filters.form,
        "chosen": chosen,
        "options": options,
    }
    return _list_response(
        request, "referrals/pending.html", "referrals/_partials/pending_list.html", context
    )


@dataclass(frozen=True)
class ExistingRow:
    referral: Referral
    stage: Stage


@require_GET
def existing(request: HtmxHttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require_provider(user)
    moment = now()
    options = _filter_options(user)
    listed = referrals_existing_for(user, at=moment)
    filters = ExistingFilters(
        filter_data(request),
        listed.none() if names_a_stranger(request) else listed,
        districts=options.districts,
        councils=options.councils,
    )
    chosen = filters.chosen()
    page = page_of(request, filters.qs)
    rows = [ExistingRow(r, Stage(r.stage)) for r in page.object_list]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters.form,
        "chosen": chosen,
        "options": options,
    }
    return _list_response(
        request, "referrals/existing.html", "referrals/_partials/existing_list.html", context
    )
