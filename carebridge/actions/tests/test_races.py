"""An action's status moves by its TRANSITIONS table, one compare-and-set: a post on an action
someone else has just closed is refused and writes nothing, and officers closing one action at
the same moment close it once."""

import threading

import pytest
from django.db import connection

from carebridge.actions import services
from carebridge.actions.choices import TRANSITIONS, ActionStatus, PostKind
from carebridge.actions.models import Action, Post
from carebridge.core.calendar import now
from tests.support import make_user, run_together


@pytest.mark.django_db
def test_every_post_needs_the_action_open_and_only_the_councils_closure_closes_it():
    assert all(TRANSITIONS.sources(kind) == {ActionStatus.OPEN} for kind in TRANSITIONS)
    assert TRANSITIONS.events_from(ActionStatus.CLOSED) == []
    assert {kind: TRANSITIONS.target(kind) for kind in TRANSITIONS} == {
        PostKind.COMMENT: ActionStatus.OPEN,
        PostKind.REPLY: ActionStatus.OPEN,
        PostKind.CLOSURE_REQUESTED: ActionStatus.OPEN,
        PostKind.CLOSED: ActionStatus.CLOSED,
    }


@pytest.mark.django_db
def test_an_action_closed_since_it_was_read_takes_no_change(world):
    action = world.raise_action()
    services.action_post(by=world.payments_officer, action=action, kind=PostKind.CLOSED, text="")
    # What a post read as open a moment before would write now: nothing.
    moved = TRANSITIONS.move(Action, action.pk, PostKind.COMMENT, last_post_at=now())
    assert not moved
    closed = Action.objects.get(pk=action.pk)
    assert closed.status == ActionStatus.CLOSED and closed.last_post_at < now()
    with pytest.raises(services.ActionRefused) as refused:
        services.action_post(by=world.carer, action=action, kind=PostKind.COMMENT, text="More")
    assert refused.value.message == services.CLOSED_MESSAGE
    assert Post.objects.filter(action=action).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_officers_closing_an_action_at_once_close_it_once(world):
    action = world.raise_action()
    officers = [make_user(council=world.council, role="payments_officer") for _ in range(5)]
    queue = iter(officers)
    lock = threading.Lock()

    def close() -> object:
        with lock:
            officer = next(queue)
        try:
            return services.action_post(by=officer, action=action, kind=PostKind.CLOSED, text="")
        except services.ActionRefused as refusal:
            return refusal

    outcomes = run_together(close, len(officers))
    refusals = [o for o in outcomes if isinstance(o, services.ActionRefused)]
    assert len(refusals) == len(officers) - 1
    assert {refusal.message for refusal in refusals} == {services.CLOSED_MESSAGE}
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert Post.objects.filter(action=action, kind=PostKind.CLOSED).count() == 1
