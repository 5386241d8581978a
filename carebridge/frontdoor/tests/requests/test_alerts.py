"""Item 24: an urgent request outside office hours (a Sunday, a bank holiday) never promises a
look "today" and gives the out-of-hours team; the front-door team hears of an urgent request
at once and of the rest in a morning summary, by the e-mail outbox, once, with no personal
details."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.alerts import send_front_door_summaries, urgent_request_alert
from carebridge.frontdoor.requests.tasks import front_door_summaries
from carebridge.frontdoor.tests.hubs.test_hubs_support import freeze
from carebridge.frontdoor.tests.support_requests import (
    likely_answers,
    open_council,
    submit,
    unlikely_answers,
)
from carebridge.notifications.models import Notification, NotificationKind
from tests.support import make_user

pytestmark = pytest.mark.django_db

OUT_OF_HOURS = "Emergency duty team: 01632 960 909"
# Sunday 6 December 2026, 11am in London (GMT).
SUNDAY = datetime(2026, 12, 6, 11, 0, tzinfo=UTC)
# Monday 7 December 2026, 10am.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
# Christmas Day, a Friday; Boxing Day falls on Saturday, so Monday 28th is its bank holiday.
CHRISTMAS = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def council():
    council = open_council()
    services.front_door_settings_update(council=council, by=None, out_of_hours_contact=OUT_OF_HOURS)
    return council


@pytest.fixture
def team(council):
    other = open_council()
    return {
        "officers": [
            make_user(council=council, role="front_door_officer"),
            make_user(council=council, role="front_door_officer"),
        ],
        "broker": make_user(council=council, role="broker"),
        "other_officer": make_user(council=other, role="front_door_officer"),
        "other": other,
    }


def urgent_answers(**overrides):
    return likely_answers(urgent=["danger"], **overrides)


def officer_mail(council=None) -> list[Notification]:
    return list(
        Notification.objects.filter(kind=NotificationKind.FRONT_DOOR, key__startswith="front-door-")
        .exclude(key__contains="-received")
        .order_by("pk")
    )


# --- Office hours ------------------------------------------------------------------------------


def test_the_office_is_shut_at_weekends_out_of_hours_and_on_bank_holidays(council):
    settings = council.front_door_settings
    assert settings.office_is_open(MONDAY)
    assert not settings.office_is_open(SUNDAY)
    assert not settings.office_is_open(datetime(2026, 12, 7, 17, 30, tzinfo=UTC))
    assert not settings.office_is_open(CHRISTMAS)
    assert settings.office_opens_next(SUNDAY) == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert settings.office_opens_next(CHRISTMAS) == datetime(2026, 12, 29, 9, 0, tzinfo=UTC)


def test_an_urgent_request_on_a_sunday_promises_monday_and_gives_the_out_of_hours_team(
    council, team, monkeypatch, django_capture_on_commit_callbacks
):
    freeze(monkeypatch, SUNDAY)
    with django_capture_on_commit_callbacks(execute=True):
        sent = submit(council, urgent_answers())

    [received] = [m for m in mail.outbox if m.to == ["rosa@example.org"]]
    assert " today" not in received.body
    assert "as soon as the office opens, at 9:00am on Monday 7 December" in received.body
    assert OUT_OF_HOURS in received.body
    assert sent.urgent


def test_an_urgent_request_in_office_hours_is_looked_at_today(
    council, monkeypatch, django_capture_on_commit_callbacks
):
    freeze(monkeypatch, MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        submit(council, urgent_answers())

    [received] = [m for m in mail.outbox if m.to == ["rosa@example.org"]]
    assert "look at your request today" in received.body
    assert OUT_OF_HOURS not in received.body


# --- The team's e-mails ------------------------------------------------------------------------


def test_the_front_door_team_is_told_at_once_of_an_urgent_request_with_no_personal_details(
    council, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = submit(council, urgent_answers())
    # A retry or a second call never e-mails them again.
    urgent_request_alert(sent)

    alerts = officer_mail()
    assert sorted(n.to_email for n in alerts) == sorted(u.email for u in team["officers"])
    for alert in alerts:
        assert alert.subject == f"Urgent front-door request {sent.reference}"
        assert f"/front-door/requests/{sent.pk}/" in alert.body
        for personal in ("Edith", "Marlowe", "Rosa", "WB1", "rosa@example.org", "01632 960 321"):
            assert personal not in alert.subject + alert.body
    sent_to = {tuple(m.to) for m in mail.outbox}
    assert {(u.email,) for u in team["officers"]} <= sent_to
    assert (team["broker"].email,) not in sent_to
    assert (team["other_officer"].email,) not in sent_to


def test_a_request_that_is_not_urgent_waits_for_the_morning_summary(council, team):
    submit(council, likely_answers())

    assert officer_mail() == []


def test_the_morning_summary_lists_yesterdays_requests_that_were_not_urgent(
    council, team, monkeypatch
):
    clock = freeze(monkeypatch, MONDAY)
    calm = submit(council, likely_answers())
    urgent = submit(council, urgent_answers())
    signposted = submit(council, unlikely_answers(consent="no"))
    asked = submit(council, unlikely_answers())
    services.assessment_ask(request=asked)
    theirs = submit(team["other"], likely_answers())
    clock.advance(days=1)

    summaries = send_front_door_summaries(MONDAY.date())

    ours = [n for n in summaries if n.to_email in {u.email for u in team["officers"]}]
    assert len(ours) == 2
    body = ours[0].body
    assert calm.reference in body and asked.reference in body
    assert urgent.reference not in body
    assert signposted.reference not in body
    assert theirs.reference not in body
    assert "1 urgent request came as well" in body
    assert "Edith" not in body and "Rosa" not in body and "WB1" not in body
    [their_summary] = [n for n in summaries if n.to_email == team["other_officer"].email]
    assert theirs.reference in their_summary.body
    assert calm.reference not in their_summary.body
    # Run again for the same day: nothing new.
    assert send_front_door_summaries(MONDAY.date()) == []


def test_the_summary_task_acts_only_at_twenty_to_seven_in_london(council, team, monkeypatch):
    clock = freeze(monkeypatch, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    submit(council, likely_answers())
    clock.at = datetime(2026, 12, 8, 5, 40, tzinfo=UTC)
    assert front_door_summaries.call_local() == 0
    clock.at = datetime(2026, 12, 8, 6, 40, tzinfo=UTC)
    assert front_door_summaries.call_local() == 2
