"""The feed's poller when the case-management system fails: 500s, timeouts, a dropped connection,
answers not of the feed's shape or too large, a page failing part-way through a poll; it keeps
its checkpoint, waits 2, 4, 8… times longer up to an hour, and recovers without losing a
referral or making one twice. And two workers never poll one council at once (PostgreSQL)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from carebridge.integrations.models import CaseSystem, FeedPoll
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.integrations.simulator.server import Reply, Request
from carebridge.referrals import casefeed
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.casefeed_support import KEY, NOW, Feed, after, feed_world, frozen
from tests.support import run_together

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


@pytest.fixture
def feed() -> Iterator[Feed]:
    with feed_world() as world:
        yield world


def made(feed: Feed) -> list[str]:
    return sorted(
        Referral.objects.filter(council=feed.council).values_list("external_id", flat=True)
    )


def test_500s_back_off_two_four_eight_times_then_recover_without_loss(feed):
    ids = feed.add(5)
    feed.faults(failure_rate=1.0)

    waits = []
    for _ in range(3):
        record = feed.poll_when_due()
        system = feed.system()
        assert (record.error, record.status_code) == (
            "The feed answered 500 Internal Server Error",
            500,
        )
        assert (record.received, record.created, record.checkpoint_after) == (0, 0, "")
        assert system.checkpoint == ""
        waits.append((system.next_poll_at - record.finished_at).total_seconds())
    assert waits == [240, 480, 960]
    assert feed.system().failures == 3
    assert not Referral.objects.exists()

    feed.faults()
    record = feed.poll_when_due()

    assert (record.error, record.created, record.checkpoint_after) == ("", 5, "5")
    system = feed.system()
    assert system.failures == 0
    assert system.next_poll_at == record.finished_at + (after(120) - NOW)
    assert made(feed) == sorted(ids)


def test_the_wait_after_failures_is_at_most_an_hour():
    assert [casefeed.wait_seconds(120, n) for n in range(7)] == [
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert casefeed.wait_seconds(3600, 1) == 3600
    assert casefeed.wait_seconds(30, 400) == 3600


def test_a_feed_that_does_not_answer_in_time_is_a_failed_poll(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "TIMEOUT_SECONDS", 0.3)
    ids = feed.add(2)
    feed.faults(timeout_rate=1.0, timeout_seconds=1.0)

    record = feed.poll_when_due()

    assert record.error == "The feed did not answer within 0.3 seconds"
    assert record.status_code is None
    assert feed.system().failures == 1
    feed.faults()
    assert feed.poll_when_due().created == 2
    assert made(feed) == sorted(ids)


def test_a_dropped_connection_is_a_failed_poll(feed):
    feed.add(1)
    # The simulator waits, then closes the connection without a word: within the poll's timeout.
    feed.faults(timeout_rate=1.0, timeout_seconds=0.1)

    record = feed.poll_when_due()

    assert record.error.startswith("The feed could not be reached: RemoteDisconnected")
    assert feed.system().checkpoint == ""


def test_random_failures_and_timeouts_lose_nothing_and_make_nothing_twice(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "PAGE_LIMIT", 3)
    monkeypatch.setattr(casefeed, "TIMEOUT_SECONDS", 0.3)
    ids = feed.add(24)
    feed.faults(failure_rate=0.3, timeout_rate=0.1, timeout_seconds=0.5, duplicate_rate=0.2)

    polls = [feed.poll_when_due() for _ in range(12)]

    assert any(p.error for p in polls)
    assert made(feed) == sorted(ids)
    assert sum(p.created for p in polls) == 24
    assert feed.system().checkpoint == "24"


class FailingSecondPage(CaseManagement):
    """The feed, except that its second page request answers 503 once."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.asked = 0

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.asked += 1
            asked = self.asked
        if asked == 2:
            return Reply(503, {"error": "busy"})
        return super().handle(request)


def test_a_page_failing_part_way_through_a_poll_keeps_the_pages_before_it(monkeypatch):
    monkeypatch.setattr(casefeed, "PAGE_LIMIT", 4)
    with feed_world(FailingSecondPage(api_key=KEY)) as feed:
        ids = feed.add(10)
        # Three polls had failed before this one.
        CaseSystem.objects.filter(council=feed.council).update(failures=3)

        record = feed.poll_when_due()

        assert (record.created, record.checkpoint_after, record.status_code) == (4, "4", 503)
        assert record.error == "The feed answered 503 Service Unavailable"
        system = feed.system()
        assert system.checkpoint == "4"
        # Not a fourth failure in a row: the system answered a page of this poll.
        assert system.failures == 1
        assert (system.next_poll_at - record.finished_at).total_seconds() == 240
        record = feed.poll_when_due()
        assert (record.checkpoint_before, record.created, record.checkpoint_after) == (
            "4",
            6,
            "10",
        )
        assert made(feed) == sorted(ids)


class Answering(CaseManagement):
    """A system whose feed answers with whatever the test sets."""

    reply = Reply(200, {})

    def handle(self, request: Request) -> Reply:
        return self.reply


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (["not", "a", "page"], "The feed's answer is not an object with items, next and more"),
        (
            {"items": {}, "next": 4, "more": "yes"},
            "The feed's answer is not a page: items is not a list, next is not text of up to "
            "200 characters, more is not true or false",
        ),
        (
            {"items": [], "next": "x" * 201, "more": False},
            "The feed's answer is not a page: next is not text of up to 200 characters",
        ),
        (
            {"items": [], "next": "4\x00", "more": False},
            "The feed's answer is not a page: next holds control characters",
        ),
        (None, "The feed's answer is not JSON"),
        (
            {"items": [{}] * 1001, "next": "1001", "more": False},
            "The feed's answer is not a page: items holds more than 1,000",
        ),
    ],
)
def test_an_answer_not_of_the_feeds_shape_is_a_failed_poll(body, error):
    answering = Answering()
    answering.reply = Reply(200, body)
    with feed_world(answering) as feed:
        record = feed.poll_when_due()

        assert (record.error, record.status_code) == (error, 200)
        assert feed.system().checkpoint == ""
        assert feed.system().failures == 1


def test_a_page_larger_than_the_limit_is_refused_unread(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "MAX_BODY_BYTES", 2000)
    feed.add(5)

    record = feed.poll_when_due()

    assert record.error == "The feed's page is larger than 2,000 bytes"
    assert not Referral.objects.exists()


def test_a_wrong_api_key_is_a_failed_poll_that_says_so(feed):
    CaseSystem.objects.filter(council=feed.council).update(api_key="not-the-key")
    feed.add(1)

    record = feed.poll_when_due()

    assert (record.error, record.status_code) == ("The feed answered 401 Unauthorized", 401)


def test_an_address_on_this_machine_is_refused_outside_the_tests(feed, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    feed.add(1)

    record = feed.poll_when_due()

    assert record.error.startswith("The feed's address cannot be used: The address must be on")
    assert feed.system().failures == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_twenty_polls_at_once_of_one_council_make_one_poll(feed):
    ids = feed.add(6)

    with frozen(NOW):
        results = run_together(lambda: casefeed.poll(feed.council.pk), 20)

    polled = [result for result in results if result is not None]
    assert len(polled) == 1
    assert FeedPoll.objects.count() == 1
    assert polled[0].created == 6
    assert made(feed) == sorted(ids)
