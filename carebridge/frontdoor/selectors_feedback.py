"""Reads of what people thought of the front door: the council's feedback, newest first, for
its front-door officers' list and its export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet

from carebridge.accounts.models import User
from carebridge.core.calendar import LONDON
from carebridge.core.permissions import Function, can_view
from carebridge.frontdoor.models import Feedback


@dataclass(frozen=True)
class FeedbackFilters:
    rating: int | None = None  # 1 very dissatisfied to 5 very satisfied
    with_comment: bool = False
    since: date | None = None  # the first London day


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    """The feedback of the user's council, for those who work its front door; none otherwise."""
    if user.council_id is None or not can_view(user.role, Function.FRONT_DOOR):
        return Feedback.objects.none()
    return Feedback.objects.filter(council_id=user.council_id)


def feedback_list(user: User, filters: FeedbackFilters) -> QuerySet[Feedback]:
    found = feedback_visible_to(user)
    if filters.rating is not None:
        found = found.filter(rating=filters.rating)
    if filters.with_comment:
        found = found.exclude(comment="")
    if filters.since is not None:
        found = found.filter(submitted_at__gte=datetime.combine(filters.since, time(0), LONDON))
    return found.select_related("request").order_by("-submitted_at", "-pk")
