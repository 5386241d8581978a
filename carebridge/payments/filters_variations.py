"""The filters of the lists of variation requests: the provider's (by council) and the
council's (by provider), both by status and client."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet, SearchFilter
from carebridge.payments.choices import VariationStatus
from carebridge.payments.models import VariationRequest


class VariationFilters(ListFilterSet):
    """Variation requests by status, by the other organisation (a provider's councils or a
    council's providers) and by the client's name or SS Ref."""

    status = ChoiceFilter(
        label="Status", choices=[("", "Any status"), *VariationStatus.choices], field_name="status"
    )
    organisation = IdChoiceFilter(label="Council", method="filter_organisation")
    client = SearchFilter(
        label="Client",
        help_text="All or part of the client's name or SS Ref",
        max_length=100,
        method="filter_client",
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[VariationRequest],
        *,
        for_council: bool,
        organisations: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.for_council = for_council
        label, everyone = (
            ("Provider", "All providers") if for_council else ("Council", "All councils")
        )
        self.filters["organisation"].label = label
        self.set_choices("organisation", [("", everyone), *organisations])

    def filter_organisation(
        self, requests: QuerySet[VariationRequest], name: str, value: int | None
    ) -> QuerySet[VariationRequest]:
        if value is None:
            return requests
        return requests.filter(**{"provider_id" if self.for_council else "council_id": value})

    def filter_client(
        self, requests: QuerySet[VariationRequest], name: str, value: str
    ) -> QuerySet[VariationRequest]:
        term = value.strip()
        if not term:
            return requests
        return requests.filter(
            Q(service_user__first_name__icontains=term)
            | Q(service_user__last_name__icontains=term)
            | Q(service_user__ss_ref__icontains=term)
        )
