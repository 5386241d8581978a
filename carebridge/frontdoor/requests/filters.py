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
from carebridge.organisations.models import Team

# What the queue shows before anyone filters it, and whenever a filter is not valid.
QUEUE_DEFAULTS: dict[str, Any] = {"status": "open", "urgent_only": False, "q": "", "team": "all"}
NO_TEAM = "none"


class QueueFilters(ListFilterSet):
    """The requests waiting for the council (or all, or one status), urgent ones only, or those
    with a reference, name or postcode, of one front-door team (by default the officer's own,
    when it is one). One value that is not valid shows the default queue."""

    status = django_filters.Filter(method="filter_status")
    urgent_only = django_filters.Filter(method="filter_urgent_only")
    q = django_filters.Filter(method="filter_q")
    team = django_filters.Filter(method="filter_team")

    defaults = QUEUE_DEFAULTS

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[FrontDoorRequest] | None = None,
        *,
        teams: list[Team] | None = None,
        my_team_id: int | None = None,
    ) -> None:
        super().__init__(data, queryset)
        teams = teams or []
        mine = my_team_id if my_team_id in {team.pk for team in teams} else None
        self.queue_defaults = {**QUEUE_DEFAULTS, "team": str(mine) if mine else "all"}
        self.form.fields["team"].choices = [
            ("all", "Any team"),
            (NO_TEAM, "No team"),
            *((str(team.pk), team.name) for team in teams),
        ]

    class Meta:
        # The form's fields are the queue's, as the page renders them.
        form = QueueFiltersForm

    def chosen(self) -> dict[str, Any]:
        """The valid filters, the officer's own team by default (all of these defaults when
        one value is not valid)."""
        if not self.form.is_valid():
            return dict(self.queue_defaults)
        return self._chosen_or_defaults(self.queue_defaults)

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

    def filter_team(
        self, requests: QuerySet[FrontDoorRequest], name: str, value: str
    ) -> QuerySet[FrontDoorRequest]:
        if value == NO_TEAM:
            return requests.filter(team__isnull=True)
        if value.isdigit():
            return requests.filter(team_id=int(value))
        return requests
