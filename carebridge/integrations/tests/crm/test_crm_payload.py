"""What a CRM push carries and where it may go: the documented payload, nothing of another
council, always signed, and never to this machine or an address that now resolves to it."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from carebridge.frontdoor.choices import About, Asker, Result
from carebridge.frontdoor.requests.crm import crm_payload
from carebridge.integrations.tests.crm.crm_support import ANSWERS, make_request, push, with_crm
from tests.support import make_council

pytestmark = pytest.mark.django_db


# --- The payload -----------------------------------------------------------------------------


def test_the_payload_says_what_an_officer_needs_in_a_documented_shape(council):
    submitted = datetime(2026, 7, 6, 9, 15, 30, tzinfo=UTC)  # 10:15 in London, summer time
    request = make_request(council, submitted_at=submitted, urgent=True)

    payload = crm_payload(request)

    assert payload["schema"] == "carebridge.front-door-request"
    assert payload["schema_version"] == 1
    assert payload["event"] == "submitted"
    assert payload["council"] == {"slug": council.slug, "name": "Wrekinshire Council"}
    assert payload["reference"] == request.reference
    assert payload["submitted_at"] == "2026-07-06T09:15:30Z"
    assert payload["status"] == {"code": "received", "label": "Received"}
    assert payload["route"] == {"code": "queue", "label": "Sent to the council"}
    assert payload["result"] == {"code": "likely_eligible", "label": "Likely eligible"}
    assert payload["urgent"] is True
    assert payload["asked_by"] == {
        "type": "professional",
        "type_label": Asker.PROFESSIONAL.label,
        "name": "Priya Nurse",
        "organisation": "Riverside Surgery",
        "role": "Practice nurse",
        "email": "priya.nurse@example.org",
        "phone": "01632 960 111",
    }
    assert payload["about"] == {"code": "adult", "label": About.ADULT.label}
    assert payload["person"] == {
        "name": "Edith Marlow",
        "date_of_birth": "1941-03-03",
        "postcode": "TF3 4NB",
        "email": "",
        "phone": "01632 960 222",
    }
    assert payload["consent_to_share"] is True
    assert payload["answer_codes"] == ANSWERS
    hygiene = next(row for row in payload["answers"] if row["question_id"] == "adult_hygiene")
    assert hygiene["question"] == "Personal hygiene"
    assert hygiene["section"]
    assert "help" in hygiene["answer"]
    assert payload["assessment"]["ruleset_version"] == request.ruleset_version
    assert payload["assessment"]["reasons"] == request.assessment["reasons"]
    assert payload["assessment"]["reasons"]
    # Plain JSON: it is stored and posted as it is.
    assert json.loads(json.dumps(payload)) == payload
    assert payload["result"]["code"] == Result.LIKELY_ELIGIBLE


def test_each_council_gets_its_own_requests_only_signed_with_its_own_secret(
    server, council, django_capture_on_commit_callbacks
):
    other = make_council("Quillinghurst Metropolitan Council")
    with_crm(other, server.url("/other-crm"), secret="the-other-councils-secret")
    ours = make_request(council)
    theirs = make_request(other, person_name="Zephyrine Oddfellow", asker_name="Ulric Thorne")

    push(ours, django_capture_on_commit_callbacks)
    push(theirs, django_capture_on_commit_callbacks)

    [our_post] = server.posts("/crm/requests")
    [their_post] = server.posts("/other-crm")
    body = our_post["body"].decode()
    for marker in ("Quillinghurst", "Zephyrine", "Ulric", theirs.reference, other.slug):
        assert marker not in body
    assert json.loads(body)["reference"] == ours.reference
    signed = hmac.new(b"the-other-councils-secret", their_post["body"], hashlib.sha256)
    assert their_post["headers"]["X-Carebridge-Signature"] == f"sha256={signed.hexdigest()}"


def test_it_never_posts_without_a_signing_secret(server, django_capture_on_commit_callbacks):
    council = make_council()
    with_crm(council, server.url(), secret="")

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    assert server.posts() == []
    delivery.refresh_from_db()
    assert delivery.gave_up
    assert "no signing secret" in delivery.last_error


def test_without_the_test_allowance_it_never_posts_to_this_machine(
    server, council, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    assert server.posts() == []
    delivery.refresh_from_db()
    assert delivery.gave_up
    assert "cannot be used" in delivery.last_error


def test_it_refuses_at_send_time_an_address_saved_before_the_guard(
    django_capture_on_commit_callbacks,
):
    council = make_council()
    # Saved straight into the table (as rows from before the guard were): checked on sending.
    with_crm(council, "https://169.254.169.254/latest/meta-data/")

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.gave_up
    assert "169.254.169.254" in delivery.last_error


def test_it_refuses_a_webhook_whose_name_now_resolves_to_loopback(
    server, settings, monkeypatch, django_capture_on_commit_callbacks
):
    import socket

    from carebridge.core import outbound

    settings.OUTBOUND_ALLOW_LOOPBACK = False
    settings.DEBUG = True  # plain http to a public name, so only the name's address is wrong
    real = socket.getaddrinfo
    monkeypatch.setattr(
        outbound.socket,
        "getaddrinfo",
        lambda host, port, *a, **k: real(
            "127.0.0.1" if host == "crm.example.org" else host, port, *a, **k
        ),
    )
    council = make_council()
    port = server.server.server_address[1]
    with_crm(council, f"http://crm.example.org:{port}/crm/requests")

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    assert server.posts() == []
    delivery.refresh_from_db()
    assert delivery.gave_up
    assert "resolves to 127.0.0.1" in delivery.last_error
