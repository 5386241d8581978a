"""Which council team works a front-door request, and when the council promised to look at it.

A request joining the queue is routed by its council's front-door teams (`FrontDoorTeam`): each
team takes the routes, needs and postcode districts its settings row lists, every one it sets
must match, and the first team in order that matches takes the request; when none does, the
council's default team; when there is none, no team. The request keeps the team and the rule
that chose it in words ("Area TF1 → Telford North locality team"), so an officer sees why.

Its due time is the council's response promise (business hours, 24 by default) after it joined
the queue, counted by core.calendar in the front-door office's hours with bank holidays shut; it
is counted again for the open requests when the hours or the promise change.

An officer moves a request to another team with a reason: a compare-and-set on the team it was
read with, an event on its history (never shown to the person), an audit row, and an e-mail to
the receiving team once the move commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import add_service_time, now
from carebridge.frontdoor.choices import About, EventKind, Route, TeamRoute
from carebridge.frontdoor.models import NEEDS, FrontDoorRequest, FrontDoorSettings, FrontDoorTeam
from carebridge.frontdoor.requests.selectors import OPEN_STATUSES, office_of, routed_teams
from carebridge.frontdoor.requests.services.history import event_add
from carebridge.frontdoor.requests.services.steps import RequestRefused
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Team
from carebridge.people.cld import PrimarySupportReason

# The professional kind (frontdoor/assessment/professional.py) that signals a hospital discharge.
_HOSPITAL = "hospital"
MOVE_REASON_MAX = 1000


@dataclass(frozen=True)
class Routing:
    """The team a request goes to (None when the council has no team for it) and why."""

    team: Team | None
    rule: str


def outward_code(postcode: str) -> str:
    """The postcode district: "TF1" of "tf1 2ab", "TF12AB" or an outward code kept alone."""
    compact = "".join(postcode.split()).upper()
    if not compact:
        return ""
    first = postcode.strip().upper().split()[0]
    if len(first) < len(compact):  # written with its space
        return first
    return compact[:-3] if len(compact) > 4 else compact


# The main support needs (a professional's answer) that signal a specialist team's route.
_SUPPORT_ROUTES = {
    PrimarySupportReason.MENTAL_HEALTH.value: TeamRoute.MENTAL_HEALTH.value,
    PrimarySupportReason.LEARNING_DISABILITY.value: TeamRoute.LEARNING_DISABILITY.value,
}


def request_routes(request: FrontDoorRequest) -> set[str]:
    """The routes the journey's answers signal: a carer's request, a hospital's referral (a
    discharge), a referral whose main support need is mental health or a learning disability,
    and every request is its area's (the locality route)."""
    routes = {TeamRoute.LOCALITY.value}
    if request.about == About.CARER:
        routes.add(TeamRoute.CARERS.value)
    if request.professional_kind == _HOSPITAL:
        routes.add(TeamRoute.HOSPITAL_DISCHARGE.value)
    if request.primary_support_reason in _SUPPORT_ROUTES:
        routes.add(_SUPPORT_ROUTES[request.primary_support_reason])
    return routes


def request_needs(request: FrontDoorRequest) -> set[str]:
    """The Care Act outcomes the request flagged: those the person is unable to achieve."""
    outcomes = (request.assessment or {}).get("outcomes", [])
    return {item["code"] for item in outcomes if item.get("unable")}


def _matched(
    row: FrontDoorTeam, routes: set[str], needs: set[str], district: str
) -> list[str] | None:
    """The words of each of the team's conditions the request meets, or None when it misses
    one (or the team sets none: only the default reaches a team without rules)."""
    if not row.has_rules:
        return None
    words = []
    if row.routes:
        taken = [code for code in row.routes if code in routes]
        if not taken:
            return None
        named = [TeamRoute(code).label for code in taken if code != TeamRoute.LOCALITY]
        if named:
            words.append("Route " + named[0].lower())
    if row.needs:
        flagged = [code for code in row.needs if code in needs]
        if not flagged:
            return None
        words.append("Need “" + NEEDS[flagged[0]] + "”")
    if row.district_list:
        if district not in row.district_list:
            return None
        words.append(f"Area {district}")
    return words


def route_for(
    request: FrontDoorRequest, teams: Iterable[FrontDoorTeam], default: FrontDoorTeam | None
) -> Routing:
    """The first team in order whose rules the request meets, else the default team."""
    routes, needs = request_routes(request), request_needs(request)
    district = outward_code(request.postcode)
    for row in sorted(teams, key=lambda each: (each.order, each.pk)):
        words = _matched(row, routes, needs, district)
        if words is not None:
            return Routing(row.team, f"{', '.join(words) or 'Every request'} → {row.team.name}")
    if default is not None:
        return Routing(default.team, f"No team's rules matched → {default.team.name} (default)")
    return Routing(None, "No team's rules matched, and the council has no default team")


def due_time(queued_at: datetime, office: FrontDoorSettings) -> datetime:
    """The response promise's business hours after `queued_at`, in the office's hours."""
    promise = timedelta(hours=office.response_promise_hours)
    return add_service_time(queued_at, promise, office.office_hours())


@transaction.atomic
def request_route(*, request: FrontDoorRequest) -> FrontDoorRequest:
    """Route a request that has just joined the council's queue, and start its clock: its team
    and rule, when it joined and when it is due. Called by the submission services; a request
    routed already keeps its team and its clock."""
    if request.route != Route.QUEUE or request.queued_at is not None:
        return request  # not for the council, or routed already: its clock runs once
    office = office_of(request.council_id)
    teams = FrontDoorTeam.objects.filter(council_id=request.council_id).select_related("team")
    default = (
        FrontDoorTeam.objects.select_related("team").filter(pk=office.default_team_id).first()
        if office.default_team_id
        else None
    )
    routing = route_for(request, list(teams), default)
    queued_at = now()
    fields = {
        "team": routing.team,
        "routing_rule": routing.rule,
        "queued_at": queued_at,
        "due_at": due_time(queued_at, office),
    }
    FrontDoorRequest.objects.filter(pk=request.pk).update(**fields)
    for name, value in fields.items():
        setattr(request, name, value)
    record(
        action="front_door.routed",
        obj=request,
        council=request.council_id,
        after={"team": routing.team.name if routing.team else "", "rule": routing.rule},
    )
    return request


@transaction.atomic
def request_team_move(
    *,
    request: FrontDoorRequest,
    by: User,
    team: Team,
    reason: str,
) -> FrontDoorRequest:
    """Move the request to another of the council's front-door teams, with the reason. The
    move is a compare-and-set on the team the officer saw: when someone moved it first, this
    one is refused and changes nothing."""
    errors = {}
    if not reason.strip():
        errors["reason"] = "Enter why you are moving the request"
    elif len(reason) > MOVE_REASON_MAX:
        errors["reason"] = f"The reason must be {MOVE_REASON_MAX} characters or fewer"
    if team.pk not in {each.pk for each in routed_teams(request.council_id)}:
        errors["team"] = "Choose one of the council's front-door teams"
    elif team.pk == request.team_id:
        errors["team"] = "The request is with this team already: choose another"
    if errors:
        raise ValidationError(errors)
    before = request.team.name if request.team_id and request.team else ""
    rule = f"Moved from {before or 'no team'} → {team.name} by {by.full_name or by.email}"
    seen = Q(team__isnull=True) if request.team_id is None else Q(team_id=request.team_id)
    moved = FrontDoorRequest.objects.filter(seen, pk=request.pk, status__in=OPEN_STATUSES).update(
        team=team, routing_rule=rule[:300], changed_at=now()
    )
    if not moved:
        request.refresh_from_db()
        raise RequestRefused(
            "This request was moved or decided by someone else meanwhile. Check it and try again."
        )
    request.refresh_from_db()
    event_add(request, EventKind.TEAM_MOVED, by=by, text=f"To {team.name}: {reason}", public=False)
    record(
        action="front_door.team_moved",
        by=by,
        obj=request,
        council=request.council_id,
        before={"team": before},
        after={"team": team.name},
        detail={"reason": reason},
    )
    if team.email:
        link = settings.SITE_URL + reverse("frontdoor:request_detail", args=[request.pk])
        context = {"request": request, "team": team, "reason": reason, "link": link}
        email_queue(
            to=team.email,
            kind=NotificationKind.FRONT_DOOR,
            key=f"front-door-{request.pk}-moved-{request.events.count()}",
            subject=render_to_string("frontdoor/email/team_moved_subject.txt", context).strip(),
            body=render_to_string("frontdoor/email/team_moved.txt", context),
        )
    return request


def due_times_recount(council_id: int, office: FrontDoorSettings) -> int:
    """Count again the due time of each of the council's open requests from when it joined the
    queue, after its office hours or promise changed; returns how many changed."""
    rows = list(
        FrontDoorRequest.objects.filter(
            council_id=council_id,
            route=Route.QUEUE,
            status__in=OPEN_STATUSES,
            queued_at__isnull=False,
        ).only("pk", "queued_at", "due_at")
    )
    changed = []
    for row in rows:
        assert row.queued_at is not None
        due = due_time(row.queued_at, office)
        if due != row.due_at:
            row.due_at = due
            changed.append(row)
    FrontDoorRequest.objects.bulk_update(changed, ["due_at"], batch_size=1000)
    return len(changed)
