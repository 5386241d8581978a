"""Reads for the front door's pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.core.attention import AttentionItem
from carebridge.core.calendar import london_midnight, now, today
from carebridge.core.permissions import Function, can_edit
from carebridge.frontdoor.choices import RequestStatus, Route
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings, FrontDoorTeam
from carebridge.frontdoor.requests.waits import DueState, due_state
from carebridge.organisations.models import Council, Team
from carebridge.people.models import ServiceUser


def public_council(slug: str) -> tuple[Council, FrontDoorSettings]:
    """The council whose public front door this is, with its settings; 404 when it has none
    open, so the public pages never reveal a council that has not opened them."""
    settings = (
        FrontDoorSettings.objects.select_related("council")
        .filter(council__slug=slug, is_open=True)
        .first()
    )
    if settings is None:
        raise Http404("No front door here")
    return settings.council, settings


# The statuses that wait for the council: the queue's default view.
OPEN_STATUSES = (
    RequestStatus.RECEIVED,
    RequestStatus.IN_REVIEW,
    RequestStatus.MORE_INFORMATION,
)


def requests_visible_to(user: User) -> QuerySet[FrontDoorRequest]:
    """The requests of the user's council; none for a provider's user."""
    if user.council_id is None:
        return FrontDoorRequest.objects.none()
    return FrontDoorRequest.objects.filter(council_id=user.council_id)


def queue(user: User) -> QuerySet[FrontDoorRequest]:
    """The council's requests sent to it (signposted ones are figures, not work), urgent first,
    then the oldest waiting (`filters.QueueFilters` narrows it)."""
    return (
        requests_visible_to(user)
        .filter(route=Route.QUEUE)
        .select_related("team")
        .order_by("-urgent", "submitted_at")
    )


def routed_teams(council_id: int) -> list[Team]:
    """The council's teams that take front-door requests, in their routing order."""
    rows = FrontDoorTeam.objects.filter(council_id=council_id).select_related("team")
    return [row.team for row in rows]


def routed_team(council_id: int, pk: int) -> Team | None:
    """One of the council's teams that take front-door requests; None for any other."""
    row = FrontDoorTeam.objects.filter(council_id=council_id, team_id=pk).select_related("team")
    first = row.first()
    return first.team if first else None


def front_door_teams(council_id: int) -> list[FrontDoorTeam]:
    """The council's front-door teams with their rules, in routing order, for the settings."""
    return list(FrontDoorTeam.objects.filter(council_id=council_id).select_related("team"))


def office_of(council_id: int) -> FrontDoorSettings:
    """The council's front-door settings, or their defaults when it has saved none."""
    row = FrontDoorSettings.objects.filter(council_id=council_id).first()
    return row or FrontDoorSettings(council_id=council_id)


def due_states(
    requests: Iterable[FrontDoorRequest], office: FrontDoorSettings, at: datetime
) -> dict[int, DueState]:
    """How each open request of a page stands against the council's promise, by its id."""
    hours = office.office_hours()
    return {
        each.pk: due_state(
            each.due_at, promise_hours=office.response_promise_hours, hours=hours, at=at
        )
        for each in requests
        if each.due_at is not None and each.status in OPEN_STATUSES
    }


def request_for_tracking(council: Council, reference: str, email: str) -> FrontDoorRequest | None:
    """The request with this reference, only when the e-mail address is the one it was made
    with (or the one updates go to): the same None for a wrong reference or a wrong address."""
    email = email.strip()
    if not email:
        return None
    return (
        FrontDoorRequest.objects.filter(
            council=council, reference__iexact=reference.strip(), route=Route.QUEUE
        )
        .filter(
            Q(person_email__iexact=email)
            | Q(asker_email__iexact=email)
            | Q(updates_email__iexact=email)
        )
        .first()
    )


def matching_service_users(request: FrontDoorRequest) -> list[ServiceUser]:
    """People the council already knows who may be this person: the same NHS number, the same
    date of birth and surname, or the same name and postcode."""
    parts = request.person_name.split()
    match = Q(pk__in=[])
    if parts:
        match = Q(last_name__iexact=parts[-1]) & (
            Q(date_of_birth=request.person_date_of_birth)
            if request.person_date_of_birth
            else Q(postcode__iexact=request.postcode)
        )
    # Accepting with a new record would break the NHS number's uniqueness in the council.
    if request.person_nhs_number:
        match |= Q(nhs_number=request.person_nhs_number)
    if not parts and not request.person_nhs_number:
        return []
    return list(ServiceUser.objects.filter(council_id=request.council_id).filter(match)[:10])


def front_door_attention_for(user: User, *, council_id: int | None = None) -> list[Any]:
    """Home page: the requests waiting for the council's front door, the urgent ones apart, and
    those overdue or due today against the council's response promise. One query. (`council_id`,
    a provider's chosen council, does not apply: a council's page.)"""
    from django.db.models import Count

    if user.council_id is None or not can_edit(user.role, Function.FRONT_DOOR):
        return []
    at = now()
    tomorrow = london_midnight(today() + timedelta(days=1))
    counts = (
        requests_visible_to(user)
        .filter(route=Route.QUEUE, status__in=OPEN_STATUSES)
        .aggregate(
            waiting=Count("pk"),
            urgent=Count("pk", filter=Q(urgent=True)),
            overdue=Count("pk", filter=Q(due_at__lte=at)),
            due_today=Count("pk", filter=Q(due_at__gt=at, due_at__lt=tomorrow)),
        )
    )
    if not counts["waiting"]:
        return []
    url = reverse("frontdoor:request_list")
    items = [AttentionItem("Front-door requests waiting", counts["waiting"], url)]
    if counts["urgent"]:
        items.append(
            AttentionItem(
                "Urgent front-door requests",
                counts["urgent"],
                f"{url}?status=open&urgent_only=on",
                hint="Someone may be at risk: look at these first.",
            )
        )
    if counts["overdue"]:
        items.append(
            AttentionItem(
                "Front-door requests overdue",
                counts["overdue"],
                f"{url}?status=open&team=all",
                hint="Past the council's response promise.",
            )
        )
    if counts["due_today"]:
        items.append(
            AttentionItem(
                "Front-door requests due today",
                counts["due_today"],
                f"{url}?status=open&team=all",
                hint="Due before the end of today, by the council's response promise.",
            )
        )
    return items


def council_service_user(request: FrontDoorRequest, pk: int) -> ServiceUser | None:
    """The service user an officer chose for a request: only one of the request's council."""
    return ServiceUser.objects.filter(pk=pk, council_id=request.council_id).first()
