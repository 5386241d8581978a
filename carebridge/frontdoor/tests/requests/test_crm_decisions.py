"""Every decision an officer makes on a front-door request reaches the council's CRM: queued
in the decision's own transaction (so a decision rolled back sends nothing), once per decision,
with the status, the route and the officer's reason; posted to a real CRM on loopback once the
transaction commits, and pushed to the simulator's Dataverse as an update of the case."""

import json

import pytest
from django.db import transaction

from carebridge.frontdoor.choices import EventKind, RequestStatus
from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import likely_answers, submit
from carebridge.integrations.models import CrmDelivery
from carebridge.integrations.tests.crm.crm_support import SECRET, Crm

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed", "empty_huey")]


class Boom(Exception):
    pass


@pytest.fixture
def crm():
    server = Crm()
    yield server
    server.stop()


@pytest.fixture
def council(council, crm):
    FrontDoorSettings.objects.filter(council=council).update(
        crm_webhook_url=crm.url(), crm_webhook_secret=SECRET
    )
    return council


def decisions(request) -> list[CrmDelivery]:
    return list(
        CrmDelivery.objects.filter(request=request, event__startswith="decision-").order_by("pk")
    )


def posted_events(crm) -> list[str]:
    return [post["headers"]["X-Carebridge-Event"] for post in crm.posts()]


def test_each_decision_is_pushed_once_with_its_status_route_and_reason(
    council, officer, crm, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = submit(council, likely_answers())
    with django_capture_on_commit_callbacks(execute=True):
        services.request_open(request=sent, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        services.information_request(request=sent, by=officer, text="Who is their GP?")
    new = services.NewServiceUser(
        ss_ref="SS-7710",
        first_name="Edith",
        last_name="Marlowe",
        date_of_birth=sent.person_date_of_birth,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.request_accept(request=sent, by=officer, new=new, text="An assessor will call.")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_close(request=sent, by=officer, text="Assessed: a care plan follows.")

    rows = decisions(sent)
    events = sent.events.exclude(kind=EventKind.SUBMITTED).order_by("pk")
    assert [row.key for row in rows] == [
        f"front-door-{sent.pk}-decision-{event.pk}" for event in events
    ]
    assert all(row.delivered_at is not None for row in rows)
    assert posted_events(crm) == [
        "submitted",
        "opened",
        "information_requested",
        "accepted",
        "closed",
    ]
    payloads = [row.payload for row in rows]
    assert [p["status"]["code"] for p in payloads] == [
        "in_review",
        "more_information",
        "assessment",
        "closed",
    ]
    assert {p["route"]["code"] for p in payloads} == {"queue"}
    assert [p["decision"]["reason"] for p in payloads] == [
        "",
        "Who is their GP?",
        "An assessor will call.",
        "Assessed: a care plan follows.",
    ]
    accepted, closed = payloads[2]["decision"], payloads[3]["decision"]
    assert accepted["kind"] == {"code": "accepted", "label": "Accepted for assessment"}
    assert accepted["outcome"] == {"code": "assessment", "label": "Accepted for assessment"}
    assert accepted["by"] == officer.full_name
    assert accepted["id"] == events[2].pk
    # Closing after an assessment keeps the council's decision: assessment.
    assert closed["outcome"]["code"] == "assessment"
    assert json.loads(crm.posts()[-1]["body"]) == payloads[3]


def test_a_redirect_is_pushed_with_where_the_person_was_sent(
    council, officer, django_capture_on_commit_callbacks
):
    # The request itself is pushed first: its decisions wait behind it (CRM pushes keep order).
    with django_capture_on_commit_callbacks(execute=True):
        sent = submit(council, likely_answers())

    with django_capture_on_commit_callbacks(execute=True):
        services.request_redirect(
            request=sent,
            by=officer,
            to="Community mental health team",
            text="Call them on 01632 960 555.",
        )

    [row] = decisions(sent)
    assert row.payload["event"] == "redirected"
    assert row.payload["status"] == {"code": "closed", "label": "Closed"}
    assert row.payload["decision"]["outcome"]["code"] == "redirected"
    assert row.payload["decision"]["redirected_to"] == "Community mental health team"
    assert row.payload["decision"]["reason"] == "Call them on 01632 960 555."
    assert row.delivered_at is not None


def test_a_decision_rolled_back_sends_nothing(
    council, officer, crm, django_capture_on_commit_callbacks
):
    sent = submit(council, likely_answers())

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        services.request_close(request=sent, by=officer, text="Nothing more is needed.")
        # Queued in the decision's transaction, not after it...
        assert len(decisions(sent)) == 1
        raise Boom

    # ...so it goes with it.
    assert decisions(sent) == []
    assert crm.posts() == []
    sent.refresh_from_db()
    assert sent.status == RequestStatus.RECEIVED


def test_a_refused_step_and_a_note_send_nothing(council, officer):
    sent = submit(council, likely_answers())
    services.request_open(request=sent, by=officer)

    with pytest.raises(services.RequestRefused):
        services.request_open(request=sent, by=officer)
    services.request_note(request=sent, by=officer, text="Spoke to the daughter.")

    assert [row.payload["event"] for row in decisions(sent)] == ["opened"]


def test_without_a_crm_a_decision_queues_nothing(council, officer):
    FrontDoorSettings.objects.filter(council=council).update(crm_webhook_url="")
    sent = submit(council, likely_answers())

    services.request_open(request=sent, by=officer)

    assert CrmDelivery.objects.count() == 0


def test_a_decision_waits_until_the_request_itself_has_reached_the_crm(
    council, officer, crm, django_capture_on_commit_callbacks
):
    from carebridge.integrations.crm import Outcome, crm_delivery_attempt

    sent = submit(council, likely_answers())  # its push is queued, not yet sent
    with django_capture_on_commit_callbacks(execute=True):
        services.request_open(request=sent, by=officer)

    [decision] = decisions(sent)
    decision.refresh_from_db()
    assert decision.delivered_at is None
    assert decision.attempts == 0, "a push waiting behind another is not a failed try"
    assert crm_delivery_attempt(decision.pk) == (Outcome.WAITING, None)
    assert posted_events(crm) == []

    submitted = CrmDelivery.objects.get(request=sent, event="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assert crm_delivery_attempt(submitted.pk)[0] is Outcome.DELIVERED
    decision.refresh_from_db()
    assert decision.delivered_at is not None
    assert posted_events(crm) == ["submitted", decision.payload["event"]]
