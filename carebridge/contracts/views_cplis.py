"""The care package line items list (with its CSV and Excel exports) and the purchase orders.

Providers see their own CPLIs from every council they work for; a council sees its own. Each
page is a selector call in a fixed number of queries; the money is computed by the selectors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.contracts import exports
from carebridge.contracts import services as contract_services
from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.contracts.purchase_orders import (
    purchase_order_groups,
    purchase_order_years,
    purchase_orders_for,
    purchase_orders_of_client,
)
from carebridge.contracts.selectors import cpli_filter_options, cplis_listed_for
from carebridge.core import calendar
from carebridge.core.bounds import EARLIEST_YEAR, LATEST_YEAR
from carebridge.core.forms import BoundedTextForm
from carebridge.core.permissions import Function, can_edit
from carebridge.people import services as people

PAGE_SIZE = 50


class _Filters(BoundedTextForm):
    """A list's GET filters. A value that is not one of the choices is ignored, never an error."""

    def values(self) -> dict[str, Any]:
        self.is_valid()
        return {
            name: self.cleaned_data.get(name, field.initial) for name, field in self.fields.items()
        }

    def _choices(self, name: str, empty: str, choices: list[tuple[int, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", empty), *choices]


class CpliFilters(_Filters):
    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None)
    client = forms.CharField(
        label="Client", help_text="Name or SS Ref", required=False, max_length=100
    )
    service_level = forms.TypedChoiceField(
        label="Service level", required=False, coerce=int, empty_value=None
    )
    historical = forms.BooleanField(label="Include historical", required=False)

    def __init__(
        self, data: Any, *, services: list[tuple[int, str]], levels: list[tuple[int, str]]
    ) -> None:
        super().__init__(data)
        self._choices("service", "All services", services)
        self._choices("service_level", "All service levels", levels)


class PurchaseOrderFilters(_Filters):
    year = forms.TypedChoiceField(
        label="Financial year", required=False, coerce=int, empty_value=None
    )
    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None)
    client = forms.CharField(
        label="Client", help_text="Name or SS Ref", required=False, max_length=100
    )

    def __init__(
        self, data: Any, *, years: list[int], current: int, services: list[tuple[int, str]]
    ) -> None:
        super().__init__(data)
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = [(y, financial_year_label(y)) for y in years]
        year.initial = current
        self._choices("service", "All services", services)


def _cpli_filters(request: HttpRequest) -> tuple[CpliFilters, dict[str, Any]]:
    user = acting_user(request)
    require_function(user, Function.CPLIS)
    services, levels = cpli_filter_options(user)
    filters = CpliFilters(request.GET, services=services, levels=levels)
    return filters, filters.values()


def _listed(request: HttpRequest, chosen: dict[str, Any]) -> Any:
    return cplis_listed_for(
        acting_user(request),
        service=chosen["service"],
        client=chosen["client"] or "",
        service_level=chosen["service_level"],
        include_historical=bool(chosen["historical"]),
    )


@require_GET
def cpli_list(request: HttpRequest) -> HttpResponse:
    filters, chosen = _cpli_filters(request)
    page = Paginator(_listed(request, chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "chosen": chosen,
        "query": query.urlencode(),
        "by_council": acting_user(request).council_id is not None,
    }
    return render(request, "contracts/cplis/list.html", context)


@require_GET
def cpli_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    _filters, chosen = _cpli_filters(request)
    listed = _listed(request, chosen)
    contract_services.cplis_exported(
        by=acting_user(request), cplis=listed, fmt=fmt, ip=request.META.get("REMOTE_ADDR")
    )
    cplis = listed.iterator(chunk_size=500)
    name = f"cplis-{calendar.today().isoformat()}.{fmt}"
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


def _current_year() -> int:
    return financial_year_of(calendar.today())


@require_GET
def po_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.PURCHASE_ORDERS)
    current = _current_year()
    services, _levels = cpli_filter_options(user)
    filters = PurchaseOrderFilters(
        request.GET,
        years=purchase_order_years(user, today_year=current),
        current=current,
        services=services,
    )
    chosen = filters.values()
    year = chosen["year"] if chosen["year"] is not None else current
    groups = purchase_order_groups(
        user, year=year, service=chosen["service"], client=chosen["client"] or ""
    )
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    orders = purchase_orders_for(user, list(page.object_list), year=year, service=chosen["service"])
    context = {
        "page": page,
        "orders": orders,
        "filters": filters,
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
