"""Reads of subject access: the council's requests with their time left, and finding a person
by NHS number, SS Ref or name and date of birth, always in the officer's own council only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import models

from carebridge.core.calendar import today
from carebridge.core.permissions import Function, can_view
from carebridge.people.models import ServiceUser
from carebridge.people.validators import normalise_nhs_number
from carebridge.subjectaccess import deadlines
from carebridge.subjectaccess.choices import OPEN_STATUSES
from carebridge.subjectaccess.models import SubjectAccessRequest

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# A name search names at most this many people; the officer narrows it with the date of birth.
MOST_FOUND = 50


def requests_visible_to(user: User) -> models.QuerySet[SubjectAccessRequest]:
    if user.council_id is None or not can_view(user.role, Function.SUBJECT_ACCESS):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(council_id=user.council_id)


@dataclass(frozen=True)
class RequestRow:
    request: SubjectAccessRequest
    days_left: int | None  # None once it is closed

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def time_left(self) -> str:
        """In words, so that red is never the only sign of lateness."""
        if self.days_left is None:
            return self.request.get_status_display()
        if self.days_left < 0:
            late = -self.days_left
            return f"Overdue by {late} day{'s' if late != 1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def request_row(request: SubjectAccessRequest, *, on: date | None = None) -> RequestRow:
    left = (
        deadlines.days_left(request.due_on, on or today())
        if request.status in OPEN_STATUSES
        else None
    )
    return RequestRow(request=request, days_left=left)


def requests_list(user: User, *, status: str = "") -> list[RequestRow]:
    """Open ones first, soonest due first; then the closed ones, latest first."""
    requests = requests_visible_to(user).select_related("service_user")
    if status in {"open", "closed"}:
        is_open = models.Q(status__in=list(OPEN_STATUSES))
        requests = requests.filter(is_open if status == "open" else ~is_open)
    on = today()
    rows = [request_row(request, on=on) for request in requests.order_by("due_on", "pk")]
    return sorted(rows, key=lambda row: (row.days_left is None, row.days_left or 0))


def people_visible_to(user: User) -> models.QuerySet[ServiceUser]:
    """The officer's own council's people, and nobody else's."""
    if user.council_id is None or not can_view(user.role, Function.SUBJECT_ACCESS):
        return ServiceUser.objects.none()
    return ServiceUser.objects.filter(council_id=user.council_id)


def people_find(
    user: User,
    *,
    nhs_number: str = "",
    ss_ref: str = "",
    last_name: str = "",
    first_name: str = "",
    date_of_birth: date | None = None,
) -> list[ServiceUser]:
    """By NHS number, SS Ref or name (with date of birth when given): exact keys first."""
    people = people_visible_to(user)
    if nhs_number:
        people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
    elif ss_ref:
        people = people.filter(ss_ref__iexact=ss_ref.strip())
    elif last_name:
        people = people.filter(last_name__iexact=last_name.strip())
        if first_name:
            people = people.filter(
                models.Q(first_name__iexact=first_name.strip())
                | models.Q(preferred_name__iexact=first_name.strip())
            )
        if date_of_birth is not None:
            people = people.filter(date_of_birth=date_of_birth)
    else:
        return []
    return list(people.order_by("last_name", "first_name", "pk")[:MOST_FOUND])
