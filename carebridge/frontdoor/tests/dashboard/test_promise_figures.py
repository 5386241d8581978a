"""The front-door figures against the council's response promise: the share decided within it
counts the council's own promise (not always 24 business hours), and the same share by team."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from carebridge.frontdoor.dashboard.selectors import Share, TeamFigures, weekly_figures
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.requests.routing_support import make_team, routed, rules
from carebridge.frontdoor.tests.support_requests import likely_answers

pytestmark = pytest.mark.django_db


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def _decided(council, officer, monkeypatch, *, postcode: str, decided: datetime):
    at(monkeypatch, utc(2026, 3, 9, 9))  # Monday 9am
    request = routed(council, likely_answers(postcode=postcode))
    at(monkeypatch, decided)
    services.request_close(request=request, by=officer, text="Nothing more to do.")
    return request


def test_the_share_within_the_promise_is_by_team_and_follows_the_councils_promise(
    council, officer, monkeypatch
):
    rules(council, make_team(council, "North team"), order=1, districts="WB1")
    rules(council, make_team(council, "South team"), order=2, districts="WB2")
    _decided(council, officer, monkeypatch, postcode="WB1 1AA", decided=utc(2026, 3, 9, 15))
    _decided(council, officer, monkeypatch, postcode="WB1 1AB", decided=utc(2026, 3, 11, 17))
    _decided(council, officer, monkeypatch, postcode="WB2 1AA", decided=utc(2026, 3, 12, 10))
    _decided(council, officer, monkeypatch, postcode="ZZ1 1AA", decided=utc(2026, 3, 9, 10))

    weekly = weekly_figures(council.pk, first=date(2026, 3, 9), last=date(2026, 3, 9))

    assert weekly.promise_hours == 24
    assert weekly.total.within_target_share == Share(3, 4)  # 6, 24, 25 and 1 business hours
    assert weekly.by_team == [
        TeamFigures("North team", Share(2, 2)),
        TeamFigures("South team", Share(0, 1)),
        TeamFigures("No team", Share(1, 1)),
    ]

    services.front_door_settings_update(council=council, by=officer, response_promise_hours=8)
    weekly = weekly_figures(council.pk, first=date(2026, 3, 9), last=date(2026, 3, 9))

    assert weekly.promise_hours == 8
    assert weekly.total.within_target_share == Share(2, 4)  # 6 and 1 business hours
    assert weekly.by_team[0] == TeamFigures("North team", Share(1, 2))
