"""The delivery log: the council's updates to its case-management system and pushes to its CRM,
newest first, filtered and paged, naming no person; a failed row is sent again over real HTTP
(the simulator, the test CRM), and a later update of the same referral says what it waits for."""

import json

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.integrations import connections
from carebridge.integrations.case_updates import case_update_queue
from carebridge.integrations.models import CaseSystem, CaseUpdate, CrmDelivery
from carebridge.integrations.tests.crm.crm_support import Crm, make_request, push, with_crm
from carebridge.integrations.tests.pages.conftest import KEY
from carebridge.referrals.models import Referral
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db

URL = "integrations:deliveries"
EXTERNAL_ID = "CM-000042"


@pytest.fixture
def crm(loopback_allowed):
    server = Crm()
    yield server
    server.stop()


@pytest.fixture
def referral(council) -> Referral:
    provider = make_provider("Riverside Home Care")
    make_contract(council, provider)
    referral = make_referral(council, provider)
    # As the poller leaves a referral it took from the system's feed.
    Referral.objects.filter(pk=referral.pk).update(external_id=EXTERNAL_ID)
    referral.refresh_from_db()
    return referral


@pytest.fixture
def case_system(council, sim, peer, referral) -> CaseSystem:
    # The system knows the referral: it is in its feed, where the poller took it from.
    peer.add_referral(
        peer.referral_body(
            provider_id=referral.provider_id,
            district=referral.district.name,
            external_id=EXTERNAL_ID,
        )
    )
    system, secret = connections.case_system_update(
        council=council,
        by=None,
        name="Mosaic",
        base_url=f"{sim.url}/case-management",
        api_key=KEY,
        polling_enabled=False,
        updates_enabled=True,
    )
    peer.signing_secret = secret
    return system


def queue(referral, event, capture):
    with capture(execute=True):
        return case_update_queue(referral=referral, event=event, at=now(), details={})


def send_again(client, row, kind, capture, query=""):
    with capture(execute=True):
        return client.post(reverse(URL) + query, {"kind": kind, "id": row.pk})


@pytest.mark.parametrize("role", ["broker", "front_door_officer", "provider"])
def test_only_the_councils_administrators_see_it_or_send_again(
    council, role, referral, case_system, django_capture_on_commit_callbacks
):
    update = case_update_queue(referral=referral, event="acknowledged", at=now(), details={})
    CaseUpdate.objects.filter(pk=update.pk).update(gave_up=True, last_error="Refused")
    if role == "provider":
        user = make_user(provider=make_provider(), role="super_user_scheduled")
    else:
        user = make_user(council=council, role=role)
    client = client_for(user)

    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), {"kind": "case", "id": update.pk}).status_code == 403
    assert CaseUpdate.objects.get(pk=update.pk).gave_up


def test_a_given_up_update_is_sent_again_and_the_one_held_behind_it_follows_in_order(
    council,
    administrator,
    referral,
    case_system,
    peer,
    sim,
    django_capture_on_commit_callbacks,
):
    # The system's address is wrong: its answer (404) is final, and the update is given up.
    CaseSystem.objects.filter(pk=case_system.pk).update(base_url=f"{sim.url}/wrong-place")
    first = queue(referral, "acknowledged", django_capture_on_commit_callbacks)
    second = queue(referral, "accepted", django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.gave_up and first.last_status_code == 404
    client = client_for(administrator)

    page = client.get(reverse(URL), {"status": "all"}).content.decode()

    assert "Given up" in page
    assert "Waits for update 1 of this referral, not yet delivered" in page
    assert page.count(">Send again<") == 1
    assert f"accepted, update 2 of referral {referral.pk}" in page
    assert EXTERNAL_ID in page
    assert referral.service_user.last_name not in page
    assert "404" in page
    # An error is the peer's own text, which may repeat what was sent: the read is audited.
    read = Event.objects.get(action="integrations.delivery_log_read")
    assert read.actor == administrator and read.detail == {"page": 1, "count": 1}

    # The administrator mends the address on the case-management page, then sends it again.
    CaseSystem.objects.filter(pk=case_system.pk).update(base_url=f"{sim.url}/case-management")
    response = send_again(client, first, "case", django_capture_on_commit_callbacks, "?status=all")

    assert response.status_code == 302
    assert response["Location"] == reverse(URL) + "?status=all"
    assert [u["sequence"] for u in peer.updates_for(EXTERNAL_ID)] == [1, 2]
    assert CaseUpdate.objects.filter(pk__in=[first.pk, second.pk], delivered_at=None).count() == 0
    retried = Event.objects.get(action="case_update.retried")
    assert retried.actor == administrator

    # Sending it again once delivered (a second click, an old page) sends nothing more.
    again = send_again(client, first, "case", django_capture_on_commit_callbacks)
    assert again.status_code == 302
    assert len(peer.updates_for(EXTERNAL_ID)) == 2
    assert Event.objects.filter(action="case_update.retried").count() == 1
    assert "delivered already" in client.get(reverse(URL)).content.decode()


def test_a_crm_push_the_crm_refused_is_sent_again(
    council, administrator, crm, django_capture_on_commit_callbacks
):
    with_crm(council, crm.url())
    request = make_request(council)
    crm.plan = [422]
    push(request, django_capture_on_commit_callbacks)
    delivery = CrmDelivery.objects.get(request=request)
    assert delivery.gave_up
    # A later push of the request waits behind it, so the CRM never goes back to an older status.
    later = push(request, django_capture_on_commit_callbacks, event="reminded")
    client = client_for(administrator)

    page = client.get(reverse(URL)).content.decode()  # "Failed" is the first filter
    both = client.get(reverse(URL), {"status": "all"}).content.decode()

    assert f"submitted, front-door request {request.reference}" in page
    assert "CRM" in page and "Given up" in page
    assert "reminded" not in page
    assert "Waits for the submitted push of this request, not yet delivered" in both
    assert request.person_name not in both

    send_again(client, delivery, "crm", django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    later.refresh_from_db()
    assert delivery.delivered_at is not None and later.delivered_at is not None
    assert [json.loads(p["body"])["event"] for p in crm.posts()] == [
        "submitted",
        "submitted",
        "reminded",
    ]
    assert Event.objects.filter(action__endswith="retried", actor=administrator).count() == 1


def test_it_lists_both_systems_newest_first_with_filters_and_pages_of_fifty(
    council, administrator, referral, case_system, crm, django_capture_on_commit_callbacks
):
    with_crm(council, crm.url())
    crm.plan = [503]  # tried again later: failing, with its next try
    push(make_request(council), django_capture_on_commit_callbacks)
    for _ in range(50):
        case_update_queue(referral=referral, event="updated", at=now(), details={})
    client = client_for(administrator)

    everything = client.get(reverse(URL), {"status": "all", "system": "all"})
    second_page = client.get(reverse(URL), {"status": "all", "system": "all", "page": "2"})
    failed = client.get(reverse(URL), {"status": "failed"}).content.decode()
    waiting = client.get(reverse(URL), {"status": "waiting", "system": "case"}).content.decode()
    crm_only = client.get(reverse(URL), {"status": "all", "system": "crm"}).content.decode()

    assert everything.context["page"].paginator.count == 51
    assert len(everything.context["rows"]) == 50
    assert [r.kind for r in second_page.context["rows"]] == ["crm"]  # the oldest, made first
    rows = everything.context["rows"]
    assert [r.delivery.sequence for r in rows[:2]] == [50, 49]
    assert 'class="govuk-pagination"' in everything.content.decode()
    assert "1 delivery<" in failed and "Failing" in failed and "503" in failed
    assert "50 deliveries<" in waiting
    assert "1 delivery<" in crm_only and "Case management" not in crm_only.split("<table")[1]


def test_filters_that_are_not_choices_are_the_defaults(council, administrator):
    response = client_for(administrator).get(
        reverse(URL), {"status": "locked\x00", "system": "x" * 500, "page": "-3"}
    )

    assert response.status_code == 200
    assert response.context["chosen"] == {"status": "failed", "system": "all"}


def test_another_councils_deliveries_are_neither_shown_nor_sent_again(
    administrator, crm, django_capture_on_commit_callbacks
):
    other = make_council("Wrekinshire Council")
    with_crm(other, crm.url())
    request = make_request(other)
    crm.plan = [422]
    push(request, django_capture_on_commit_callbacks)
    delivery = CrmDelivery.objects.get(request=request)
    client = client_for(administrator)

    page = client.get(reverse(URL), {"status": "all"}).content.decode()
    response = send_again(client, delivery, "crm", django_capture_on_commit_callbacks)

    assert request.reference not in page
    assert response.status_code == 302
    assert "delivered already" not in response.url
    delivery.refresh_from_db()
    assert delivery.gave_up and delivery.delivered_at is None
    assert len(crm.posts()) == 1
    assert not Event.objects.filter(action__endswith="retried").exists()


def test_a_send_again_that_names_nothing_is_not_found(administrator):
    client = client_for(administrator)

    assert client.post(reverse(URL), {"kind": "email", "id": "1"}).status_code == 404
    assert client.post(reverse(URL), {"kind": "crm", "id": "x\x00"}).status_code == 404


def _failed_rows(council, count: int) -> None:
    """`count` referrals with two updates each (the first given up, the second held behind it)
    and `count` front-door requests whose push failed, as the log shows them."""
    provider = make_provider()
    make_contract(council, provider)
    for _ in range(count):
        referral = make_referral(council, provider)
        Referral.objects.filter(pk=referral.pk).update(external_id=f"CM-Q{referral.pk}")
        for sequence in (1, 2):
            CaseUpdate.objects.create(
                council=council,
                referral=referral,
                sequence=sequence,
                event="accepted" if sequence == 1 else "updated",
                key=f"referral-{referral.pk}-{sequence}",
                payload={},
                created_at=now(),
                attempts=8 if sequence == 1 else 0,
                gave_up=sequence == 1,
                last_error="The system answered 400" if sequence == 1 else "",
            )
        request = make_request(council)
        CrmDelivery.objects.create(
            council=council,
            request=request,
            event="submitted",
            key=f"front-door-{request.pk}-submitted",
            payload={"event": "submitted"},
            created_at=now(),
            attempts=3,
            last_error="The CRM answered 503",
        )


def test_the_logs_queries_do_not_grow_with_its_rows(council, administrator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(administrator)
    url = reverse(URL) + "?status=all"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _failed_rows(council, 3)
    queries()  # the first visit also touches the session
    few = queries()
    _failed_rows(council, 9)
    assert queries() == few
