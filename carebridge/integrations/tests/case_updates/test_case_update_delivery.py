"""Delivering the updates to the simulator's case-management system over real HTTP: signed,
with the API key and the idempotency key; once each and in order per referral; tried again
after failures (a row waiting behind an undelivered one counts no try); a repeat of a post the
system took is taken as delivered; refused rows given up and the referral's later rows held
until support sends them again; and nothing lost while the system is down."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from huey.contrib.djhuey import HUEY

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.integrations import case_updates
from carebridge.integrations.case_updates import (
    case_update_attempt,
    case_update_held_by,
    case_update_retry,
    case_updates_due,
    case_updates_give_up,
    undelivered_case_updates,
)
from carebridge.integrations.delivery import MAX_ATTEMPTS, Outcome
from carebridge.integrations.models import CaseSystem, CaseUpdate
from carebridge.integrations.simulator import Simulator
from carebridge.integrations.tests.case_updates.conftest import API_KEY, SECRET
from carebridge.integrations.tests.case_updates.support import (
    accept,
    actuals,
    delay,
    run_due_retries,
    sweep,
    system_referral,
    update,
)

pytestmark = pytest.mark.django_db


def answer_all(world, referral):
    """accepted, delayed, updated, actuals: four updates."""
    referral = accept(world, referral)
    referral = delay(world, referral)
    referral = update(world, referral)
    return actuals(world, referral)


def rows_of(referral) -> list[CaseUpdate]:
    return list(CaseUpdate.objects.filter(referral=referral).order_by("sequence"))


def test_each_change_reaches_the_system_once_in_order_signed(
    world, peer, django_capture_on_commit_callbacks
):
    referral = system_referral(world, peer)

    with django_capture_on_commit_callbacks(execute=True):
        referral = answer_all(world, referral)

    taken = peer.updates_for(referral.external_id)
    assert [(u["sequence"], u["event"]) for u in taken] == [
        (1, "accepted"),
        (2, "delayed"),
        (3, "updated"),
        (4, "actuals"),
    ]
    assert [u["key"] for u in taken] == [f"referral-{referral.pk}-{n}" for n in (1, 2, 3, 4)]
    assert [u["body"] for u in taken] == [row.payload for row in rows_of(referral)]
    assert peer.bad_signatures == 0
    assert peer.duplicate_posts == 0
    assert peer.out_of_order == []
    for row in rows_of(referral):
        assert row.delivered_at is not None
        assert row.attempts == 1
        assert row.last_status_code == 201
        assert row.last_error == ""
    assert list(undelivered_case_updates()) == []


def test_the_post_carries_the_records_headers(world, peer, sim):
    """What goes over the wire, read by a plain receiver in place of the simulator's peer."""
    seen = []

    class Recorder(type(peer)):
        def handle(self, request):
            seen.append(request)
            return super().handle(request)

    recorder = Recorder(api_key=API_KEY, signing_secret=SECRET)
    recorder.prefix = "/recorder"
    sim.mount(recorder)
    CaseSystem.objects.filter(pk=world.council.pk).update(base_url=f"{sim.url}/recorder/")
    recorder.add_referral({"external_id": "CM/7 a"})
    referral = system_referral(world, peer)
    type(referral).objects.filter(pk=referral.pk).update(external_id="CM/7 a")
    referral.refresh_from_db()
    row = case_updates.case_update_queue(
        referral=referral, event="acknowledged", at=now(), details={}
    )

    assert case_update_attempt(row.pk) == (Outcome.DELIVERED, None)

    [request] = seen
    assert request.path == "/referrals/CM%2F7%20a/updates"
    headers = request.headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["idempotency-key"] == row.key
    assert headers["x-carebridge-event"] == "acknowledged"
    assert headers["content-type"] == "application/json"
    digest = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert headers["x-carebridge-signature"] == f"sha256={digest}"
    assert json.loads(request.body) == row.payload
    assert recorder.updates_for("CM/7 a")[0]["sequence"] == 1


def test_a_failure_is_tried_again_and_later_rows_wait_without_counting_a_try(
    world, peer, sim, django_capture_on_commit_callbacks
):
    referral = system_referral(world, peer)
    sim.faults.failure_rate = 1.0

    with django_capture_on_commit_callbacks(execute=True):
        referral = accept(world, referral)
        referral = delay(world, referral)
        referral = update(world, referral)

    first, second, third = rows_of(referral)
    assert first.attempts == 1
    assert first.last_status_code == 500
    assert "500" in first.last_error
    assert timedelta(seconds=50) < first.next_attempt_at - now() <= timedelta(minutes=1)
    assert not first.gave_up
    for waiting in (second, third):
        assert waiting.attempts == 0
        assert waiting.last_error == ""
        assert case_update_held_by(waiting) == first
    assert case_update_attempt(second.pk) == (Outcome.WAITING, None)
    assert peer.updates == []

    sim.faults.failure_rate = 0.0
    assert run_due_retries(django_capture_on_commit_callbacks) == 1

    assert [u["event"] for u in peer.updates_for(referral.external_id)] == [
        "accepted",
        "delayed",
        "updated",
    ]
    first, second, third = rows_of(referral)
    assert (first.attempts, second.attempts, third.attempts) == (2, 1, 1)
    assert all(row.delivered_at is not None for row in (first, second, third))
    assert first.last_error == ""
    assert peer.out_of_order == []
    assert run_due_retries(django_capture_on_commit_callbacks) == 0


def test_a_post_taken_whose_answer_was_lost_is_delivered_once(
    world, peer, sim, django_capture_on_commit_callbacks
):
    referral = system_referral(world, peer)
    sim.faults.after_rate = 1.0  # the system takes the update, then answers 500

    with django_capture_on_commit_callbacks(execute=True):
        referral = accept(world, referral)

    [row] = rows_of(referral)
    assert row.delivered_at is None
    assert len(peer.updates) == 1
    sim.faults.after_rate = 0.0
    run_due_retries(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.delivered_at is not None
    assert row.last_status_code == 409  # "duplicate": the system had it already
    assert peer.duplicate_posts == 1
    assert len(peer.updates_for(referral.external_id)) == 1


def test_a_slow_system_is_tried_again(
    world, peer, sim, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(case_updates, "TIMEOUT_SECONDS", 0.3)
    sim.faults.timeout_rate = 1.0
    sim.faults.timeout_seconds = 1.0
    referral = system_referral(world, peer)

    with django_capture_on_commit_callbacks(execute=True):
        referral = accept(world, referral)

    [row] = rows_of(referral)
    assert "did not answer within 0.3 seconds" in row.last_error
    assert row.claimed_at is None
    assert not row.gave_up
    sim.faults.timeout_rate = 0.0
    run_due_retries(django_capture_on_commit_callbacks)
    row.refresh_from_db()
    assert row.delivered_at is not None


def test_a_refused_update_is_given_up_and_holds_the_later_ones_until_support_retries(
    world, peer, django_capture_on_commit_callbacks
):
    referral = system_referral(world, peer)
    CaseSystem.objects.filter(pk=world.council.pk).update(api_key="a-key-the-system-refuses")

    with django_capture_on_commit_callbacks(execute=True):
        referral = accept(world, referral)
        referral = delay(world, referral)
        referral = update(world, referral)

    first, second, third = rows_of(referral)
    assert first.gave_up
    assert first.attempts == 1
    assert first.last_status_code == 401
    assert run_due_retries(django_capture_on_commit_callbacks) == 0  # a refusal is final
    assert Event.objects.filter(action="case_update.gave_up", council=world.council).count() == 1
    # Held, not failed: no tries, not given up even days later, and not in the sweep.
    later = now() + timedelta(days=3)
    assert case_updates_give_up(later) == 0
    assert case_updates_due(later) == []
    for held in (second, third):
        held.refresh_from_db()
        assert (held.attempts, held.gave_up) == (0, False)
    log = list(undelivered_case_updates(world.council))
    assert log == [third, second, first]
    assert [row.held_by for row in log] == [1, 1, None]

    # The council mends its key; support sends the refused update again.
    CaseSystem.objects.filter(pk=world.council.pk).update(api_key=API_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        assert case_update_retry(update=first, by=world.broker) is True

    assert [u["event"] for u in peer.updates_for(referral.external_id)] == [
        "accepted",
        "delayed",
        "updated",
    ]
    assert all(row.delivered_at is not None for row in rows_of(referral))
    retried = Event.objects.get(action="case_update.retried")
    assert retried.actor == world.broker
    assert retried.council_id == world.council.pk
    assert list(undelivered_case_updates()) == []
    assert case_update_retry(update=first, by=world.broker) is False


def test_support_retry_gives_the_held_rows_their_time_afresh(world, peer):
    referral = system_referral(world, peer)
    CaseSystem.objects.filter(pk=world.council.pk).update(api_key="refused")
    referral = accept(world, referral)
    referral = delay(world, referral)
    first, second = rows_of(referral)
    case_update_attempt(first.pk)
    three_days_ago = now() - timedelta(days=3)
    CaseUpdate.objects.filter(referral=referral).update(created_at=three_days_ago)

    case_update_retry(update=CaseUpdate.objects.get(pk=first.pk), by=None)

    second.refresh_from_db()
    assert second.retried_at is not None
    # Made three days ago but sent again now: the sweep does not give it up for its age.
    assert case_updates_give_up() == 0


def test_an_update_failing_every_time_is_given_up_after_the_last_try(world, peer, sim):
    referral = accept(world, system_referral(world, peer))
    [row] = rows_of(referral)
    CaseUpdate.objects.filter(pk=row.pk).update(attempts=MAX_ATTEMPTS - 1)
    sim.faults.failure_rate = 1.0

    assert case_update_attempt(row.pk) == (Outcome.FAILED, None)

    row.refresh_from_db()
    assert row.gave_up
    assert row.attempts == MAX_ATTEMPTS


def test_nothing_is_sent_unsigned(world, peer):
    CaseSystem.objects.filter(pk=world.council.pk).update(signing_secret="")
    referral = accept(world, system_referral(world, peer))
    [row] = rows_of(referral)

    assert case_update_attempt(row.pk) == (Outcome.FAILED, None)

    row.refresh_from_db()
    assert "no signing secret" in row.last_error
    assert peer.updates == []


def test_without_the_test_allowance_it_never_posts_to_this_machine(world, peer, settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    referral = accept(world, system_referral(world, peer))
    [row] = rows_of(referral)

    assert case_update_attempt(row.pk) == (Outcome.FAILED, None)

    row.refresh_from_db()
    assert "cannot be used" in row.last_error
    assert peer.updates == []


def test_nothing_is_lost_while_the_system_is_down(
    world, peer, sim, django_capture_on_commit_callbacks
):
    port = int(sim.url.rsplit(":", 1)[1])
    referrals = [system_referral(world, peer) for _ in range(3)]
    sim.stop()  # the council's system goes down

    with django_capture_on_commit_callbacks(execute=True):
        referrals = [accept(world, r) for r in referrals]
        referrals = [delay(world, r) for r in referrals]

    assert all(
        "could not be reached" in r.last_error for r in CaseUpdate.objects.filter(sequence=1)
    )
    assert not CaseUpdate.objects.filter(gave_up=True).exists()
    assert HUEY.scheduled_count() == 3  # the first of each referral; the rest wait behind it

    with Simulator(peer, port=port):  # back up, where it was
        while run_due_retries(django_capture_on_commit_callbacks):
            pass

    for referral in referrals:
        assert [u["event"] for u in peer.updates_for(referral.external_id)] == [
            "accepted",
            "delayed",
        ]
    assert not CaseUpdate.objects.filter(delivered_at__isnull=True).exists()
    assert peer.duplicate_posts == 0
    assert peer.out_of_order == []


def test_the_sweep_delivers_what_a_lost_task_left_behind_in_order(
    world, peer, django_capture_on_commit_callbacks
):
    referral = system_referral(world, peer)
    # Written, but their tasks never ran (a broker outage): the sweep finds them.
    referral = accept(world, referral)
    referral = delay(world, referral)
    CaseUpdate.objects.update(created_at=now() - timedelta(minutes=20))

    # Only the first is due: the second waits for it.
    [first_id] = case_updates_due()
    assert sweep(django_capture_on_commit_callbacks) == 1

    assert [u["event"] for u in peer.updates_for(referral.external_id)] == ["accepted", "delayed"]
    assert CaseUpdate.objects.get(pk=first_id).sequence == 1


def test_under_random_failures_every_update_arrives_once_in_order(
    world, peer, sim, django_capture_on_commit_callbacks
):
    sim.faults.failure_rate = 0.3
    sim.faults.after_rate = 0.1
    referrals = [system_referral(world, peer) for _ in range(6)]

    with django_capture_on_commit_callbacks(execute=True):
        for referral in referrals:
            answer_all(world, referral)
    for _ in range(60):
        if not run_due_retries(django_capture_on_commit_callbacks) and not sweep(
            django_capture_on_commit_callbacks
        ):
            break

    assert not CaseUpdate.objects.filter(delivered_at__isnull=True).exists()
    assert len(peer.updates) == 24
    assert len({u["key"] for u in peer.updates}) == 24
    for referral in referrals:
        assert [u["sequence"] for u in peer.updates_for(referral.external_id)] == [1, 2, 3, 4]
    assert peer.out_of_order == []
    assert sim.requests > 24  # some failed and were tried again
