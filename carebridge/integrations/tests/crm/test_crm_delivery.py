"""Pushing front-door requests to a council's CRM: the signed JSON post to a real local server,
once per request and event, tried again while the CRM is down and not after it refuses, the
sweep and the give-up, support's command, and a payload with nothing of another council."""

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from itertools import count

import pytest
from django.core.management import call_command
from huey.contrib.djhuey import HUEY

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import About, Asker, RequestStatus, Result, Route
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from carebridge.frontdoor.requests.crm import crm_payload, crm_push_queue
from carebridge.integrations import crm, tasks
from carebridge.integrations.crm import (
    MAX_ATTEMPTS,
    CrmPushError,
    Outcome,
    WebhookAdapter,
    crm_deliveries_due,
    crm_deliveries_give_up,
    undelivered,
)
from carebridge.integrations.models import CrmDelivery
from tests.support import make_council

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-signing"
_numbers = count(1)
ANSWERS = {
    "asker": "professional",
    "professional_organisation": "Riverside Surgery",
    "professional_role": "Practice nurse",
    "about": "adult",
    "urgent": ["none"],
    "postcode": "TF3 4NB",
    "adult_impairment": "yes",
    "adult_fluctuates": "no",
    "adult_nutrition": ["needs_help"],
    "adult_hygiene": ["needs_help", "takes_longer"],
    "adult_significant_impact": "yes",
    "person_name": "Edith Marlow",
    "person_dob": "1941-03-03",
    "consent": "yes",
}


def make_request(council, **fields) -> FrontDoorRequest:
    """A request as the submit service leaves one in the council's queue."""
    moment = fields.pop("submitted_at", now())
    assessment = assess(ANSWERS)
    values = {
        "reference": f"FD-TEST-{next(_numbers):04d}",
        "status": RequestStatus.RECEIVED,
        "route": Route.QUEUE,
        "asker": Asker.PROFESSIONAL,
        "asker_name": "Priya Nurse",
        "asker_email": "priya.nurse@example.org",
        "asker_phone": "01632 960 111",
        "professional_organisation": "Riverside Surgery",
        "professional_role": "Practice nurse",
        "about": About.ADULT,
        "person_name": "Edith Marlow",
        "person_date_of_birth": date(1941, 3, 3),
        "person_phone": "01632 960 222",
        "postcode": "TF3 4NB",
        "consent_to_share": True,
        "answers": ANSWERS,
        "assessment": assessment.to_json(),
        "ruleset_version": assessment.version,
        "result": assessment.result,
        "urgent": assessment.urgent,
        "submitted_at": moment,
        "changed_at": moment,
        **fields,
    }
    return FrontDoorRequest.objects.create(council=council, **values)


class Crm:
    """A CRM on loopback: records each post; answers with the statuses planned, then 201."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.plan: list[int | float] = []  # a float: wait that many seconds, then answer 201
        crm_server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                crm_server.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                step = crm_server.plan.pop(0) if crm_server.plan else 201
                if isinstance(step, float):
                    time.sleep(step)
                    step = 201
                answer = (
                    {"reference": f"CRM-{len(crm_server.received)}"}
                    if step < 300
                    else {"error": "not today"}
                )
                try:
                    self.send_response(step)
                    if step in (301, 302, 307, 308):
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps(answer).encode())
                except OSError:
                    pass  # the client gave up waiting

            def do_GET(self):
                crm_server.received.append({"path": self.path, "headers": {}, "body": b""})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/crm/requests") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def posts(self, path: str | None = None) -> list[dict]:
        return [r for r in self.received if path is None or r["path"] == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    crm_server = Crm()
    yield crm_server
    crm_server.stop()


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The fake CRM runs on 127.0.0.1, which production never posts to: only tests allow it."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True


@pytest.fixture(autouse=True)
def empty_huey():
    HUEY.flush()
    yield
    HUEY.flush()


def run_due_retries() -> int:
    """Run the tries Huey has scheduled, as its consumer would once their time came."""
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=3)
    due = HUEY.read_schedule(later)
    for task in due:
        HUEY.execute(task, later)
    return len(due)


def with_crm(council, url: str, secret: str = SECRET) -> FrontDoorSettings:
    return FrontDoorSettings.objects.create(
        council=council, crm_webhook_url=url, crm_webhook_secret=secret
    )


@pytest.fixture
def council(server):
    council = make_council("Wrekinshire Council")
    with_crm(council, server.url())
    return council


def push(request, capture, event="submitted"):
    with capture(execute=True):
        return crm_push_queue(request=request, event=event)


# --- Delivering ------------------------------------------------------------------------------


def test_it_posts_the_request_once_signed_with_the_councils_secret(
    server, council, django_capture_on_commit_callbacks
):
    request = make_request(council)

    delivery = push(request, django_capture_on_commit_callbacks)

    [post] = server.posts()
    assert post["path"] == "/crm/requests"
    headers = post["headers"]
    assert headers["Content-Type"] == "application/json"
    expected = hmac.new(SECRET.encode(), post["body"], hashlib.sha256).hexdigest()
    assert headers["X-Carebridge-Signature"] == f"sha256={expected}"
    assert headers["X-Carebridge-Delivery"] == f"front-door-{request.pk}-submitted"
    assert headers["X-Carebridge-Event"] == "submitted"
    assert json.loads(post["body"]) == delivery.payload == crm_payload(request)
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.attempts == 1
    assert delivery.last_status_code == 201
    assert delivery.crm_reference == "CRM-1"
    assert delivery.last_error == ""
    assert list(undelivered()) == []


def test_it_pushes_a_request_and_event_only_once(
    server, council, django_capture_on_commit_callbacks
):
    request = make_request(council)

    first = push(request, django_capture_on_commit_callbacks)
    again = push(request, django_capture_on_commit_callbacks)
    # A task run twice (a retry racing the sweep) finds the row delivered.
    assert tasks.deliver_crm.call_local(first.pk) is False

    assert again is None
    assert CrmDelivery.objects.count() == 1
    assert len(server.posts()) == 1


def test_a_second_event_is_a_second_push(server, council, django_capture_on_commit_callbacks):
    request = make_request(council)

    push(request, django_capture_on_commit_callbacks)
    push(request, django_capture_on_commit_callbacks, event="assessment_asked")

    assert [p["headers"]["X-Carebridge-Delivery"] for p in server.posts()] == [
        f"front-door-{request.pk}-submitted",
        f"front-door-{request.pk}-assessment_asked",
    ]


def test_it_refuses_an_event_that_is_not_a_plain_word(council):
    with pytest.raises(ValueError, match="event"):
        crm_push_queue(request=make_request(council), event="Submitted!")


def test_it_tries_again_after_a_server_error_and_delivers(
    server, council, django_capture_on_commit_callbacks
):
    server.plan = [500]
    request = make_request(council)

    delivery = push(request, django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.delivered_at is None
    assert not delivery.gave_up
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert "500" in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert timedelta(seconds=50) < delivery.next_attempt_at - now() <= timedelta(minutes=1)
    assert list(undelivered()) == [delivery]

    assert run_due_retries() == 1

    first, second = server.posts()
    assert first["body"] == second["body"]
    assert first["headers"]["X-Carebridge-Delivery"] == second["headers"]["X-Carebridge-Delivery"]
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert delivery.crm_reference == "CRM-2"
    assert run_due_retries() == 0


def test_each_failure_waits_longer_before_the_next_try(
    server, council, django_capture_on_commit_callbacks
):
    server.plan = [503, 502, 500]
    delivery = push(make_request(council), django_capture_on_commit_callbacks)
    waits = []
    for _ in range(3):
        delivery.refresh_from_db()
        if delivery.next_attempt_at is not None:
            waits.append(round((delivery.next_attempt_at - now()).total_seconds() / 60))
        run_due_retries()

    assert waits == [1, 5, 15]
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.attempts == 4


def test_it_gives_up_at_once_when_the_crm_refuses_the_request(
    server, council, django_capture_on_commit_callbacks
):
    server.plan = [400]

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    assert run_due_retries() == 0
    assert len(server.posts()) == 1
    delivery.refresh_from_db()
    assert delivery.gave_up
    assert delivery.delivered_at is None
    assert delivery.last_status_code == 400
    assert "not today" in delivery.last_error
    assert crm_deliveries_due(now() + timedelta(hours=1)) == []
    assert list(undelivered()) == [delivery]
    event = Event.objects.get(action="crm_delivery.gave_up")
    assert event.council_id == council.pk


@pytest.mark.parametrize(
    ("status", "retried"),
    [
        (408, True),
        (429, True),
        (500, True),
        (503, True),
        (401, False),
        (403, False),
        (404, False),
        (410, False),
        (422, False),
    ],
)
def test_only_answers_that_may_pass_are_tried_again(server, status, retried):
    server.plan = [status]
    with pytest.raises(CrmPushError) as raised:
        WebhookAdapter(server.url(), SECRET).push({"event": "submitted"}, key="k")
    assert raised.value.retryable is retried
    assert raised.value.status_code == status


def test_a_redirect_is_not_followed_and_not_taken_for_delivery(server):
    server.plan = [302]
    with pytest.raises(CrmPushError) as raised:
        WebhookAdapter(server.url(), SECRET).push({"event": "submitted"}, key="k")
    assert raised.value.status_code == 302
    assert not raised.value.retryable
    assert [p["path"] for p in server.received] == ["/crm/requests"]


def test_it_tries_again_when_the_crm_does_not_answer_in_time(
    server, council, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(crm, "TIMEOUT_SECONDS", 0.3)
    server.plan = [1.5]

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.delivered_at is None
    assert not delivery.gave_up
    assert "did not answer within 0.3 seconds" in delivery.last_error
    assert delivery.last_status_code is None
    assert delivery.claimed_at is None
    assert run_due_retries() == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None


def test_it_tries_again_when_the_crm_cannot_be_reached(django_capture_on_commit_callbacks):
    council = make_council()
    closed = Crm()
    url = closed.url()
    closed.stop()
    with_crm(council, url)

    delivery = push(make_request(council), django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert "could not be reached" in delivery.last_error
    assert not delivery.gave_up
    assert HUEY.scheduled_count() == 1


def test_it_never_posts_personal_data_in_clear_to_another_host():
    with pytest.raises(CrmPushError, match="https") as raised:
        WebhookAdapter("http://crm.example.org/hook", SECRET).push({}, key="k")
    assert not raised.value.retryable


def test_it_gives_up_after_the_last_attempt(server, council, django_capture_on_commit_callbacks):
    server.plan = [500]
    request = make_request(council)
    delivery = CrmDelivery.objects.create(
        council=council,
        request=request,
        event="submitted",
        key="front-door-x-submitted",
        payload=crm_payload(request),
        created_at=now(),
        attempts=MAX_ATTEMPTS - 1,
    )

    assert crm.crm_delivery_attempt(delivery.pk) == (Outcome.FAILED, None)

    delivery.refresh_from_db()
    assert delivery.gave_up
    assert delivery.attempts == MAX_ATTEMPTS


# --- What is and is not queued ---------------------------------------------------------------


def test_nothing_is_queued_for_a_council_without_a_crm(server, django_capture_on_commit_callbacks):
    without_settings = make_council()
    with_blank_url = make_council()
    FrontDoorSettings.objects.create(council=with_blank_url, crm_webhook_secret=SECRET)

    for each in (without_settings, with_blank_url):
        assert push(make_request(each), django_capture_on_commit_callbacks) is None

    assert CrmDelivery.objects.count() == 0
    assert server.posts() == []


def test_nothing_is_queued_without_consent_to_share(
    server, council, django_capture_on_commit_callbacks
):
    request = make_request(council, consent_to_share=False)

    assert push(request, django_capture_on_commit_callbacks) is None
    assert CrmDelivery.objects.count() == 0


def test_nothing_is_posted_when_the_transaction_is_rolled_back(server, council):
    # Without the on-commit callbacks run (as when the submit fails), no post goes out.
    delivery = crm_push_queue(request=make_request(council), event="submitted")
    assert delivery is not None
    assert server.posts() == []


def test_a_council_that_removes_its_crm_stops_its_pending_pushes(server, council):
    delivery = crm_push_queue(request=make_request(council), event="submitted")
    FrontDoorSettings.objects.filter(council=council).update(crm_webhook_url="")

    assert crm.crm_delivery_attempt(delivery.pk) == (Outcome.FAILED, None)

    delivery.refresh_from_db()
    assert delivery.gave_up
    assert server.posts() == []


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


# --- The sweep, support's command and the trim ------------------------------------------------


def _stranded(council, *, created_ago: timedelta, **fields) -> CrmDelivery:
    """A row whose task was lost (a broker outage): made, never tried."""
    request = make_request(council)
    return CrmDelivery.objects.create(
        council=council,
        request=request,
        event="submitted",
        key=f"front-door-{request.pk}-submitted",
        payload=crm_payload(request),
        created_at=now() - created_ago,
        **fields,
    )


def test_the_sweep_delivers_what_a_broker_outage_left_behind(server, council):
    lost = _stranded(council, created_ago=timedelta(minutes=20))
    fresh = _stranded(council, created_ago=timedelta(minutes=1))  # its own task comes first
    waiting = _stranded(
        council,
        created_ago=timedelta(hours=1),
        attempts=2,
        next_attempt_at=now() + timedelta(minutes=10),
    )

    assert tasks.deliver_undelivered_crm.call_local() == 1

    assert [p["headers"]["X-Carebridge-Delivery"] for p in server.posts()] == [lost.key]
    lost.refresh_from_db()
    assert lost.delivered_at is not None
    for row in (fresh, waiting):
        row.refresh_from_db()
        assert row.delivered_at is None


def test_the_sweep_gives_up_after_the_attempts_or_two_days(server, council):
    tried_out = _stranded(council, created_ago=timedelta(hours=23), attempts=MAX_ATTEMPTS)
    too_old = _stranded(council, created_ago=timedelta(days=2, minutes=1), attempts=1)
    in_time = _stranded(council, created_ago=timedelta(days=1), attempts=3)

    assert crm_deliveries_give_up() == 2

    assert set(CrmDelivery.objects.filter(gave_up=True)) == {tried_out, too_old}
    assert Event.objects.filter(action="crm_delivery.gave_up").count() == 2
    in_time.refresh_from_db()
    assert not in_time.gave_up
    assert server.posts() == []


def test_support_lists_failed_pushes_and_pushes_one_again(
    server, council, django_capture_on_commit_callbacks
):
    server.plan = [404]
    delivery = push(make_request(council), django_capture_on_commit_callbacks)
    out = StringIO()

    call_command("crm_deliveries", stdout=out)

    listed = out.getvalue()
    assert f"{delivery.pk}\t" in listed
    assert "HTTP 404" in listed
    assert "given up" in listed

    # The receiver is mended; support sends it again.
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("crm_deliveries", "--retry", str(delivery.pk), stdout=out)

    assert f"{delivery.pk}: queued again" in out.getvalue()
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert not delivery.gave_up
    assert delivery.retried_at is not None
    assert len(server.posts()) == 2
    assert Event.objects.filter(action="crm_delivery.retried").exists()
    out = StringIO()
    call_command("crm_deliveries", stdout=out)
    assert out.getvalue().strip() == "No failed CRM pushes."


def test_a_push_sent_again_by_support_gets_its_tries_afresh(server, council):
    old = _stranded(council, created_ago=timedelta(days=5), attempts=MAX_ATTEMPTS, gave_up=True)

    crm.crm_delivery_retry(delivery=old, by=None)

    # Long after it was made, but just sent again: the sweep must not give it up.
    assert crm_deliveries_give_up() == 0
    old.refresh_from_db()
    assert old.attempts == 0
    assert not old.gave_up


def test_support_is_told_of_an_unknown_delivery(council):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No CRM delivery 999"):
        call_command("crm_deliveries", "--retry", "999", stdout=StringIO())


def test_old_payloads_are_emptied_once_finished(server, council):
    delivered = _stranded(council, created_ago=timedelta(days=91), delivered_at=now())
    given_up = _stranded(council, created_ago=timedelta(days=91), gave_up=True)
    recent = _stranded(council, created_ago=timedelta(days=10), delivered_at=now())

    assert crm.crm_deliveries_purge() == 2

    for row, emptied in ((delivered, True), (given_up, True), (recent, False)):
        row.refresh_from_db()
        assert (row.payload == {}) is emptied
