"""Routing a front-door request to a team: by area, need and route, in the teams' order, else the
default team, else none; the rule that chose it in words; and an officer's move to another team
with a reason (audited, refused without one, one winner when two move it at once)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from carebridge.audit.models import Event
from carebridge.frontdoor.choices import EventKind, TeamRoute
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.services import routing
from carebridge.frontdoor.requests.services import settings as fd_settings
from carebridge.frontdoor.tests.requests.routing_support import (
    carer_answers,
    make_team,
    routed,
    rules,
)
from carebridge.frontdoor.tests.support_requests import likely_answers, submit, unlikely_answers
from carebridge.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_it_routes_a_request_by_its_postcode_district(council):
    north = make_team(council, "Wrekin North locality team")
    rules(council, north, order=2, routes=(TeamRoute.LOCALITY,), districts="WB1 WB3")
    rules(council, make_team(council, "South team"), order=1, districts="WB2")

    request = routed(council)

    assert request.team == north
    assert request.routing_rule == "Area WB1 → Wrekin North locality team"


def test_it_routes_by_a_need_the_request_flagged(council):
    hygiene = make_team(council, "Personal care team")
    rules(council, make_team(council, "Work team"), order=1, needs=("work",))
    rules(council, hygiene, order=2, needs=("hygiene", "toilet"))

    request = routed(council)

    assert request.team == hygiene
    assert request.routing_rule == "Need “Maintaining personal hygiene” → Personal care team"


def test_it_routes_a_carer_to_the_carers_team_and_an_adult_past_it(council):
    carers = make_team(council, "Carers team")
    locality = make_team(council, "Locality team")
    rules(council, carers, order=1, routes=(TeamRoute.CARERS,))
    rules(council, locality, order=2, routes=(TeamRoute.LOCALITY,), districts="WB1")

    assert routed(council, carer_answers()).team == carers
    assert routed(council, carer_answers()).routing_rule == "Route carers → Carers team"
    assert routed(council).team == locality


def test_it_routes_a_hospital_referral_to_hospital_discharge(council):
    hospital = make_team(council, "Hospital discharge team")
    rules(council, hospital, order=1, routes=(TeamRoute.HOSPITAL_DISCHARGE,))
    rules(council, make_team(council, "Locality team"), order=2, districts="WB1")

    from_hospital = routed(
        council,
        likely_answers(
            asker="professional",
            professional_kind="hospital",
            professional_organisation="Wrekin General",
            professional_role="Discharge coordinator",
            professional_name="Ada Bright",
            professional_email="ada.bright@example.org",
            referral_name="Edith Marlowe",
            referral_dob="1941-03-03",
            referral_address=["1 Mill Lane", "", "Wrekinton", "WB1 2AB"],
            sharing_basis="consent",
        ),
    )

    assert from_hospital.team == hospital
    assert from_hospital.routing_rule == "Route hospital discharge → Hospital discharge team"
    assert routed(council).team.name == "Locality team"


def test_it_takes_the_first_matching_team_in_order(council):
    first = make_team(council, "First team")
    second = make_team(council, "Second team")
    rules(council, second, order=2, districts="WB1")
    rules(council, first, order=1, districts="WB1", needs=("nutrition",))

    request = routed(council)

    assert request.team == first
    assert (
        request.routing_rule == "Need “Managing and maintaining nutrition”, Area WB1 → First team"
    )


def test_a_team_must_meet_every_rule_it_sets(council):
    rules(
        council, make_team(council, "Carers in WB1"), order=1, routes=("carers",), districts="WB1"
    )
    default = rules(council, make_team(council, "Duty team"), order=9)
    fd_settings.front_door_settings_update(council=council, by=None, default_team=default)

    request = routed(council)  # an adult in WB1: the area matches, the route does not

    assert request.team.name == "Duty team"
    assert request.routing_rule == "No team's rules matched → Duty team (default)"


def test_with_no_team_and_no_default_the_request_has_no_team(council):
    rules(council, make_team(council, "Elsewhere team"), order=1, districts="ZZ9")

    request = routed(council)

    assert request.team is None
    assert request.routing_rule == "No team's rules matched, and the council has no default team"
    assert request.due_at is not None  # the promise runs whatever the team


def test_a_signposted_request_is_not_routed(council):
    rules(council, make_team(council, "Everyone team"), order=1, districts="WB1")

    request = routed(council, unlikely_answers())

    assert (request.team, request.routing_rule, request.due_at) == (None, "", None)


def test_a_team_refuses_districts_that_are_not_outward_codes(council):
    with pytest.raises(ValidationError, match="outward codes"):
        rules(council, make_team(council, "Bad team"), order=1, districts="WB1 2AB")


def test_it_reads_the_outward_code_of_every_way_a_postcode_is_written():
    assert routing.outward_code("wb1 2ab") == "WB1"
    assert routing.outward_code("WB12AB") == "WB1"
    assert routing.outward_code("WB10 2AB") == "WB10"
    assert routing.outward_code("WB10") == "WB10"
    assert routing.outward_code("") == ""


# --- Moving a request to another team -----------------------------------------------------------


@pytest.fixture
def two_teams(council):
    north = make_team(council, "North team", email="north@example.org")
    south = make_team(council, "South team", email="south@example.org")
    rules(council, north, order=1, districts="WB1")
    rules(council, south, order=2, districts="WB2")
    return north, south


def test_an_officer_moves_a_request_with_a_reason_audited_and_told_to_the_team(
    council, officer, two_teams, django_capture_on_commit_callbacks
):
    _north, south = two_teams
    request = routed(council)

    with django_capture_on_commit_callbacks(execute=True):
        moved = routing.request_team_move(
            request=request, by=officer, team=south, reason="Lives in the south now"
        )

    assert moved.team == south
    assert moved.routing_rule.startswith("Moved from North team → South team by")
    event = moved.events.get(kind=EventKind.TEAM_MOVED)
    assert (event.public, event.text) == (False, "To South team: Lives in the south now")
    audit = Event.objects.get(action="front_door.team_moved")
    assert audit.before == {"team": "North team"} and audit.after == {"team": "South team"}
    assert audit.detail == {"reason": "Lives in the south now"}
    told = Notification.objects.get(to_email="south@example.org")
    assert request.reference in told.subject and "Lives in the south now" in told.body


def test_a_move_without_a_reason_is_refused_and_changes_nothing(council, officer, two_teams):
    north, south = two_teams
    request = routed(council)

    with pytest.raises(ValidationError) as refused:
        routing.request_team_move(request=request, by=officer, team=south, reason="  ")

    assert refused.value.message_dict == {"reason": ["Enter why you are moving the request"]}
    request.refresh_from_db()
    assert request.team == north
    assert not Event.objects.filter(action="front_door.team_moved").exists()


def test_a_move_to_a_team_outside_the_front_door_is_refused(council, officer, two_teams):
    request = routed(council)
    stranger = make_team(council, "Payments team")

    with pytest.raises(ValidationError, match="front-door teams"):
        routing.request_team_move(request=request, by=officer, team=stranger, reason="Why not")


def test_of_two_moves_from_the_same_team_one_wins(council, officer, two_teams):
    _north, south = two_teams
    third = make_team(council, "Third team")
    rules(council, third, order=3, districts="WB3")
    request = routed(council)
    seen_by_first = type(request).objects.get(pk=request.pk)
    seen_by_second = type(request).objects.get(pk=request.pk)

    routing.request_team_move(request=seen_by_first, by=officer, team=south, reason="South")
    with pytest.raises(services.RequestRefused):
        routing.request_team_move(request=seen_by_second, by=officer, team=third, reason="Third")

    request.refresh_from_db()
    assert request.team == south
    assert request.events.filter(kind=EventKind.TEAM_MOVED).count() == 1


def test_a_decided_request_cannot_move(council, officer, two_teams):
    _north, south = two_teams
    request = routed(council)
    services.request_close(request=request, by=officer, text="Nothing more to do.")
    request.refresh_from_db()

    with pytest.raises(services.RequestRefused):
        routing.request_team_move(request=request, by=officer, team=south, reason="Too late")


def test_the_submission_routes_a_request_and_tells_the_person_its_due_time(council, monkeypatch):
    from datetime import UTC, datetime

    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: datetime(2026, 3, 6, 16, 59, tzinfo=UTC)
    )
    rules(council, make_team(council, "North team"), order=1, districts="WB1")

    request = submit(council, likely_answers())

    assert request.team.name == "North team" and request.routing_rule == "Area WB1 → North team"
    assert request.due_at == datetime(2026, 3, 11, 16, 59, tzinfo=UTC)
    received = Notification.objects.get(key=f"front-door-{request.pk}-received")
    assert "by 4:59pm on Wednesday 11 March" in received.body


def test_asking_for_an_assessment_after_signposting_routes_the_request(council):
    rules(council, make_team(council, "North team"), order=1, districts="WB1")
    request = submit(council, unlikely_answers())
    assert request.team is None

    asked = services.assessment_ask(request=request)

    assert asked.team.name == "North team" and asked.due_at is not None
