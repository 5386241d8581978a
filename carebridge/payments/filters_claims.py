"""The filters of the lists of one-off claims: the provider's (by council and service) and the
payments team's (by provider), both by status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet
from carebridge.payments.choices import ClaimStatus
from carebridge.payments.models import OneOffClaim


class ClaimFilters(ListFilterSet):
    """Claims by status, by the other organisation (a provider's councils or a council's
    providers) and by service."""

    status = ChoiceFilter(
        label="Status", choices=[("", "Any status"), *ClaimStatus.choices], field_name="status"
    )
    organisation = IdChoiceFilter(label="Council", method="filter_organisation")
    service = IdChoiceFilter(label="Service", field_name="service_id")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[OneOffClaim],
        *,
        council_side: bool,
        organisations: list[tuple[int, str]],
        services: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.council_side = council_side
        self.filters["organisation"].label = "Provider" if council_side else "Council"
        everyone = "All providers" if council_side else "All councils"
        self.set_choices("organisation", [("", everyone), *organisations])
        self.set_choices("service", [("", "All services"), *services])

    def filter_organisation(
        self, claims: QuerySet[OneOffClaim], name: str, value: int | None
    ) -> QuerySet[OneOffClaim]:
        if value is None:
            return claims
        if self.council_side:
            return claims.filter(provider_id=value)
        return claims.filter(council_id=value)
