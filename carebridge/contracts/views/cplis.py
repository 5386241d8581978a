"""The care package line items list (with its CSV and Excel exports) and the purchase orders.

Providers see their own CPLIs from every council they work for; a council sees its own. Each
page is a selector call in a fixed number of queries; the money is computed by the selectors.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.contracts import exports
from carebridge.contracts import services as contract_services
from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.contracts.filters import CpliFilters, PurchaseOrderFilters
from carebridge.contracts.purchase_orders import (
    purchase_order_cplis,
    purchase_order_groups,
    purchase_order_years,
    purchase_orders_for,
    purchase_orders_of_client,
)
from carebridge.contracts.selectors import cpli_filter_options, cplis_listed_for
from carebridge.core import calendar
from carebridge.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.organisations.focus import chosen_council, narrow
from carebridge.people import services as people


def _cpli_filters(request: HttpRequest) -> CpliFilters:
    """The list's filters over the user's CPLIs: the page and its exports read the same rows."""
    user = acting_user(request)
    require_function(user, Function.CPLIS)
    # A provider of several councils that chose one sees that council's lines only.
    chosen = chosen_council(request)
    services, levels = cpli_filter_options(user, council_id=chosen.pk if chosen else None)
    return CpliFilters(
        request.GET,
        narrow(cplis_listed_for(user, include_historical=True), request),
        services=services,
        levels=levels,
    )


@require_GET
def cpli_list(request: HttpRequest) -> HttpResponse:
    filters = _cpli_filters(request)
    page = page_of(request, filters.qs, per_page=LONG_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters.form,
        "chosen": filters.chosen(),
        "query": query.urlencode(),
        "by_council": acting_user(request).council_id is not None,
    }
    return render(request, "contracts/cplis/list.html", context)


@require_GET
def cpli_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    listed = _cpli_filters(request).qs
    contract_services.cplis_exported(
        by=acting_user(request), cplis=listed, fmt=fmt, ip=request.META.get("REMOTE_ADDR")
    )
    cplis = listed.iterator(chunk_size=500)
    chosen = chosen_council(request)
    whose = f"{chosen.slug}-" if chosen is not None else ""
    name = f"cplis-{whose}{calendar.today().isoformat()}.{fmt}"
    if fmt == "csv":
        streaming = StreamingHttpResponse(
            exports.cplis_csv(cplis), content_type="text/csv; charset=utf-8"
        )
        streaming["Content-Disposition"] = f'attachment; filename="{name}"'
        return streaming
    response = HttpResponse(
        exports.cplis_xlsx(cplis),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def po_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.PURCHASE_ORDERS)
    current = financial_year_of(calendar.today())
    chosen_council_ = chosen_council(request)
    services, _levels = cpli_filter_options(
        user, council_id=chosen_council_.pk if chosen_council_ else None
    )
    filters = PurchaseOrderFilters(
        request.GET,
        narrow(purchase_order_cplis(user), request),
        years=purchase_order_years(user, today_year=current),
        current=current,
        services=services,
    )
    chosen = filters.chosen()
    year = filters.chosen_year()
    page = page_of(request, purchase_order_groups(filters.qs), per_page=LONG_PAGE_SIZE)
    orders = purchase_orders_for(user, list(page.object_list), year=year, service=chosen["service"])
    context = {
        "page": page,
        "orders": orders,
        "filters": filters.form,
        "chosen": chosen,
        "year": year,
        "year_label": financial_year_label(year),
        "by_council": user.council_id is not None,
    }
    return render(request, "contracts/cplis/po_list.html", context)


@require_GET
def po_detail(request: HttpRequest, service_user_id: int, year: int) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.PURCHASE_ORDERS)
    if not EARLIEST_YEAR <= year < LATEST_YEAR:
        # A financial year runs into the next calendar year, which must be in bounds too.
        raise Http404("No such purchase order")
    orders = purchase_orders_of_client(user, service_user_id, year=year)
    if not orders:
        raise Http404("No such purchase order")
    people.service_user_viewed(
        person=orders[0].first.service_user,
        by=user,
        via=f"purchase orders {financial_year_label(year)}",
        ip=request.META.get("REMOTE_ADDR"),
    )
    context = {
        "orders": orders,
        "client": orders[0].first.service_user,
        "year": year,
        "year_label": financial_year_label(year),
        "by_council": user.council_id is not None,
        "can_raise_action": can_edit(user.role, Function.ACTIONS),
    }
    return render(request, "contracts/cplis/po_detail.html", context)
