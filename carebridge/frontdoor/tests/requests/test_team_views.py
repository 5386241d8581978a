"""The officers' pages for teams and the clock: the queue's team and due columns, its team filter
(the officer's own team first), the request's team and rule, moving it with a reason, and the
settings' teams and response promise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.frontdoor.choices import EventKind
from carebridge.frontdoor.models import FrontDoorTeam
from carebridge.frontdoor.tests.requests.routing_support import make_team, routed, rules
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council
from carebridge.organisations import services as organisations
from tests.support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(council):
    north = make_team(council, "North team")
    south = make_team(council, "South team")
    rules(council, north, order=1, districts="WB1")
    rules(council, south, order=2, districts="WB2")
    return north, south


def queue(officer, query: str = "") -> str:
    return client_for(officer).get(reverse("frontdoor:request_list") + query).content.decode()


def test_the_queue_shows_each_requests_team_and_due_time_in_words(
    council, officer, teams, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 3, 9, 9, tzinfo=UTC))
    request = routed(council)

    page = queue(officer)

    assert "North team" in page
    assert "govuk-tag--green" in page and "Due 5:00pm 11/03/2026" in page
    assert request.reference in page


def test_an_officer_in_a_routed_team_sees_their_team_first_and_can_see_any(council, officer, teams):
    north, south = teams
    in_north = routed(council)
    in_south = routed(council, likely_answers(postcode="WB2 1AA"))
    organisations.team_member_set(user=officer, team=south)

    mine = queue(officer)
    assert in_south.reference in mine and in_north.reference not in mine

    every = queue(officer, "?team=all")
    assert in_south.reference in every and in_north.reference in every

    north_only = queue(officer, f"?team={north.pk}")
    assert in_north.reference in north_only and in_south.reference not in north_only


def test_an_officer_outside_the_routed_teams_sees_every_team(council, officer, teams):
    in_north = routed(council)
    in_south = routed(council, likely_answers(postcode="WB2 1AA"))

    page = queue(officer)

    assert in_north.reference in page and in_south.reference in page


def test_the_request_page_shows_the_team_and_the_rule_that_chose_it(council, officer, teams):
    request = routed(council)

    page = client_for(officer).get(reverse("frontdoor:request_detail", args=[request.pk]))

    assert "Area WB1 → North team" in page.content.decode()


def test_an_officer_moves_a_request_through_its_page_with_a_reason(
    council, officer, teams, django_capture_on_commit_callbacks
):
    _north, south = teams
    request = routed(council)
    url = reverse("frontdoor:request_step", kwargs={"pk": request.pk, "step": "move"})
    client = client_for(officer)

    refused = client.post(url, {"team": str(south.pk), "reason": ""})
    assert "Enter why you are moving the request" in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"team": str(south.pk), "reason": "Lives in WB2 now"})

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.team == south
    assert request.events.filter(kind=EventKind.TEAM_MOVED, public=False).count() == 1
    track = client.get(reverse("frontdoor:request_detail", args=[request.pk])).content.decode()
    assert "Moved from North team → South team" in track


def test_the_settings_add_a_team_with_its_rules_and_set_the_promise(council, officer):
    team = make_team(council, "Carers team")
    client = client_for(officer)

    response = client.post(
        reverse("frontdoor:team_new"),
        {"team": str(team.pk), "order": "1", "routes": ["carers"], "districts": "wb1 WB1 wb2"},
    )

    assert response.status_code == 302
    row = FrontDoorTeam.objects.get(council=council)
    assert (row.team, row.routes, row.districts) == (team, ["carers"], "WB1 WB2")
    assert Event.objects.filter(action="front_door.team_saved").exists()
    settings = client.get(reverse("frontdoor:settings")).content.decode()
    assert "Carers team" in settings and "Routes: Carers" in settings

    client.post(
        reverse("frontdoor:settings"),
        {"response_promise_hours": "16", "default_team": str(row.pk)},
    )
    council.front_door_settings.refresh_from_db()
    assert council.front_door_settings.response_promise_hours == 16
    assert council.front_door_settings.default_team == row


def test_the_settings_refuse_a_district_that_is_not_an_outward_code(council, officer):
    team = make_team(council, "Carers team")

    response = client_for(officer).post(
        reverse("frontdoor:team_new"), {"team": str(team.pk), "order": "1", "districts": "WB1 2AB"}
    )

    assert "outward codes" in response.content.decode()
    assert not FrontDoorTeam.objects.exists()


def test_another_councils_team_is_not_found_and_cannot_be_chosen(council, officer):
    other = open_council("Other")
    theirs = rules(other, make_team(other, "Their team"), order=1, districts="WB1")
    client = client_for(officer)

    assert client.get(reverse("frontdoor:team_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("frontdoor:team_remove", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("frontdoor:team_new"), {"team": str(theirs.team.pk), "order": "1"}
    )
    assert "Select the team" in response.content.decode()
    assert not FrontDoorTeam.objects.filter(council=council).exists()


def test_removing_a_team_unsets_it_as_the_default(council, officer, teams):
    row = FrontDoorTeam.objects.get(team=teams[0])
    client = client_for(officer)
    client.post(reverse("frontdoor:settings"), {"default_team": str(row.pk)})

    client.post(reverse("frontdoor:team_remove", args=[row.pk]))

    council.front_door_settings.refresh_from_db()
    assert council.front_door_settings.default_team is None
    assert not FrontDoorTeam.objects.filter(pk=row.pk).exists()
