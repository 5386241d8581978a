"""The case-management peer taking Carebridge's updates over HTTP: once each (by Idempotency-Key),
in order per referral, signed when it has a secret, and what it counts when they are not."""

import json
import socket
import time
from urllib.error import URLError

import pytest

from carebridge.integrations.crm import signature
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.integrations.tests.simulator.conftest import KEY, call


def update(external_id, sequence, event="accepted", **overrides):
    return {
        "schema": "carebridge.referral-update",
        "schema_version": 1,
        "event": event,
        "sequence": sequence,
        "at": "2026-12-07T06:40:00Z",
        "referral": {"id": 12, "external_id": external_id, "status": "accepted"},
        "details": {},
        **overrides,
    }


def send(base, external_id, body, *, key_header="key-1", secret="", raw=None, **options):
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"X-Carebridge-Event": body.get("event", "") if isinstance(body, dict) else ""}
    if key_header is not None:
        headers["Idempotency-Key"] = key_header
    if secret:
        headers["X-Carebridge-Signature"] = signature(secret, data)
    return call(
        f"{base}/referrals/{external_id}/updates",
        method="POST",
        body=data,
        headers=headers,
        **options,
    )


@pytest.fixture
def referral(peer):
    return peer.add_referral(peer.referral_body(provider_id=1, district="Newark"))


def test_it_takes_updates_in_sequence_and_keeps_them_in_order(peer, base, referral):
    first = send(base, referral, update(referral, 1, "acknowledged"), key_header="k1")
    second = send(base, referral, update(referral, 2, "accepted"), key_header="k2")

    assert (first.status, first.body) == (201, {"id": "UPD-000001"})
    assert (second.status, second.body) == (201, {"id": "UPD-000002"})
    taken = peer.updates_for(referral)
    assert [(u["key"], u["event"], u["sequence"]) for u in taken] == [
        ("k1", "acknowledged", 1),
        ("k2", "accepted", 2),
    ]
    assert taken[0]["body"] == update(referral, 1, "acknowledged")
    assert taken[0]["external_id"] == referral
    assert taken[0]["received_at"] <= taken[1]["received_at"] <= time.monotonic()
    assert peer.updates == taken


def test_each_referral_counts_its_own_sequence(peer, base, referral):
    other = peer.add_referral(peer.referral_body(provider_id=1, district="Newark"))

    assert send(base, referral, update(referral, 1), key_header="a").status == 201
    assert send(base, other, update(other, 1), key_header="b").status == 201
    assert [u["external_id"] for u in peer.updates] == [referral, other]
    assert peer.updates_for(other)[0]["key"] == "b"


def test_an_update_needs_the_api_key(peer, base, referral):
    assert send(base, referral, update(referral, 1), key=None).status == 401
    assert send(base, referral, update(referral, 1), key="wrong").status == 401
    assert peer.updates == []


def test_an_update_needs_an_idempotency_key(peer, base, referral):
    answer = send(base, referral, update(referral, 1), key_header=None)

    assert (answer.status, answer.body) == (400, {"error": "idempotency_key_required"})
    assert peer.updates == []


def test_an_update_for_a_referral_never_in_the_feed_is_not_found(peer, base, referral):
    answer = send(base, "CM-999999", update("CM-999999", 1))

    assert (answer.status, answer.body["error"]) == (404, "unknown_referral")
    assert peer.updates == []


def test_an_id_with_a_slash_is_found_when_sent_encoded(peer, base):
    peer.add_referral(peer.referral_body(provider_id=1, district="Newark", external_id="MOS/7"))

    assert send(base, "MOS%2F7", update("MOS/7", 1)).status == 201
    assert peer.updates_for("MOS/7")[0]["sequence"] == 1


def test_a_key_taken_before_is_a_duplicate_and_not_taken_again(peer, base, referral):
    assert send(base, referral, update(referral, 1), key_header="same").status == 201

    again = send(base, referral, update(referral, 1), key_header="same")
    later = send(base, referral, update(referral, 2), key_header="same")

    assert (again.status, again.body) == (409, {"error": "duplicate", "key": "same"})
    assert later.status == 409
    assert peer.duplicate_posts == 2
    assert len(peer.updates) == 1


def test_an_update_out_of_sequence_is_refused_and_recorded(peer, base, referral):
    skipped = send(base, referral, update(referral, 2), key_header="k2")
    assert (skipped.status, skipped.body) == (409, {"error": "out_of_order", "expected": 1})

    assert send(base, referral, update(referral, 1), key_header="k1").status == 201
    assert send(base, referral, update(referral, 2), key_header="k2").status == 201
    repeated = send(base, referral, update(referral, 2), key_header="k2-again")
    assert (repeated.status, repeated.body) == (409, {"error": "out_of_order", "expected": 3})

    assert peer.out_of_order == [(referral, 1, 2), (referral, 3, 2)]
    assert [u["key"] for u in peer.updates] == ["k1", "k2"]


@pytest.mark.parametrize(
    ("raw", "body"),
    [
        (b"not json", {}),
        (None, ["a list"]),
        (None, update("CM-000001", 1, schema="something.else")),
        (None, update("CM-000001", 1, schema_version=2)),
        (None, update("CM-000001", 1, event="exploded")),
        (None, update("CM-000001", 0)),
        (None, update("CM-000001", "1")),
        (None, update("CM-000001", True)),
        (None, update("CM-000002", 1)),
        (None, update("CM-000001", 1, referral=None)),
        (None, update("CM-000001", 1, at=None)),
        (None, update("CM-000001", 1, details="text")),
    ],
)
def test_a_body_not_in_the_protocol_is_refused(peer, base, referral, raw, body):
    answer = send(base, referral, body, raw=raw)

    assert answer.status == 400
    assert answer.body["error"] == "bad_body"
    assert peer.updates == []
    assert peer.out_of_order == []


def test_the_event_header_must_name_the_body_event(peer, base, referral):
    data = json.dumps(update(referral, 1, "accepted")).encode()
    answer = call(
        f"{base}/referrals/{referral}/updates",
        method="POST",
        body=data,
        headers={"Idempotency-Key": "k", "X-Carebridge-Event": "refused"},
    )

    assert answer.status == 400
    assert peer.updates == []


@pytest.fixture
def signed(sim):
    peer = CaseManagement(api_key=KEY, signing_secret="s3cret")
    peer.prefix = "/signed"
    sim.mount(peer)
    referral = peer.add_referral(peer.referral_body(provider_id=1, district="Newark"))
    return peer, f"{sim.url}/signed", referral


def test_with_a_secret_it_takes_only_signed_updates(signed):
    peer, base, referral = signed

    unsigned = send(base, referral, update(referral, 1), key_header="k0")
    wrong = send(base, referral, update(referral, 1), key_header="k1", secret="guess")
    right = send(base, referral, update(referral, 1), key_header="k2", secret="s3cret")

    assert (unsigned.status, unsigned.body) == (401, {"error": "bad_signature"})
    assert wrong.status == 401
    assert right.status == 201
    assert peer.bad_signatures == 2
    assert [u["key"] for u in peer.updates] == ["k2"]


def test_a_signature_of_another_body_does_not_match(signed):
    peer, base, referral = signed
    data = json.dumps(update(referral, 1)).encode()
    answer = call(
        f"{base}/referrals/{referral}/updates",
        method="POST",
        body=data.replace(b"accepted", b"refused"),
        headers={"Idempotency-Key": "k", "X-Carebridge-Signature": signature("s3cret", data)},
    )

    assert answer.status == 401
    assert peer.bad_signatures == 1


# --- The simulator's faults, as a sender meets them ------------------------------------------


def test_a_failure_answers_500_and_takes_nothing(peer, sim, base, referral):
    sim.faults.failure_rate = 1.0

    answer = send(base, referral, update(referral, 1))
    assert (answer.status, answer.body) == (500, {"error": "simulated failure"})
    assert call(f"{base}/referrals").status == 500
    assert peer.updates == []

    sim.faults.failure_rate = 0.0
    assert send(base, referral, update(referral, 1)).status == 201


def test_a_failure_after_taking_it_makes_the_sender_send_again_and_get_a_duplicate(
    peer, sim, base, referral
):
    sim.faults.after_rate = 1.0
    first = send(base, referral, update(referral, 1), key_header="k1")
    sim.faults.after_rate = 0.0
    again = send(base, referral, update(referral, 1), key_header="k1")

    assert first.status == 500
    assert (again.status, again.body) == (409, {"error": "duplicate", "key": "k1"})
    assert len(peer.updates) == 1
    assert peer.duplicate_posts == 1


def test_a_timeout_drops_the_connection_and_takes_nothing(peer, sim, base, referral):
    sim.faults.timeout_rate = 1.0
    sim.faults.timeout_seconds = 0.3

    with pytest.raises((URLError, ConnectionError, socket.timeout)):
        send(base, referral, update(referral, 1), timeout=2)
    assert peer.updates == []


def test_a_slow_peer_answers_after_the_wait(sim, base, referral):
    sim.faults.slow_seconds = 0.4

    started = time.monotonic()
    answer = send(base, referral, update(referral, 1))

    assert answer.status == 201
    assert time.monotonic() - started >= 0.4


def test_a_sender_slower_than_its_timeout_gives_up_on_a_slow_peer(peer, sim, base, referral):
    sim.faults.slow_seconds = 1.0

    with pytest.raises((URLError, socket.timeout, TimeoutError)):
        send(base, referral, update(referral, 1), timeout=0.3)

    # The peer took it all the same: why the sender's retry carries the same key.
    deadline = time.monotonic() + 5
    while not peer.updates and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [u["sequence"] for u in peer.updates] == [1]
