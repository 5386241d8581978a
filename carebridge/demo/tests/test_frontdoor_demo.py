"""The demo's front door: its teams with routing rules, and every request it seeds into the
queue routed by the routing service, with its rule and its due time."""

from __future__ import annotations

import pytest

from carebridge.demo.common import Tally
from carebridge.demo.frontdoor_demo import demo_front_door
from carebridge.frontdoor.choices import About, Route
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings, FrontDoorTeam
from tests.support import make_council, make_district, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_front_door_routes_its_requests_to_its_teams():
    council = make_council("Demo")
    make_district(council, "Wrekin North", postcode_districts="WB1 WB2")
    make_district(council, "Wrekin South", postcode_districts="WB3")
    make_user(council=council, role="front_door_officer")

    demo_front_door(Tally(), [council])

    teams = [row.team.name for row in FrontDoorTeam.objects.filter(council=council)]
    assert teams == [
        "Hospital discharge team",
        "Carers support team",
        "Community mental health team",
        "Learning disability team",
        "Wrekin North locality team",
        "Wrekin South locality team",
        "Front door duty team",
    ]
    settings = FrontDoorSettings.objects.get(council=council)
    assert settings.default_team.team.name == "Front door duty team"
    queued = FrontDoorRequest.objects.filter(council=council, route=Route.QUEUE)
    assert queued.filter(professional_kind="hospital").exists()
    assert queued.filter(about=About.CARER).exists()
    assert queued.filter(team__name="Community mental health team").exists()
    assert queued.filter(team__name="Learning disability team").exists()
    assert not queued.filter(team__isnull=True).exists()
    assert not queued.filter(due_at__isnull=True).exists()
    for request in queued.select_related("team"):
        assert (
            request.routing_rule.endswith(request.team.name) or "(default)" in request.routing_rule
        )
        if request.professional_kind == "hospital":
            assert request.team.name == "Hospital discharge team"
        elif request.primary_support_reason == "Mental Health Support":
            assert request.team.name == "Community mental health team"
            assert request.routing_rule == "Route mental health → Community mental health team"
        elif request.primary_support_reason == "Learning Disability Support":
            assert request.team.name == "Learning disability team"
        elif request.about == About.CARER:
            assert request.team.name == "Carers support team"
        else:
            assert request.team.name.endswith("locality team")
