"""The filters of the lists of disputes: the council's (by provider) and the provider's (by
response date), both by status (open ones unless another is chosen), client and actuals week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from carebridge.core.calendar import london_midnight
from carebridge.core.forms import GuideDateField
from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet, SearchFilter
from carebridge.disputes.choices import OPEN_STATUSES, DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow

OPEN = ""
ANY = "any"


class GuideDateFilter(django_filters.Filter):
    """A GOV.UK date input (day, month, year) as a filter; a date that is not one is ignored."""

    field_class = GuideDateField


def _rows_where(disputes: QuerySet[Dispute], condition: Q) -> QuerySet[Dispute]:
    # Through a subquery of rows, so a dispute with many matching rows is listed once.
    return disputes.filter(pk__in=DisputeRow.objects.filter(condition).values("dispute_id"))


class DisputeFilters(ListFilterSet):
    """Disputes by status, client (name or SS Ref of any of its rows) and the weeks of its rows;
    the council's by provider, the provider's by the date it responded."""

    status = ChoiceFilter(
        label="Status",
        choices=[(OPEN, "Open disputes"), (ANY, "Any status"), *DisputeStatus.choices],
        method="filter_status",
    )
    provider = IdChoiceFilter(label="Provider", field_name="provider_id")
    client = SearchFilter(
        label="Client",
        help_text="All or part of the client's name, or SS Ref",
        max_length=100,
        method="filter_client",
    )
    week_from = GuideDateFilter(
        label="Actuals weeks from", required=False, method="filter_week_from"
    )
    week_to = GuideDateFilter(label="Actuals weeks to", required=False, method="filter_week_to")
    responded_from = GuideDateFilter(
        label="Responded from", required=False, method="filter_responded_from"
    )
    responded_to = GuideDateFilter(
        label="Responded to", required=False, method="filter_responded_to"
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Dispute],
        *,
        providers: list[tuple[int, str]] | None = None,
    ) -> None:
        super().__init__(data, queryset)
        # The council filters by provider; a provider by when it responded.
        if providers is None:
            del self.filters["provider"]
        else:
            self.set_choices("provider", [("", "All providers"), *providers])
            del self.filters["responded_from"]
            del self.filters["responded_to"]

    def filter_queryset(self, queryset: Any) -> Any:
        # Open disputes unless a status is chosen: a list that starts with what needs answering.
        if not self.chosen().get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return super().filter_queryset(queryset)

    def filter_status(
        self, disputes: QuerySet[Dispute], name: str, value: str
    ) -> QuerySet[Dispute]:
        if value in DisputeStatus.values:
            return disputes.filter(status=value)
        return disputes

    def filter_client(
        self, disputes: QuerySet[Dispute], name: str, value: str
    ) -> QuerySet[Dispute]:
        for word in value.replace(",", " ").split():
            disputes = _rows_where(
                disputes,
                Q(actual__service_user__first_name__icontains=word)
                | Q(actual__service_user__last_name__icontains=word)
                | Q(actual__service_user__ss_ref__iexact=word),
            )
        return disputes

    def filter_week_from(
        self, disputes: QuerySet[Dispute], name: str, value: date | None
    ) -> QuerySet[Dispute]:
        if value is None:
            return disputes
        return _rows_where(disputes, Q(actual__week_start__gte=value))

    def filter_week_to(
        self, disputes: QuerySet[Dispute], name: str, value: date | None
    ) -> QuerySet[Dispute]:
        if value is None:
            return disputes
        return _rows_where(disputes, Q(actual__week_start__lte=value))

    def filter_responded_from(
        self, disputes: QuerySet[Dispute], name: str, value: date | None
    ) -> QuerySet[Dispute]:
        if value is None:
            return disputes
        return disputes.filter(resolution_requested_at__gte=london_midnight(value))

    def filter_responded_to(
        self, disputes: QuerySet[Dispute], name: str, value: date | None
    ) -> QuerySet[Dispute]:
        if value is None:
            return disputes
        # The whole of the last day, in London.
        return disputes.filter(
            resolution_requested_at__lt=london_midnight(value + timedelta(days=1))
        )
