"""The audit log as a hash chain: tampering, removal and reordering are each found at the
event where the chain first breaks, pruning keeps it verifiable, and on PostgreSQL the database
refuses changes and concurrent writers still make one chain."""

import threading
from datetime import timedelta
from unittest import mock

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from carebridge.audit import chain
from carebridge.audit.models import Event
from carebridge.audit.services import record, remove_events_before
from carebridge.core.calendar import now
from tests.support import make_council, run_together

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)


def five_events() -> list[Event]:
    council = make_council()
    return [
        record(action="test.happened", council=council, detail={"n": n, "seen": [1, 2]})
        for n in range(5)
    ]


def tamper(sql: str, params: list[object]) -> None:
    """Raw SQL past the ORM's guards and, on PostgreSQL, with the triggers switched off."""
    with (
        pgtrigger.ignore("audit.Event:protect_updates", "audit.Event:protect_deletes"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def verify_fails_at(event_id: int) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify")
    assert failed.value.returncode == 1
    message = str(failed.value)
    assert f"chain broken at event {event_id} " in message
    return message


def test_it_reports_an_intact_chain(capsys):
    events = five_events()
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == f"chain intact: {Event.objects.count()} events"
    assert events[0].previous_hash == chain.GENESIS or Event.objects.count() > 5
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]


def test_it_finds_a_changed_field_at_its_event():
    events = five_events()
    tamper("UPDATE audit_event SET actor_label = %s WHERE id = %s", ["Mallory", events[2].pk])
    message = verify_fails_at(events[2].pk)
    assert (
        f"hash expected {chain.hash_of(Event.objects.filter(pk=events[2].pk).values().get())}"
        in message
    )
    assert f"found {events[2].hash}" in message


def test_it_finds_a_changed_detail_even_with_its_hash_recomputed():
    events = five_events()
    row = Event.objects.filter(pk=events[1].pk).values().get()
    row["detail"] = {"n": 99, "seen": [1, 2]}
    forged = chain.hash_of(row)
    tamper(
        "UPDATE audit_event SET detail = %s, hash = %s WHERE id = %s",
        ['{"n": 99, "seen": [1, 2]}', forged, events[1].pk],
    )
    message = verify_fails_at(events[2].pk)
    assert f"previous hash expected {forged}, found {events[1].hash}" in message


def test_it_finds_a_removed_event_at_the_one_after_it():
    events = five_events()
    tamper("DELETE FROM audit_event WHERE id = %s", [events[2].pk])
    verify_fails_at(events[3].pk)


def test_it_finds_two_events_swapped_at_the_first_of_them():
    events = five_events()
    first, second = events[1].pk, events[2].pk
    tamper("UPDATE audit_event SET id = %s WHERE id = %s", [-1, first])
    tamper("UPDATE audit_event SET id = %s WHERE id = %s", [first, second])
    tamper("UPDATE audit_event SET id = %s WHERE id = %s", [second, -1])
    verify_fails_at(first)


def test_it_hashes_every_stored_field():
    stored = {field.attname for field in Event._meta.concrete_fields} - {"hash"}
    assert stored == set(chain.HASHED_FIELDS)


def test_it_removes_the_oldest_events_and_still_verifies_from_the_anchor(capsys):
    long_ago = now() - timedelta(days=3000)
    with mock.patch("carebridge.audit.services.now", return_value=long_ago):
        old = five_events()
    kept = five_events()
    removed = remove_events_before(now() - timedelta(days=2000), reason="Six years passed.")
    assert removed >= 5
    assert not Event.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert Event.objects.filter(pk__in=[e.pk for e in kept]).count() == 5
    pruning = Event.objects.get(action=chain.PRUNED)
    assert pruning.detail["through_id"] == old[-1].pk
    assert pruning.detail["through_hash"] == old[-1].hash
    assert pruning.detail["count"] == removed
    assert pruning.detail["reason"] == "Six years passed."
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == f"chain intact: {Event.objects.count()} events"
    assert remove_events_before(now() - timedelta(days=2000), reason="Again.") == 0


def test_it_finds_the_oldest_kept_events_removed_behind_the_anchors_back():
    long_ago = now() - timedelta(days=3000)
    with mock.patch("carebridge.audit.services.now", return_value=long_ago):
        five_events()
    kept = five_events()
    remove_events_before(now() - timedelta(days=2000), reason="Six years passed.")
    tamper("DELETE FROM audit_event WHERE id = %s", [kept[0].pk])
    verify_fails_at(kept[1].pk)


def test_it_removes_everything_older_and_chains_the_anchor_to_it(capsys):
    long_ago = now() - timedelta(days=3000)
    with mock.patch("carebridge.audit.services.now", return_value=long_ago):
        five_events()
    remove_events_before(now() - timedelta(days=1), reason="All of it.")
    assert list(Event.objects.values_list("action", flat=True)) == [chain.PRUNED]
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == "chain intact: 1 events"


def test_it_refuses_to_remove_events_from_the_future():
    with pytest.raises(ValueError, match="already past"):
        remove_events_before(now() + timedelta(days=1), reason="Oops.")


@pytest.mark.postgres
@on_postgres
def test_the_database_refuses_raw_updates_and_deletes():
    event = record(action="test.happened")
    for sql in (
        "UPDATE audit_event SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_event WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="pgtrigger: Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert Event.objects.get(pk=event.pk).action == "test.happened"
    with pytest.raises(DatabaseError), transaction.atomic():
        Event._base_manager.filter(pk=event.pk)._raw_delete(Event._base_manager.db)
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@on_postgres
def test_thirty_writers_at_once_make_one_unbroken_chain(capsys):
    council = make_council()
    numbers = iter(range(30))
    lock = threading.Lock()

    def write() -> Event:
        with lock:
            n = next(numbers)
        with transaction.atomic():
            event = record(action="test.concurrent", council=council, detail={"n": n})
            # Work after the event, as a service does, while others wait for the chain.
            Event.objects.filter(pk=event.pk).exists()
            return event

    events = run_together(write, 30)
    assert len({event.previous_hash for event in events}) == 30
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == f"chain intact: {Event.objects.count()} events"
