"""The filters of the actuals lists: the provider's week at a service, whose clients are filtered
by service level, by name or SS Ref, and by whether they have actuals for the week; and the
council's review of a provider's period, whose rows are filtered by service, service level,
client, exceptions and changes from the plan.

The FilterSet filters the lines its selector has already scoped to the service and the week; a
filter narrows them, it never widens them.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from carebridge.actuals.models import Actual
from carebridge.actuals.selectors.review import CHANGED_FROM_PLAN, EXCEPTION
from carebridge.contracts.models import Cpli
from carebridge.contracts.selectors import client_matches
from carebridge.core.lists import CheckboxFilter, IdChoiceFilter, ListFilterSet


class WeekFilters(ListFilterSet):
    """The week page's GET choices (the POSTed ones, when the page comes back with errors). A
    value that is not one of the choices is ignored."""

    service_level = IdChoiceFilter(label="Service level", field_name="service_level_id")
    client = django_filters.CharFilter(
        label="Client", help_text="Name or SS Ref", max_length=100, method="filter_client"
    )
    with_actuals = django_filters.TypedChoiceFilter(
        label="Show clients with actuals",
        choices=[("", "No selection"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        method="filter_with_actuals",
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Cpli],
        *,
        levels: list[tuple[int, str]],
        week_actuals: QuerySet[Actual],
    ) -> None:
        super().__init__(data, queryset)
        self.week_actuals = week_actuals
        self.set_choices("service_level", [("", "All service levels"), *levels])

    def kept(self) -> set[int] | None:
        """The ids of the lines the chosen filters keep, or None when none is chosen (every
        line is kept): the week page then asks the database nothing more."""
        if all(value is None or value == "" for value in self.chosen().values()):
            return None
        return set(self.qs.values_list("pk", flat=True))

    def filter_client(self, cplis: QuerySet[Cpli], name: str, value: str) -> QuerySet[Cpli]:
        return cplis.filter(client_matches(value))

    def filter_with_actuals(self, cplis: QuerySet[Cpli], name: str, value: bool) -> QuerySet[Cpli]:
        entered = self.week_actuals.values("service_user_id")
        if value:
            return cplis.filter(service_user_id__in=entered)
        return cplis.exclude(service_user_id__in=entered)


class ReviewFilters(ListFilterSet):
    """The council's review of a provider's period (`selectors.review_actuals`): by service,
    service level, client (name or SS Ref), only the rows with exceptions, only the rows that
    differ from the plan. A value that is not one of the choices is ignored."""

    service = IdChoiceFilter(label="Service", field_name="service_id")
    service_level = IdChoiceFilter(label="Service level", field_name="cpli__service_level_id")
    client = django_filters.CharFilter(
        label="Client", help_text="Name or SS Ref", max_length=100, method="filter_client"
    )
    exceptions_only = CheckboxFilter(label="Exceptions only", method="filter_exceptions")
    changed_only = CheckboxFilter(label="Changed from plan only", method="filter_changed")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Actual],
        *,
        services: list[tuple[int, str]],
        levels: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("service", [("", "All services"), *services])
        self.set_choices("service_level", [("", "All service levels"), *levels])

    def filter_client(self, rows: QuerySet[Actual], name: str, value: str) -> QuerySet[Actual]:
        return rows.filter(client_matches(value))

    def filter_exceptions(self, rows: QuerySet[Actual], name: str, value: bool) -> QuerySet[Actual]:
        return rows.filter(EXCEPTION) if value else rows

    def filter_changed(self, rows: QuerySet[Actual], name: str, value: bool) -> QuerySet[Actual]:
        return rows.filter(CHANGED_FROM_PLAN) if value else rows


def kept_filters(data: Any) -> dict[str, str]:
    """The week page's filters as they were given (chosen or not), for the addresses that keep
    them: another week, the page after saving."""
    return {name: data.get(name, "") for name in WeekFilters.base_filters if data.get(name)}
