"""Anchors of the audit log's chain: the head is published off the database each night, and a
rewrite of the whole chain from some event on, which the chain alone cannot show, is caught by
checking the log against an anchor; an anchor older than what retention removed is reported,
not taken for a break."""

import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from carebridge.audit import anchors, chain
from carebridge.audit.models import Event
from carebridge.audit.services import record, remove_events_before
from carebridge.audit.tasks import audit_anchor_nightly
from carebridge.audit.tests.test_chain import five_events, tamper
from carebridge.core.calendar import now
from carebridge.core.logs import JsonLines
from carebridge.notifications.models import Notification

pytestmark = pytest.mark.django_db


def rewrite_from(event_id: int, detail: str) -> None:
    """What someone with write access to the database can do: change an event and recompute
    every hash from it to the head, each chaining to the one before, as `record` would have."""
    previous = Event.objects.filter(id__lt=event_id).order_by("-id").values("hash").first()
    previous_hash = previous["hash"] if previous else chain.GENESIS
    for row in Event.objects.filter(id__gte=event_id).order_by("id").values():
        if row["id"] == event_id:
            row["detail"] = {"n": 99, "seen": [1, 2]}
            tamper("UPDATE audit_event SET detail = %s WHERE id = %s", [detail, event_id])
        row["previous_hash"] = previous_hash
        row["hash"] = chain.hash_of(row)
        tamper(
            "UPDATE audit_event SET previous_hash = %s, hash = %s WHERE id = %s",
            [previous_hash, row["hash"], row["id"]],
        )
        previous_hash = row["hash"]


def verify(*args: str) -> list[str]:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def fails(*args: str) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit_verify", *args)
    assert failed.value.returncode == 1
    return str(failed.value)


def test_the_nightly_task_writes_the_head_to_the_security_log_and_emails_it_when_set(caplog):
    events = five_events()
    with caplog.at_level(logging.INFO, logger="carebridge.security"):
        assert audit_anchor_nightly.call_local() == f"{events[-1].pk}:{events[-1].hash}"
    line = JsonLines().format(caplog.records[-1])
    assert f'"anchor": "{events[-1].pk}:{events[-1].hash}"' in line
    assert f'"count": {Event.objects.count()}' in line and '"at": "' in line
    assert not Notification.objects.exists()  # no address set: the log only

    with override_settings(AUDIT_ANCHOR_EMAIL="records@council.example"):
        published = anchors.publish()
        anchors.publish()  # a second scheduler the same night: one e-mail
    mail = Notification.objects.get()
    assert mail.to_email == "records@council.example"
    assert published is not None and f"anchor: {published.anchor}" in mail.body


def test_an_empty_log_publishes_no_anchor():
    assert anchors.publish() is None


def test_a_whole_chain_rewritten_from_an_event_is_caught_by_the_anchor_published_before(
    tmp_path: Path, caplog
):
    events = five_events()
    with caplog.at_level(logging.INFO, logger="carebridge.security"):
        published = anchors.publish()
    assert published is not None
    log = tmp_path / "security.log"
    log.write_text(
        "\n".join(['{"message": "Request refused"}', *map(JsonLines().format, caplog.records)])
    )
    assert verify("--anchor", str(published.anchor)) == [
        f"chain intact: {Event.objects.count()} events",
        "anchors hold: 1 checked",
    ]

    rewrite_from(events[2].pk, '{"n": 99, "seen": [1, 2]}')

    assert verify() == [f"chain intact: {Event.objects.count()} events"]  # the chain alone
    message = fails("--anchor", str(published.anchor))
    assert f"anchor {published.anchor} no longer matches: event {events[-1].pk} has hash" in (
        message
    )
    assert fails("--anchors", str(log)) == message
    # An older anchor, before the rewritten part, still holds; the first in id order that
    # does not is the one reported.
    older = anchors.Anchor(events[1].pk, events[1].hash)
    assert verify("--anchor", str(older))[-1] == "anchors hold: 1 checked"
    before = anchors.Anchor(events[3].pk, events[3].hash)
    assert f"anchor {before} no longer matches" in fails(
        "--anchor", str(published.anchor), "--anchor", str(before), "--anchor", str(older)
    )


def test_an_anchor_past_the_head_is_a_break():
    events = five_events()
    gone = anchors.Anchor(events[-1].pk + 1, "a" * 64)
    assert f"event {gone.id} is missing" in fails("--anchor", str(gone))


def test_an_anchor_older_than_the_pruned_part_is_reported_not_taken_for_a_break():
    long_ago = now() - timedelta(days=3000)
    with mock.patch("carebridge.audit.services.now", return_value=long_ago):
        old = five_events()
    five_events()
    remove_events_before(now() - timedelta(days=2000), reason="Six years passed.")
    head = anchors.head()
    assert head is not None
    early = anchors.Anchor(old[1].pk, old[1].hash)
    last_removed = anchors.Anchor(old[-1].pk, old[-1].hash)
    lines = verify(*(f"--anchor={a}" for a in (early, last_removed, head.anchor)))
    assert lines[1:] == [
        "anchors hold: 2 checked",
        f"anchor {early} is older than the pruned part of the log (events up to "
        f"{old[-1].pk} were removed by retention): not checked",
    ]
    # The last removed event's hash is kept by the pruning: a forged one does not pass.
    forged = anchors.Anchor(old[-1].pk, "b" * 64)
    assert f"anchor {forged} no longer matches" in fails("--anchor", str(forged))


@pytest.mark.parametrize("argument", ["12", "12:xyz", "x:" + "a" * 64, "1:" + "a" * 65])
def test_a_malformed_anchor_is_refused(argument):
    record(action="test.happened")
    with pytest.raises(CommandError, match="Not an anchor") as failed:
        call_command("audit_verify", "--anchor", argument)
    assert failed.value.returncode == 2


def test_a_file_without_anchors_or_with_too_many_is_refused(tmp_path: Path):
    record(action="test.happened")
    empty = tmp_path / "empty.log"
    empty.write_text("no anchors here\n" + "x" * 100_000)
    with pytest.raises(CommandError, match="No anchor"):
        call_command("audit_verify", "--anchors", str(empty))
    many = tmp_path / "many.log"
    many.write_text("".join(f"{n}:{'c' * 64}\n" for n in range(anchors.MOST_ANCHORS + 1)))
    with pytest.raises(CommandError, match="More than"):
        call_command("audit_verify", "--anchors", str(many))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("audit_verify", "--anchors", str(tmp_path / "missing.log"))
