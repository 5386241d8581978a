"""The filters of the officers' directory list: words, a need (or none mapped), a status.

The FilterSet narrows the queryset its selector has already scoped to the officer's council."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from carebridge.core.lists import ChoiceFilter, ListFilterSet, SearchFilter
from carebridge.frontdoor.directory.feed import ServiceStatus, SignpostNeed
from carebridge.frontdoor.models import DirectoryService

# The need filter's value for services whose terms map to no need.
UNMAPPED = "unmapped"

NEED_CHOICES = [("", "Any need"), *SignpostNeed.choices, (UNMAPPED, "Not mapped to a need")]
STATUS_CHOICES = [("", "Any status"), *ServiceStatus.choices]


class DirectoryFilters(ListFilterSet):
    """The services whose name, organisation or description has every word given (the first
    five), that meet a need (or are mapped to none), in a status."""

    q = SearchFilter(max_length=100, method="filter_search")
    need = ChoiceFilter(choices=NEED_CHOICES, method="filter_need")
    status = ChoiceFilter(choices=STATUS_CHOICES, field_name="status")

    def filter_search(
        self, services: QuerySet[DirectoryService], name: str, value: str
    ) -> QuerySet[DirectoryService]:
        for word in value.split()[:5]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(organisation_name__icontains=word)
                | Q(description__icontains=word)
            )
        return services

    def filter_need(
        self, services: QuerySet[DirectoryService], name: str, value: str
    ) -> QuerySet[DirectoryService]:
        if value == UNMAPPED:
            return services.filter(outcomes=[])
        # Outcome codes are plain words, so a text match on the JSON works on every database.
        return services.filter(outcomes__icontains=f'"{value}"')
