"""Reads for the front door's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.core.attention import AttentionItem
from carebridge.core.permissions import Function, can_edit
from carebridge.frontdoor.choices import RequestStatus, Route
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.organisations.models import Council
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
    return requests_visible_to(user).filter(route=Route.QUEUE).order_by("-urgent", "submitted_at")


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
    """People the council already knows who may be this person: the same date of birth and
    surname, or the same name and postcode."""
    parts = request.person_name.split()
    if not parts:
        return []
    surname = parts[-1]
    match = Q(last_name__iexact=surname) & (
        Q(date_of_birth=request.person_date_of_birth)
        if request.person_date_of_birth
        else Q(postcode__iexact=request.postcode)
    )
    return list(ServiceUser.objects.filter(council_id=request.council_id).filter(match)[:10])


def front_door_attention_for(user: User, *, council_id: int | None = None) -> list[Any]:
    """Home page: the requests waiting for the council's front door, the urgent ones apart.
    One query. (`council_id`, a provider's chosen council, does not apply: a council's page.)"""
    from django.db.models import Count

    if user.council_id is None or not can_edit(user.role, Function.FRONT_DOOR):
        return []
    counts = (
        requests_visible_to(user)
        .filter(route=Route.QUEUE, status__in=OPEN_STATUSES)
        .aggregate(waiting=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
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
    return items


def council_service_user(request: FrontDoorRequest, pk: int) -> ServiceUser | None:
    """The service user an officer chose for a request: only one of the request's council."""
    return ServiceUser.objects.filter(pk=pk, council_id=request.council_id).first()
