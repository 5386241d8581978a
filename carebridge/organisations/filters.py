"""The filters of the change request lists: the provider's and the council's queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet
from carebridge.organisations.choices import ChangeRequestStatus
from carebridge.organisations.models import ChangeRequest
from carebridge.organisations.selectors import waiting_or_recent


class ProviderRequestFilters(ListFilterSet):
    """The provider's list: those waiting for review and those decided lately, or, with
    "Include historical" ticked (only its own value, 1, ticks it), every one ever raised."""

    historical = ChoiceFilter(choices=[("1", "Include historical")])

    def __init__(self, data: Any, queryset: QuerySet[ChangeRequest], *, at: datetime) -> None:
        super().__init__(data, queryset)
        self.at = at

    def filter_queryset(self, queryset: QuerySet[ChangeRequest]) -> QuerySet[ChangeRequest]:
        # The box widens the list rather than narrowing it, so it is read here, not filtered by.
        if self.chosen()["historical"]:
            return queryset
        return waiting_or_recent(queryset, at=self.at)


class CouncilRequestFilters(ListFilterSet):
    """The council's queue: by status and by provider (one the council works with)."""

    status = ChoiceFilter(choices=[("", "Any status"), *ChangeRequestStatus.choices])
    provider = IdChoiceFilter(field_name="provider_id")

    def __init__(
        self, data: Any, queryset: QuerySet[ChangeRequest], *, providers: dict[int, str]
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("provider", [("", "All providers"), *providers.items()])
