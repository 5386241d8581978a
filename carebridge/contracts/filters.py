"""The filters of the contracts lists: the contract documents, the care package line items (the
page and its exports alike) and the purchase orders."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from carebridge.contracts.choices import DocumentStatus
from carebridge.contracts.commitment import financial_year_label
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.purchase_orders import running_in
from carebridge.contracts.selectors import client_matches, current_on
from carebridge.core import calendar
from carebridge.core.bounds import parse_iso_date
from carebridge.core.calendar import london_midnight
from carebridge.core.forms import GuideDateField
from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet


class GuideDateFilter(django_filters.Filter):
    """A GOV.UK date input (day, month, year) as a filter."""

    field_class = GuideDateField


class DocumentFilters(ListFilterSet):
    """The contract documents: by service, client (name or SS Ref), status and "updated since"."""

    service = IdChoiceFilter(label="Service", field_name="service_id")
    client = django_filters.CharFilter(
        label="Client", help_text="Name or SS Ref", max_length=100, method="filter_client"
    )
    status = ChoiceFilter(label="Status", choices=[("", "Any status"), *DocumentStatus.choices])
    since = GuideDateFilter(
        label="Updated since",
        required=False,
        help_text="For example, 1 4 2026",
        method="filter_since",
    )

    def __init__(
        self, data: Any, queryset: QuerySet[ContractDocument], *, services: list[tuple[int, str]]
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("service", [("", "All services"), *services])

    def chosen(self) -> dict[str, Any]:
        """The valid filters only. "Updated since" also takes an ISO date (`?since=2026-04-01`),
        so links and scripts need not split it into day, month and year."""
        chosen = super().chosen()
        text = self.data.get("since", "") if hasattr(self.data, "get") else ""
        if chosen["since"] is None and text:
            chosen["since"] = parse_iso_date(text.strip())
        return chosen

    def filter_client(
        self, documents: QuerySet[ContractDocument], name: str, value: str
    ) -> QuerySet[ContractDocument]:
        for word in value.replace(",", " ").split():
            documents = documents.filter(
                Q(service_user__first_name__icontains=word)
                | Q(service_user__last_name__icontains=word)
                | Q(service_user__ss_ref__iexact=word)
            )
        return documents

    def filter_since(
        self, documents: QuerySet[ContractDocument], name: str, value: date
    ) -> QuerySet[ContractDocument]:
        return documents.filter(changed_at__gte=london_midnight(value))


def _filter_client(cplis: QuerySet[Cpli], name: str, value: str) -> QuerySet[Cpli]:
    return cplis.filter(client_matches(value))


class HistoricalFilter(django_filters.Filter):
    """The "Include historical" box: unticked (as it starts), only the lines running today."""

    field_class = forms.BooleanField

    def filter(self, qs: QuerySet[Cpli], value: bool) -> QuerySet[Cpli]:
        if value:
            return qs
        return qs.filter(current_on(self.parent.today))


class CpliFilters(ListFilterSet):
    """The care package line items (`selectors.cplis_listed_for(user, include_historical=True)`):
    by service, client (name or SS Ref), service level, and current or historical too."""

    service = IdChoiceFilter(label="Service", field_name="service_id")
    client = django_filters.CharFilter(
        label="Client", help_text="Name or SS Ref", max_length=100, method=_filter_client
    )
    service_level = IdChoiceFilter(label="Service level", field_name="service_level_id")
    historical = HistoricalFilter(label="Include historical")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Cpli],
        *,
        services: list[tuple[int, str]],
        levels: list[tuple[int, str]],
        today: date | None = None,
    ) -> None:
        super().__init__(data, queryset)
        self.today = today if today is not None else calendar.today()
        self.set_choices("service", [("", "All services"), *services])
        self.set_choices("service_level", [("", "All service levels"), *levels])


class FinancialYearFilter(IdChoiceFilter):
    """A financial year (by the year it starts in): none chosen, or not one of the choices, is the
    current year."""

    def filter(self, qs: QuerySet[Cpli], value: int | None) -> QuerySet[Cpli]:
        return qs.filter(running_in(value if value is not None else self.parent.current))


class PurchaseOrderFilters(ListFilterSet):
    """The CPLIs the purchase orders are made of (`purchase_orders.purchase_order_cplis`): those
    running in the financial year, by service and client (name or SS Ref)."""

    year = FinancialYearFilter(label="Financial year")
    service = IdChoiceFilter(label="Service", field_name="service_id")
    client = django_filters.CharFilter(
        label="Client", help_text="Name or SS Ref", max_length=100, method=_filter_client
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Cpli],
        *,
        years: list[int],
        current: int,
        services: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.current = current
        self.set_choices("year", [(y, financial_year_label(y)) for y in years])
        self.filters["year"].extra["initial"] = current
        self.set_choices("service", [("", "All services"), *services])

    def chosen_year(self) -> int:
        """The financial year the list is of."""
        year = self.chosen()["year"]
        return year if year is not None else self.current
