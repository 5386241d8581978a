"""Pushing front-door requests to a council's CRM: the signed JSON post to a real local
server, once per request and event, tried again while the CRM is down and not after it
refuses or after the last try, and what is and is not queued."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from huey.contrib.djhuey import HUEY

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.frontdoor.requests.crm import crm_payload, crm_push_queue
from carebridge.integrations import crm, tasks
from carebridge.integrations.crm import (
    MAX_ATTEMPTS,
    CrmPushError,
    Outcome,
    WebhookAdapter,
    crm_deliveries_due,
    undelivered,
)
from carebridge.integrations.models import CrmDelivery
from carebridge.integrations.tests.crm.crm_support import (
    SECRET,
    Crm,
    make_request,
    push,
    run_due_retries,
    with_crm,
)
from tests.support import make_council

pytestmark = pytest.mark.django_db


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
