"""The filters of the front door's feedback list (and its export)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet

from carebridge.core import calendar
from carebridge.core.lists import ListFilterSet
from carebridge.frontdoor.dashboard.forms import FeedbackFiltersForm
from carebridge.frontdoor.models import Feedback

# What the list shows before anyone filters it, and whenever a filter is not valid.
FEEDBACK_DEFAULTS: dict[str, Any] = {"rating": None, "period": None, "with_comment": False}


class FeedbackFilters(ListFilterSet):
    """One rating (1 very dissatisfied to 5 very satisfied), comments only, or the last so many
    London days. One value that is not valid shows all the feedback, unfiltered."""

    rating = django_filters.Filter(method="filter_rating")
    period = django_filters.Filter(method="filter_period")
    with_comment = django_filters.Filter(method="filter_with_comment")

    defaults = FEEDBACK_DEFAULTS

    class Meta:
        # The form's fields are the list's, as the page renders them.
        form = FeedbackFiltersForm

    def filter_rating(
        self, feedback: QuerySet[Feedback], name: str, value: int | None
    ) -> QuerySet[Feedback]:
        return feedback if value is None else feedback.filter(rating=value)

    def filter_period(
        self, feedback: QuerySet[Feedback], name: str, value: int | None
    ) -> QuerySet[Feedback]:
        if not value:
            return feedback
        # The first London day of the period: today is its last.
        since = calendar.today() - timedelta(days=value - 1)
        return feedback.filter(submitted_at__gte=calendar.london_midnight(since))

    def filter_with_comment(
        self, feedback: QuerySet[Feedback], name: str, value: bool
    ) -> QuerySet[Feedback]:
        return feedback.exclude(comment="") if value else feedback
