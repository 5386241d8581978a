"""The filters of the referral lists: the provider's pending and existing referrals (page and
HTMX fragment alike) and the API's list of a council's referrals.

Each FilterSet filters a queryset its selector has already scoped to the acting user (or, for the
API, to the calling council); a filter narrows it, it never widens it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet

from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet, SearchFilter
from carebridge.referrals.choices import ReferralStatus, Stage
from carebridge.referrals.models import Referral
from carebridge.referrals.selectors import Reply, search_by_name


class _ProviderListFilters(ListFilterSet):
    """What both of the provider's lists filter by: a name, a district and a council."""

    q = django_filters.CharFilter(
        label="Search this list",
        help_text="First or last name",
        max_length=100,
        method="filter_search",
    )
    district = IdChoiceFilter(label="District", field_name="district_id")
    council = IdChoiceFilter(label="Council", field_name="council_id")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Referral],
        *,
        districts: list[tuple[int, str]],
        councils: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("district", [("", "All districts"), *districts])
        self.set_choices("council", [("", "All councils"), *councils])

    def filter_search(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        return search_by_name(referrals, value)


class PendingFilters(_ProviderListFilters):
    """The pending referrals: also by the reply window, and oldest or newest first."""

    reply = ChoiceFilter(
        label="Reply", choices=[("", "Any"), *Reply.choices], method="filter_reply"
    )
    sort = ChoiceFilter(
        label="Sort referrals by",
        choices=[("oldest", "Oldest first"), ("newest", "Newest first")],
        method="filter_sort",
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Referral],
        *,
        at: datetime,
        districts: list[tuple[int, str]],
        councils: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset, districts=districts, councils=councils)
        self.at = at

    def filter_reply(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if value == Reply.MISSED:
            return referrals.filter(respond_by__lt=self.at)
        return referrals.filter(respond_by__gte=self.at)

    def filter_sort(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if value == "newest":
            return referrals.order_by("-received_at", "-pk")
        return referrals


class ExistingFilters(_ProviderListFilters):
    """The existing referrals: also by where each stands (the selector's `stage`)."""

    status = ChoiceFilter(
        label="Status",
        choices=[("", "Any status")]
        + [(s.value, s.label) for s in Stage if s not in (Stage.PENDING, Stage.CLOSED)],
        field_name="stage",
    )


# The council's "state" filter: the referral's status, with missed referrals (pending, reply
# overdue) too.
STATES: list[tuple[str, str]] = [
    (ReferralStatus.PENDING.value, ReferralStatus.PENDING.label),
    (Reply.MISSED.value, Reply.MISSED.label),
    *(
        (status.value, status.label)
        for status in ReferralStatus
        if status != ReferralStatus.PENDING
    ),
]
SORTS = {"newest": "Newest first", "oldest": "Oldest first"}


class CouncilReferralFilters(ListFilterSet):
    """Every referral the council has sent: by name, provider, district and state, newest or
    oldest first (newest unless asked)."""

    q = SearchFilter(max_length=100, strip=False, method="filter_search")
    provider = IdChoiceFilter(field_name="provider_id")
    district = IdChoiceFilter(field_name="district_id")
    state = ChoiceFilter(choices=STATES, method="filter_state")
    sort = ChoiceFilter(choices=list(SORTS.items()), method="filter_sort")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Referral],
        *,
        at: datetime,
        providers: dict[int, str] | None = None,
        districts: dict[int, str] | None = None,
    ) -> None:
        super().__init__(data, queryset)
        self.at = at
        # A callable: a form copies its fields' choices deeply, and these are every provider
        # of the council (1,200 at a county's size); they are read only to check a value.
        provider_choices = list((providers or {}).items())
        self.filters["provider"].extra["choices"] = lambda: provider_choices
        self.set_choices("district", list((districts or {}).items()))

    def filter_search(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        return search_by_name(referrals, value)

    def filter_state(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if value == Reply.MISSED:
            return referrals.filter(status=ReferralStatus.PENDING, respond_by__lt=self.at)
        return referrals.filter(status=value)

    def filter_sort(
        self, referrals: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        if value == "oldest":
            return referrals.order_by("received_at", "pk")
        return referrals


class ApiReferralFilters(CouncilReferralFilters):
    """The API's list: the council's list with the API's own two filters. Its query string is
    read by `api.ReferralListQuery`, which answers 400 to a bad value and documents the two in
    the OpenAPI schema, and only those two reach this FilterSet."""

    changed_since = django_filters.IsoDateTimeFilter(field_name="changed_at", lookup_expr="gt")
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
