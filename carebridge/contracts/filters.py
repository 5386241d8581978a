"""The filters of the contract documents list."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from carebridge.contracts.choices import DocumentStatus
from carebridge.contracts.models import ContractDocument
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
