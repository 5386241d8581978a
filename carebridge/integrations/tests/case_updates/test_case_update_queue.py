"""Queueing a referral's changes for the council's case-management system: one row per change in
the change's own transaction (nothing for a change rolled back), numbered in order per referral,
the documented body, and nothing for a referral the system did not send or a council that sends
no updates."""

from datetime import timedelta

import pytest
from django.db import transaction

from carebridge.core.calendar import now
from carebridge.integrations.case_updates import case_update_queue
from carebridge.integrations.models import CaseSystem, CaseUpdate
from carebridge.integrations.tests.case_updates.support import (
    accept,
    council_referral,
    delay,
    system_referral,
    update,
)
from carebridge.referrals import services

pytestmark = pytest.mark.django_db


def test_each_answer_is_one_row_in_sequence_with_the_documented_body(world, peer):
    referral = system_referral(world, peer)
    # The referral arriving is not an update: the system sent it.
    assert CaseUpdate.objects.count() == 0

    referral = accept(world, referral)
    referral = delay(world, referral)
    referral = update(world, referral)

    rows = list(CaseUpdate.objects.order_by("sequence"))
    assert [(r.sequence, r.event) for r in rows] == [
        (1, "accepted"),
        (2, "delayed"),
        (3, "updated"),
    ]
    assert [r.key for r in rows] == [f"referral-{referral.pk}-{n}" for n in (1, 2, 3)]
    assert {r.council_id for r in rows} == {world.council.pk}
    accepted = rows[0].payload
    assert accepted["schema"] == "carebridge.referral-update"
    assert accepted["schema_version"] == 1
    assert accepted["event"] == "accepted"
    assert accepted["sequence"] == 1
    assert accepted["at"].endswith("Z")
    assert accepted["referral"]["id"] == referral.pk
    assert accepted["referral"]["external_id"] == referral.external_id
    assert accepted["referral"]["status"] == "accepted"
    assert accepted["referral"]["received_at"] == referral.received_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert accepted["referral"]["respond_by"].endswith("Z")
    # What the provider submitted with the answer.
    assert accepted["details"]["first_visit_at"].startswith(
        rows[0].payload["referral"]["first_visit_at"][:10]
    )
    # The delay says the new first visit, and the referral as the delay left it.
    delayed = rows[1].payload
    assert delayed["details"]["delay_count"] == 1
    assert delayed["referral"]["first_visit_at"] != accepted["referral"]["first_visit_at"]
    assert rows[2].payload["referral"]["status"] == "updated"
    for row in rows:
        assert row.delivered_at is None  # nothing is posted before the change commits


def test_a_change_rolled_back_queues_nothing(world, peer):
    referral = system_referral(world, peer)

    with pytest.raises(RuntimeError), transaction.atomic():
        accept(world, referral)
        # Inside the change's transaction the row is there, with the change...
        assert CaseUpdate.objects.filter(referral=referral, event="accepted").exists()
        raise RuntimeError("the request failed after the answer was written")

    # ...and gone with it.
    assert CaseUpdate.objects.count() == 0
    referral.refresh_from_db()
    assert referral.status == "pending"
    assert peer.updates == []


def test_a_repeat_of_an_answer_already_given_queues_nothing_more(world, peer):
    first_visit = now() - timedelta(days=4)
    referral = accept(world, system_referral(world, peer), first_visit)

    accept(world, referral, first_visit)  # a double click: the service does nothing again

    assert CaseUpdate.objects.filter(referral=referral).count() == 1


def test_a_withdrawal_by_the_council_is_sent_too(world, peer):
    referral = system_referral(world, peer)

    services.referral_withdraw(referral=referral, by=world.broker, reason="Moved away")

    [row] = CaseUpdate.objects.all()
    assert row.event == "withdrawn"
    assert row.payload["details"] == {"withdrawal_reason": "Moved away"}


def test_the_pollers_acknowledgement_comes_first(world, peer):
    referral = system_referral(world, peer)
    details = {"received_at": referral.received_at.isoformat()}

    row = case_update_queue(referral=referral, event="acknowledged", at=now(), details=details)
    accept(world, referral)

    assert row is not None
    assert list(CaseUpdate.objects.order_by("sequence").values_list("sequence", "event")) == [
        (1, "acknowledged"),
        (2, "accepted"),
    ]


def test_nothing_is_queued_for_a_referral_the_system_did_not_send(world):
    referral = council_referral(world)

    accept(world, referral)

    assert CaseUpdate.objects.count() == 0


def test_nothing_is_queued_when_the_council_sends_no_updates(world, peer):
    CaseSystem.objects.filter(pk=world.council.pk).update(updates_enabled=False)

    accept(world, system_referral(world, peer))

    assert CaseUpdate.objects.count() == 0


def test_nothing_is_queued_for_a_council_without_a_system(world, peer):
    referral = system_referral(world, peer)
    CaseSystem.objects.filter(pk=world.council.pk).delete()

    accept(world, referral)

    assert CaseUpdate.objects.count() == 0


def test_an_event_the_system_does_not_take_is_refused(world, peer):
    referral = system_referral(world, peer)
    with pytest.raises(ValueError, match="case-management"):
        case_update_queue(referral=referral, event="added", at=now(), details={})
