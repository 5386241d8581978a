"""The response promise's clock: each request due 24 business hours (the council's promise) after
it reaches the council, in the front-door office's hours with bank holidays shut; green, amber
and red in words; counted again when the hours or the promise change; the home page's attention
items; and what the person is told."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.test import Client
from django.urls import reverse

from carebridge.core.calendar import ServiceHours
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.selectors import front_door_attention_for
from carebridge.frontdoor.requests.services.history import email_person
from carebridge.frontdoor.requests.services.routing import request_route
from carebridge.frontdoor.requests.waits import due_state
from carebridge.frontdoor.tests.requests.routing_support import routed
from carebridge.frontdoor.tests.requests.test_public_views import walk
from carebridge.frontdoor.tests.support_requests import likely_answers
from carebridge.notifications.models import Notification

pytestmark = pytest.mark.django_db

NINE_TO_FIVE = ServiceHours(
    start=time(9), end=time(17), weekdays=frozenset(range(5)), bank_holidays_closed=True
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def test_a_request_at_4_59pm_on_a_friday_is_due_at_4_59pm_on_wednesday(council, monkeypatch):
    at(monkeypatch, utc(2026, 3, 6, 16, 59))  # Friday, London on GMT

    request = routed(council)

    # One minute on Friday, then Monday, Tuesday and all but a minute of Wednesday.
    assert request.queued_at == utc(2026, 3, 6, 16, 59)
    assert request.due_at == utc(2026, 3, 11, 16, 59)


def test_a_request_on_the_friday_before_a_bank_holiday_skips_the_monday(council, monkeypatch):
    at(monkeypatch, utc(2026, 5, 1, 9, 0))  # Friday 1 May, 10am in London (summer time)

    request = routed(council)

    # 7 hours on Friday; Monday 4 May is the early May bank holiday; 8 on Tuesday and on
    # Wednesday; the last hour on Thursday morning.
    assert request.due_at == utc(2026, 5, 7, 9, 0)  # 10:00am Thursday 7 May in London


def test_a_request_at_night_starts_its_clock_when_the_office_opens(council, monkeypatch):
    at(monkeypatch, utc(2026, 3, 10, 23, 30))  # Tuesday night

    request = routed(council)

    assert request.due_at == utc(2026, 3, 13, 17, 0)  # Wednesday, Thursday and Friday


DUE = utc(2026, 3, 11, 16, 59)  # 4:59pm Wednesday


@pytest.mark.parametrize(
    ("seen", "colour", "words"),
    [
        (utc(2026, 3, 10, 10, 0), "green", "Due 4:59pm 11/03/2026"),
        (utc(2026, 3, 11, 10, 58), "green", "Due in 6 hours"),  # 6h01 left of 24
        (utc(2026, 3, 11, 11, 0), "amber", "Due soon: in 5 hours"),  # 5h59 left: under a quarter
        (utc(2026, 3, 11, 16, 30), "amber", "Due soon: in 29 minutes"),
        (utc(2026, 3, 10, 16, 0), "green", "Due 4:59pm 11/03/2026"),  # 1h + 7h59 left
        (utc(2026, 3, 11, 17, 30), "red", "Overdue: was due 4:59pm 11/03/2026"),
        (utc(2026, 3, 12, 11, 30), "red", "Overdue by 2 business hours"),  # 1 min + 2h30
        (utc(2026, 3, 13, 10, 0), "red", "Overdue by 9 business hours"),
    ],
)
def test_the_due_time_shows_green_amber_and_red_in_words(seen, colour, words):
    state = due_state(DUE, promise_hours=24, hours=NINE_TO_FIVE, at=seen)

    assert (state.colour, state.words) == (colour, words)


def test_amber_on_the_day_before_when_under_a_quarter_is_left_across_the_night():
    due = utc(2026, 3, 11, 10, 0)  # 10am Wednesday

    state = due_state(due, promise_hours=24, hours=NINE_TO_FIVE, at=utc(2026, 3, 10, 16, 0))

    assert (state.colour, state.words) == ("amber", "Due soon: 10:00am 11/03/2026")  # 2 hours left


def test_changing_the_office_hours_or_the_promise_recounts_open_requests(
    council, officer, monkeypatch
):
    at(monkeypatch, utc(2026, 3, 9, 9, 0))  # Monday 9am
    waiting = routed(council)
    closed = routed(council)
    services.request_close(request=closed, by=officer, text="Nothing more to do.")
    assert waiting.due_at == utc(2026, 3, 11, 17, 0)

    services.front_door_settings_update(council=council, by=officer, response_promise_hours=8)
    waiting.refresh_from_db()
    closed.refresh_from_db()
    assert waiting.due_at == utc(2026, 3, 9, 17, 0)
    assert closed.due_at == utc(2026, 3, 11, 17, 0)  # decided: its promise stays as it was

    services.front_door_settings_update(
        council=council, by=officer, office_opens=time(8), office_closes=time(13)
    )
    waiting.refresh_from_db()
    assert waiting.due_at == utc(2026, 3, 10, 12, 0)  # 4 hours on Monday, 4 on Tuesday


def test_the_home_page_counts_requests_overdue_and_due_today(council, officer, monkeypatch):
    at(monkeypatch, utc(2026, 3, 6, 9, 0))  # Friday 9am
    routed(council)  # due Tuesday 5pm
    at(monkeypatch, utc(2026, 3, 9, 9, 0))  # Monday 9am
    routed(council)  # due Wednesday 5pm
    routed(council)

    at(monkeypatch, utc(2026, 3, 10, 9, 30))  # Tuesday morning
    items = {item.label: item.count for item in front_door_attention_for(officer)}
    assert items["Front-door requests due today"] == 1
    assert "Front-door requests overdue" not in items

    at(monkeypatch, utc(2026, 3, 11, 9, 30))  # Wednesday morning
    items = {item.label: item.count for item in front_door_attention_for(officer)}
    assert items["Front-door requests overdue"] == 1
    assert items["Front-door requests due today"] == 2


def test_the_person_is_told_the_promise_and_the_due_time(council, monkeypatch):
    at(monkeypatch, utc(2026, 3, 6, 16, 59))
    request = routed(council)

    email_person(request, key="received-routed", template="received")

    body = Notification.objects.get(key=f"front-door-{request.pk}-received-routed").body
    assert "within 24 business hours, by 4:59pm on Wednesday 11 March" in body
    assert "2 working days" not in body


def test_the_result_page_tells_the_promise_and_the_due_time(council, monkeypatch):
    at(monkeypatch, utc(2026, 3, 6, 16, 59))
    client = Client()
    client.post(walk(client, council, likely_answers()))
    request_route(request=council.front_door_requests.get())

    page = client.get(reverse("care:result", kwargs={"council": council.slug})).content.decode()

    assert "within 24 business hours, by 4:59pm on Wednesday 11 March" in page
    assert "2 working days" not in page
