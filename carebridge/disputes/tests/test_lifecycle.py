"""Every status and event of the dispute's table: the move it makes, the repeat that changes
nothing, or the refusal; and who may make each."""

import pytest
from django.core.exceptions import ValidationError

from carebridge.disputes import services
from carebridge.disputes.choices import TRANSITIONS, DisputeEvent, DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow
from carebridge.disputes.selectors import open_disputed_actual_ids
from carebridge.disputes.tests.conftest import dispute_events
from tests.support import make_user

pytestmark = pytest.mark.django_db

S, E = DisputeStatus, DisputeEvent
REPEAT = "repeat"
RESOLVED_ALREADY = "You cannot request resolution of a dispute that has already been resolved"

# What each event does in each status: the status it moves to, a repeat, or the refusal's words.
EXPECTED = {
    (S.IN_DISPUTE, E.REQUEST_RESOLUTION): S.RESOLUTION_REQUESTED,
    (S.IN_DISPUTE, E.RESOLVE): S.RESOLVED,
    (S.IN_DISPUTE, E.REOPEN): REPEAT,
    (S.RESOLUTION_REQUESTED, E.REQUEST_RESOLUTION): REPEAT,
    (S.RESOLUTION_REQUESTED, E.RESOLVE): S.RESOLVED,
    (S.RESOLUTION_REQUESTED, E.REOPEN): S.IN_DISPUTE,
    (S.RESOLVED, E.REQUEST_RESOLUTION): RESOLVED_ALREADY,
    (S.RESOLVED, E.RESOLVE): REPEAT,
    (S.RESOLVED, E.REOPEN): "A resolved dispute cannot be reopened",
}


def happen(world, dispute, event):
    if event == E.REQUEST_RESOLUTION:
        return services.dispute_request_resolution(
            by=world.carer, dispute=dispute, response="Amended: the visit was on 14/1."
        )
    if event == E.RESOLVE:
        return services.dispute_resolve(by=world.payments_officer, dispute=dispute, note="Fine.")
    return services.dispute_reopen(
        by=world.payments_officer, dispute=dispute, note="The visit times still do not match."
    )


def test_the_expected_outcomes_are_the_table():
    for (status, event), outcome in EXPECTED.items():
        if TRANSITIONS.allows(status, event):
            assert outcome == TRANSITIONS.target(event)
        elif status == TRANSITIONS.target(event):
            assert outcome == REPEAT
        else:
            assert outcome not in S.values


@pytest.mark.parametrize(("status", "event"), list(EXPECTED))
def test_every_event_in_every_status(disputing, status, event):
    dispute = disputing.in_status(status)
    events = dispute_events()
    before = Dispute.objects.values().get(pk=dispute.pk)
    outcome = EXPECTED[(status, event)]
    if outcome == REPEAT:
        assert happen(disputing.world, dispute, event).status == status
        assert Dispute.objects.values().get(pk=dispute.pk) == before
        assert dispute_events() == events
    elif outcome in S.values:
        moved = happen(disputing.world, dispute, event)
        assert moved.status == outcome
        assert Dispute.objects.get(pk=dispute.pk).status == outcome
        assert dispute_events() == events + 1
    else:
        with pytest.raises(services.DisputeRefused) as refused:
            happen(disputing.world, dispute, event)
        assert refused.value.message.startswith(outcome)
        assert Dispute.objects.values().get(pk=dispute.pk) == before
        assert dispute_events() == events


def test_it_keeps_the_response_and_stamps_who_requested_resolution(disputing):
    w = disputing.world
    dispute = services.dispute_request_resolution(
        by=w.carer, dispute=disputing.raise_(), response="  Amended to 12 hours.  "
    )
    assert dispute.response == "Amended to 12 hours."
    assert dispute.resolution_requested_by == w.carer
    assert dispute.resolution_requested_at is not None


def test_reopening_keeps_the_note_and_the_rows_held(disputing):
    w = disputing.world
    dispute = disputing.in_status(S.RESOLUTION_REQUESTED)
    dispute = services.dispute_reopen(by=w.broker, dispute=dispute, note="Still short.")
    assert (dispute.status, dispute.reopen_note, dispute.reopened_by) == (
        S.IN_DISPUTE,
        "Still short.",
        w.broker,
    )
    held = open_disputed_actual_ids(council_id=w.council.pk)
    assert held == {row.pk for row in disputing.rows}


def test_resolving_releases_the_rows(disputing):
    w = disputing.world
    dispute = disputing.in_status(S.RESOLUTION_REQUESTED)
    services.dispute_resolve(by=w.payments_officer, dispute=dispute, note="Agreed.")
    assert open_disputed_actual_ids(council_id=w.council.pk) == set()
    assert not DisputeRow.objects.filter(dispute=dispute, open=True).exists()


def test_it_refuses_a_request_without_a_response(disputing):
    dispute = disputing.raise_()
    with pytest.raises(ValidationError) as refused:
        services.dispute_request_resolution(by=disputing.world.carer, dispute=dispute, response=" ")
    assert refused.value.message_dict == {"response": ["Enter your response"]}
    assert Dispute.objects.get(pk=dispute.pk).status == S.IN_DISPUTE


def test_it_refuses_a_reopen_without_a_note(disputing):
    dispute = disputing.in_status(S.RESOLUTION_REQUESTED)
    with pytest.raises(ValidationError):
        services.dispute_reopen(by=disputing.world.payments_officer, dispute=dispute, note="")
    assert Dispute.objects.get(pk=dispute.pk).status == S.RESOLUTION_REQUESTED


def test_it_refuses_a_decision_on_a_dispute_changed_since_seen(disputing, clock):
    w = disputing.world
    seen = disputing.in_status(S.RESOLUTION_REQUESTED)
    services.dispute_reopen(by=w.broker, dispute=seen, note="Still short.")
    clock.move(minutes=1)
    services.dispute_request_resolution(by=w.carer, dispute=seen, response="Now 12.")
    with pytest.raises(services.DisputeRefused) as refused:
        services.dispute_reopen(by=w.payments_officer, dispute=seen, note="No.", as_seen=True)
    assert refused.value.message == services.CHANGED_SINCE_SEEN


@pytest.mark.parametrize("who", ["read_only", "stranger", "payments_officer"])
def test_it_refuses_a_request_from_anyone_but_the_providers_editor(disputing, who):
    dispute = disputing.raise_()
    with pytest.raises(services.DisputeRefused):
        services.dispute_request_resolution(
            by=getattr(disputing.world, who), dispute=dispute, response="Done."
        )
    assert Dispute.objects.get(pk=dispute.pk).status == S.IN_DISPUTE


@pytest.mark.parametrize("who", ["carer", "other_officer", "front_door", "administrator"])
@pytest.mark.parametrize("event", [E.RESOLVE, E.REOPEN])
def test_only_the_councils_officers_resolve_or_reopen(disputing, who, event):
    w = disputing.world
    people = {
        "carer": w.carer,
        "other_officer": w.other_officer,
        "front_door": make_user(council=w.council, role="front_door_officer"),
        "administrator": make_user(council=w.council, role="council_administrator"),
    }
    dispute = disputing.in_status(S.RESOLUTION_REQUESTED)
    with pytest.raises(services.DisputeRefused):
        if event == E.RESOLVE:
            services.dispute_resolve(by=people[who], dispute=dispute)
        else:
            services.dispute_reopen(by=people[who], dispute=dispute, note="No.")
    assert Dispute.objects.get(pk=dispute.pk).status == S.RESOLUTION_REQUESTED
