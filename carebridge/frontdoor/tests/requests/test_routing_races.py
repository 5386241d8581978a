"""Moving a request to another team, by two officers at once, on a real database server: one
move wins, the other is refused and leaves nothing behind (run on PostgreSQL)."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection

from carebridge.audit.models import Event
from carebridge.frontdoor.choices import EventKind
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.services import routing
from carebridge.frontdoor.tests.requests.routing_support import make_team, routed, rules
from carebridge.frontdoor.tests.support_requests import open_council
from tests.support import make_user, run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


def test_two_officers_moving_the_same_request_at_once_one_wins():
    council = open_council()
    officers = [make_user(council=council, role="front_door_officer") for _ in range(2)]
    rules(council, make_team(council, "North team"), order=1, districts="WB1")
    targets = [make_team(council, "South team"), make_team(council, "East team")]
    for order, team in enumerate(targets, start=2):
        rules(council, team, order=order, districts=f"WB{order + 1}")
    request = routed(council)
    turns = itertools.count()
    lock = threading.Lock()

    def move() -> str:
        with lock:
            n = next(turns)
        seen = FrontDoorRequest.objects.get(pk=request.pk)
        try:
            routing.request_team_move(
                request=seen, by=officers[n], team=targets[n], reason=f"Move {n}"
            )
        except services.RequestRefused:
            return "refused"
        return "moved"

    outcomes = run_together(move, 2)

    request.refresh_from_db()
    assert sorted(outcomes) == ["moved", "refused"]
    assert request.team in targets
    assert request.events.filter(kind=EventKind.TEAM_MOVED).count() == 1
    assert Event.objects.filter(action="front_door.team_moved").count() == 1
