"""The filters of the service users list."""

from __future__ import annotations

from django.db.models import QuerySet

from carebridge.core.lists import ListFilterSet, SearchFilter
from carebridge.people.models import ServiceUser
from carebridge.people.selectors import service_users_search


class ServiceUserFilters(ListFilterSet):
    """The service users matching every word searched for."""

    q = SearchFilter(max_length=100, strip=False, method="filter_search")

    def filter_search(
        self, people: QuerySet[ServiceUser], name: str, value: str
    ) -> QuerySet[ServiceUser]:
        return service_users_search(people, value)
