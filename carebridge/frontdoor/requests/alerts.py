"""E-mails to the council's front-door team about requests that reach its queue: at once for an
urgent one, and a summary each morning of the rest that came in the day before.

They go through the e-mail outbox (notifications.services.email_queue), once per request (or per
day) and officer, whatever retries or repeats happen. They carry no personal details, only the
reference and a link to the request in the portal: e-mail is read on lock screens and in shared
inboxes, and the portal checks who may see the request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.core.calendar import to_london
from carebridge.core.permissions import Function, can_edit
from carebridge.frontdoor.choices import EventKind, RequestStatus
from carebridge.frontdoor.models import FrontDoorRequest, RequestEvent
from carebridge.notifications.digest import london_day
from carebridge.notifications.models import Notification, NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council


def front_door_team(council: Council | int) -> list[User]:
    """The council's front-door officers who can act on a request: active, not suspended."""
    users = User.objects.filter(
        council=council, is_active=True, suspended_at__isnull=True
    ).order_by("pk")
    return [user for user in users if can_edit(user.role, Function.FRONT_DOOR)]


def _to_the_team(
    council: Council | int, *, key: Callable[[User], str], subject: str, body: str
) -> list[Notification]:
    """Queue one e-mail to each of the council's front-door officers, once per `key`."""
    queued = []
    for officer in front_door_team(council):
        notification = email_queue(
            to=officer.email,
            kind=NotificationKind.FRONT_DOOR,
            key=key(officer),
            subject=subject,
            body=body,
        )
        if notification is not None:
            queued.append(notification)
    return queued


def _link(request: FrontDoorRequest) -> str:
    return f"{settings.SITE_URL}{reverse('frontdoor:request_detail', args=[request.pk])}"


def urgent_request_alert(request: FrontDoorRequest) -> list[Notification]:
    """Tell every front-door officer of the council at once that an urgent request is waiting:
    the reference and a link, nothing about the person. Once per request and officer."""
    if not request.urgent:
        return []
    subject = f"Urgent front-door request {request.reference}"
    body = render_to_string(
        "frontdoor/email/team_urgent.txt",
        {"request": request, "link": _link(request), "received": to_london(request.changed_at)},
    )
    return _to_the_team(
        request.council_id,
        key=lambda officer: f"front-door-urgent:{request.pk}:{officer.pk}",
        subject=subject,
        body=body,
    )


def _arrivals(council: Council, day: date) -> QuerySet[RequestEvent]:
    """How requests reached the queue that London day: sent to the council when submitted, or
    an assessment asked for after signposting (both leave the request "received")."""
    since, until = london_day(day)
    return (
        RequestEvent.objects.filter(
            request__council=council,
            kind__in=(EventKind.SUBMITTED, EventKind.ASSESSMENT_ASKED),
            status=RequestStatus.RECEIVED,
            at__gte=since,
            at__lt=until,
        )
        .select_related("request")
        .order_by("at", "pk")
    )


def send_front_door_summaries(day: date) -> list[Notification]:
    """Each council's front-door officers get one e-mail listing the requests that reached the
    queue on `day` and were not urgent (the urgent ones were e-mailed at once), with how many
    urgent ones came. Nothing when nothing came; running it again for the day sends nothing."""
    queued: list[Notification] = []
    for council in Council.objects.filter(front_door_requests__isnull=False).distinct():
        arrivals = list(_arrivals(council, day))
        if not arrivals:
            continue
        calm = [event.request for event in arrivals if not event.request.urgent]
        body = render_to_string(
            "frontdoor/email/team_summary.txt",
            {
                "council": council,
                "day": day,
                "rows": [(request, _link(request)) for request in calm],
                "urgent": len(arrivals) - len(calm),
                "queue": f"{settings.SITE_URL}{reverse('frontdoor:request_list')}",
            },
        )
        subject = f"Front-door requests received on {day.day} {day:%B %Y}"
        queued += _to_the_team(
            council,
            key=lambda officer: f"front-door-summary:{council.pk}:{officer.pk}:{day.isoformat()}",
            subject=subject,
            body=body,
        )
    return queued
