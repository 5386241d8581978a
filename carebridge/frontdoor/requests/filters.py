"""The filters of the front door's request queue."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from carebridge.core.lists import ListFilterSet
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.forms import QueueFiltersForm
from carebridge.frontdoor.requests.selectors import OPEN_STATUSES

# What the queue shows before anyone filters it, and whenever a filter is not valid.
QUEUE_DEFAULTS: dict[str, Any] = {"status": "open", "urgent_only": False, "q": ""}


class QueueFilters(ListFilterSet):
    """The requests waiting for the council (or all, or one status), urgent ones only, or those
    with a reference, name or postcode. One value that is not valid shows the default queue."""

    status = django_filters.Filter(method="filter_status")
    urgent_only = django_filters.Filter(method="filter_urgent_only")
    q = django_filters.Filter(method="filter_q")

    defaults = QUEUE_DEFAULTS

    class Meta:
        # The form's fields are the queue's, as the page renders them.
        form = QueueFiltersForm

    def filter_status(
        self, requests: QuerySet[FrontDoorRequest], name: str, value: str
    ) -> QuerySet[FrontDoorRequest]:
        if value == "open":
            return requests.filter(status__in=OPEN_STATUSES)
        if value in RequestStatus.values:
            return requests.filter(status=value)
        return requests

    def filter_urgent_only(
        self, requests: QuerySet[FrontDoorRequest], name: str, value: bool
    ) -> QuerySet[FrontDoorRequest]:
        return requests.filter(urgent=True) if value else requests

    def filter_q(
        self, requests: QuerySet[FrontDoorRequest], name: str, value: str
    ) -> QuerySet[FrontDoorRequest]:
        term = value.strip()
        return requests.filter(
            Q(reference__iexact=term)
            | Q(person_name__icontains=term)
            | Q(postcode__istartswith=term)
        )
