"""The case-management feed's poller against the simulator over real HTTP: referrals taken from a
checkpoint and acknowledged, repeats counted and not made, bad items refused with the push API's
reasons, and the poll log of each poll."""

from collections.abc import Iterator

import pytest

from carebridge.integrations.models import CaseSystem, CaseUpdate, FeedPoll
from carebridge.organisations.deadlines import referral_respond_by
from carebridge.referrals import casefeed
from carebridge.referrals.intake import refusal_reason
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.casefeed_support import NOW, Feed, after, feed_world, frozen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


@pytest.fixture
def feed() -> Iterator[Feed]:
    with feed_world() as world:
        yield world


def made(feed: Feed) -> list[str]:
    return sorted(
        Referral.objects.filter(council=feed.council).values_list("external_id", flat=True)
    )


def test_a_poll_takes_the_feed_from_the_start_and_acknowledges_each_referral(feed):
    ids = feed.add(3)

    record = feed.poll_at(NOW)

    assert record is not None
    assert (record.received, record.created, record.duplicates, record.refused) == (3, 3, 0, 0)
    assert (record.checkpoint_before, record.checkpoint_after, record.error) == ("", "3", "")
    assert record.started_at == record.finished_at == NOW
    assert made(feed) == sorted(ids)
    rulebook = feed.council.rulebook
    for referral in Referral.objects.filter(council=feed.council):
        # Its reply window counts from the moment Carebridge took it.
        assert referral.received_at == NOW
        assert referral.respond_by == referral_respond_by(rulebook, NOW)
        assert referral.events.get().by_label == "Mosaic"
        acknowledgement = CaseUpdate.objects.get(referral=referral)
        assert (acknowledgement.event, acknowledgement.sequence) == ("acknowledged", 1)
        assert acknowledgement.payload["details"] == {
            "received_at": "2026-11-23T10:00:00Z",
            "respond_by": referral.respond_by.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    system = feed.system()
    assert (system.checkpoint, system.failures) == ("3", 0)
    assert system.last_polled_at == NOW
    assert system.next_poll_at == after(rulebook.case_feed_poll_seconds)


def test_the_acknowledgement_reaches_the_system_once_the_page_commits(
    feed, django_capture_on_commit_callbacks
):
    [external_id] = feed.add()

    with django_capture_on_commit_callbacks(execute=True):
        feed.poll_at(NOW)

    [update] = feed.peer.updates_for(external_id)
    referral = Referral.objects.get(external_id=external_id)
    assert (update["event"], update["sequence"]) == ("acknowledged", 1)
    assert update["body"]["details"]["received_at"] == "2026-11-23T10:00:00Z"
    assert update["body"]["referral"]["respond_by"] == referral.respond_by.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_the_checkpoint_is_carried_from_one_poll_to_the_next(feed):
    first = feed.add(2)
    feed.poll_at(NOW)
    second = feed.add(2)

    # Not due yet: nothing is asked.
    assert feed.poll_at(after(60)) is None
    record = feed.poll_at(after(120))

    assert record is not None
    assert (record.checkpoint_before, record.checkpoint_after) == ("2", "4")
    assert (record.received, record.created) == (2, 2)
    assert made(feed) == sorted(first + second)
    nothing_new = feed.poll_at(after(240))
    assert nothing_new is not None
    assert (nothing_new.received, nothing_new.created, nothing_new.checkpoint_after) == (0, 0, "4")


def test_a_poll_reads_page_after_page_until_the_feed_has_no_more(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "PAGE_LIMIT", 4)
    monkeypatch.setattr(casefeed, "PAGES_PER_POLL", 3)
    ids = feed.add(14)

    record = feed.poll_at(NOW)

    # Three pages of four: the rest waits for the next poll, due at once.
    assert record is not None
    assert (record.created, record.checkpoint_after) == (12, "12")
    assert feed.system().next_poll_at == NOW
    rest = feed.poll_when_due()
    assert (rest.checkpoint_before, rest.created, rest.checkpoint_after) == ("12", 2, "14")
    assert feed.system().next_poll_at == after(120)
    assert made(feed) == sorted(ids)


def test_repeats_in_the_feed_are_counted_and_never_made_twice(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "PAGE_LIMIT", 5)
    feed.faults(duplicate_rate=0.5)
    ids = feed.add(20)
    # The same referral twice on one page, as a system that sent it twice would serve it.
    twice = feed.body("CM-TWICE")
    feed.peer.add_referral(twice)
    feed.peer.add_referral(twice)

    record = feed.poll_at(NOW)
    assert record is not None
    # What the duplicate fault held back rides on a later page: a last, empty page brings it.
    record_after = feed.poll_when_due()

    assert made(feed) == sorted([*ids, "CM-TWICE"])
    received = record.received + record_after.received
    duplicates = record.duplicates + record_after.duplicates
    assert record.created + record_after.created == 21
    assert received == 22 + duplicates - 1
    assert duplicates > 1  # the page's repeat, and the fault's
    assert record.refused == record_after.refused == 0


def test_a_referral_already_pushed_through_the_api_is_a_duplicate_in_the_feed(feed):
    body = feed.body("CM-PUSHED")
    answer = feed.api.post("/api/v1/referrals/", body, format="json")
    assert answer.status_code == 201
    feed.peer.add_referral(body)

    record = feed.poll_at(NOW)

    assert record is not None
    assert (record.received, record.created, record.duplicates) == (1, 0, 1)
    assert Referral.objects.filter(external_id="CM-PUSHED").count() == 1
    # The pushed referral is not acknowledged by the poll that did not take it.
    assert not CaseUpdate.objects.exists()


def test_pages_served_out_of_order_lose_nothing_and_make_nothing_twice(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "PAGE_LIMIT", 7)
    feed.faults(out_of_order=True, duplicate_rate=0.3)
    ids = feed.add(30)

    first = feed.poll_at(NOW)
    # The repeats held back from the last page ride on the next one.
    second = feed.poll_when_due()

    assert first is not None
    assert made(feed) == sorted(ids)
    assert first.created + second.created == 30
    assert first.duplicates + second.duplicates == first.received + second.received - 30 > 0
    assert feed.system().checkpoint == "30"


def test_refused_items_are_recorded_with_their_reasons_and_the_feed_moves_on(feed):
    feed.peer.feed.extend(
        [
            feed.body("CM-NOPROVIDER", provider=999999),
            {**feed.body(), "external_id": ""},
            feed.body("CM-UNKNOWN", colour="blue"),
        ]
    )
    feed.peer.feed.append(["not", "a", "referral"])  # type: ignore[arg-type]
    [good] = feed.add()

    record = feed.poll_at(NOW)

    assert record is not None
    assert (record.received, record.created, record.refused) == (5, 1, 4)
    assert record.refusals == [
        {
            "id": "CM-NOPROVIDER",
            "reason": "provider: Choose a provider the council holds a contract with.",
        },
        {
            "id": "",
            "reason": "external_id: Give the case-management system's own id for this referral.",
        },
        {"id": "CM-UNKNOWN", "reason": "colour: This field is not known."},
        {
            "id": "",
            "reason": "non_field_errors: Invalid data. Expected a dictionary, but got list.; "
            "external_id: Give the case-management system's own id for this referral.",
        },
    ]
    assert made(feed) == [good]
    # Refused is settled: the next poll does not ask for them again.
    assert feed.system().checkpoint == "5"


def test_the_push_api_and_the_poll_refuse_the_same_bad_body_with_the_same_messages(feed):
    bad = feed.body(
        "CM-BAD",
        district="Atlantis",
        carers_required=9,
        source="district_team",
        service_user={"ss_ref": "NEW-1", "first_name": "Edna"},
    )
    answer = feed.api.post("/api/v1/referrals/", bad, format="json")
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    feed.peer.add_referral(bad)

    record = feed.poll_at(NOW)

    assert record is not None
    assert record.refused == 1
    assert record.refusals == [{"id": "CM-BAD", "reason": refusal_reason(fields)}]
    assert "carers_required: Choose from 1 to 4 carers" in record.refusals[0]["reason"]
    # Once the serializer's checks pass, the council's rules answer the same way too.
    ruled = feed.body("CM-RULED", district="Atlantis", source="district_team")
    answer = feed.api.post("/api/v1/referrals/", ruled, format="json")
    assert answer.status_code == 400
    feed.peer.add_referral(ruled)
    second = feed.poll_when_due()
    assert second.refusals == [
        {"id": "CM-RULED", "reason": refusal_reason(answer.json()["error"]["fields"])}
    ]
    assert (
        "district: Give the name of one of the council's districts."
        in (second.refusals[0]["reason"])
    )
    assert not Referral.objects.exists()


def test_a_council_not_polling_or_without_a_system_is_not_polled(feed):
    feed.add()
    CaseSystem.objects.filter(council=feed.council).update(polling_enabled=False)

    assert feed.poll_at(NOW) is None
    assert casefeed.polls_due(NOW) == []
    assert casefeed.poll(feed.council.pk + 1000) is None
    assert not FeedPoll.objects.exists()


def test_polls_due_are_the_councils_polling_and_due_or_never_polled(feed):
    with frozen(NOW):
        casefeed.poll(feed.council.pk)

    assert casefeed.polls_due(after(119)) == []
    assert casefeed.polls_due(after(120)) == [feed.council.pk]


def test_the_periodic_task_polls_every_council_that_is_due(feed):
    from carebridge.referrals.tasks import poll_case_feeds_due

    ids = feed.add(2)
    with frozen(NOW):
        assert poll_case_feeds_due.call_local() == 1
    assert made(feed) == sorted(ids)
    with frozen(after(30)):
        assert poll_case_feeds_due.call_local() == 0
    assert FeedPoll.objects.count() == 1


def test_a_poll_keeps_only_so_many_reasons_but_counts_every_refusal(feed, monkeypatch):
    monkeypatch.setattr(casefeed, "REFUSALS_KEPT", 2)
    feed.add(3, provider=999999)

    record = feed.poll_at(NOW)

    assert record is not None
    assert (record.refused, len(record.refusals)) == (3, 2)
    assert [refusal["id"] for refusal in record.refusals] == ["CM-000001", "CM-000002"]


def test_a_council_that_takes_no_updates_gets_its_referrals_without_acknowledgements(feed):
    CaseSystem.objects.filter(council=feed.council).update(updates_enabled=False)
    ids = feed.add(2)

    record = feed.poll_at(NOW)

    assert record is not None and record.created == 2
    assert made(feed) == sorted(ids)
    assert not CaseUpdate.objects.exists()
