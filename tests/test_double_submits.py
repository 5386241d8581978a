"""Double submits: a second click, Back and send again, or ten POSTs of one page at the same
moment make one object and one e-mail, and every repeat gets the first result's page
(core.idempotency). The simultaneous ones need a real database server (PostgreSQL); the
repeats one after another run on both."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from carebridge.actions.models import Action
from carebridge.actions.tests.conftest import build_world
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest
from carebridge.frontdoor.tests.hubs.test_hubs_support import first_slot, freeze, make_hub, publish
from carebridge.frontdoor.tests.requests.test_public_views import url, walk
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council, submit
from carebridge.integrations.services import api_token_create
from carebridge.notifications.models import Notification
from carebridge.people import services as people
from carebridge.referrals import services
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.test_council_views import for_existing
from tests.support import (
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_user,
    run_together,
)

API_REFERRALS = "/api/v1/referrals/"
REFERRALS_NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, in service hours


def on_postgres(test):
    """Simultaneous requests overlap only on a database server: SQLite serialises writers."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
        ),
    ):
        test = mark(test)
    return test


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None, "the form carries no token"
    return found.group(1)


def together(clients: list[Client], path: str, data: dict) -> list:
    """Each client POSTs the same data at once; the responses."""
    queue = iter(clients)
    lock = threading.Lock()

    def post():
        with lock:
            client = next(queue)
        return client.post(path, data)

    return run_together(post, len(clients))


def same_browser(client: Client, times: int) -> list[Client]:
    """`times` clients sharing `client`'s session cookie: one browser's tabs or retries."""
    clients = []
    for _ in range(times):
        twin = Client()
        twin.cookies = client.cookies
        clients.append(twin)
    return clients


# --- The public front door's "Send and see the result" ------------------------------------------


def _ready_to_send():
    council = open_council()
    client = Client()
    assert walk(client, council, likely_answers()) == url("check", council)
    page = client.get(url("check", council)).content.decode()
    assert 'data-prevent-double-click="true"' in page
    return council, client, form_token(page)


@pytest.mark.django_db
def test_sending_the_answers_twice_makes_one_request_and_shows_its_result_again(
    django_capture_on_commit_callbacks,
):
    council, client, token = _ready_to_send()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url("check", council), {"form_token": token})
        again = client.post(url("check", council), {"form_token": token})
    assert first["Location"] == again["Location"] == url("result", council)
    sent = FrontDoorRequest.objects.get()
    assert sent.reference in client.get(url("result", council)).content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_same_page_sent_from_a_second_tab_returns_the_first_request(
    django_capture_on_commit_callbacks,
):
    council, client, token = _ready_to_send()
    # A second tab (or a retry of a request whose answer never arrived) still holds the answers
    # in its own copy of the session, and the page's token.
    tab = Client()
    tab.cookies = client.cookies
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("check", council), {"form_token": token})
    # Put the answers back in the shared session, as a tab that read it before the first send.
    session = client.session
    session["front_door"][council.slug]["answers"] = likely_answers()
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        again = tab.post(url("check", council), {"form_token": token})
    assert again["Location"] == url("result", council)
    sent = FrontDoorRequest.objects.get()
    assert sent.reference in tab.get(url("result", council)).content.decode()
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


@on_postgres
def test_ten_simultaneous_sends_of_check_your_answers_make_one_request_and_one_email():
    council, client, token = _ready_to_send()
    responses = together(same_browser(client, 10), url("check", council), {"form_token": token})
    assert {response.status_code for response in responses} == {302}
    assert {response["Location"] for response in responses} == {url("result", council)}
    sent = FrontDoorRequest.objects.get()
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert sent.reference in client.get(url("result", council)).content.decode()


# --- Actions: a new action, and a comment on one -------------------------------------------------


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _comment_page(world):
    """An action of the provider's, and the provider's page of it with its comment form."""
    action = world.raise_action()
    client = _logged_in(world.carer)
    page = client.get(reverse("actions:action_detail", args=[action.pk])).content.decode()
    assert page.count('data-prevent-double-click="true"') == 3  # comment, reply, closure
    return action, client, form_token(page)


def _emails_about(action) -> int:
    posts = action.posts.values_list("pk", flat=True)
    return sum(
        Notification.objects.filter(key__startswith=f"action-post:{pk}:").count() for pk in posts
    )


@pytest.mark.django_db
def test_a_comment_sent_twice_is_added_once_and_both_answers_show_the_action(
    django_capture_on_commit_callbacks,
):
    world = build_world()
    action, client, token = _comment_page(world)
    emails_before = _emails_about(action)
    data = {"kind": "comment", "text": "One more thing", "form_token": token}
    path = reverse("actions:action_post", args=[action.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, data)
        again = client.post(path, data)
    assert (
        first["Location"] == again["Location"] == reverse("actions:action_detail", args=[action.pk])
    )
    assert list(action.posts.values_list("text", flat=True)) == [
        "We have not received payment for the visit on 16/12.",
        "One more thing",
    ]
    assert _emails_about(action) == emails_before + 1
    # A new rendering of the page is a new form: the same words sent from it are a new comment.
    fresh = form_token(client.get(first["Location"]).content.decode())
    client.post(path, {**data, "form_token": fresh})
    assert action.posts.count() == 3


@pytest.mark.django_db
def test_a_new_action_sent_twice_is_raised_once_and_the_repeat_opens_it():
    world = build_world()
    client = _logged_in(world.carer)
    page = client.get(reverse("actions:action_new")).content.decode()
    assert 'data-prevent-double-click="true"' in page
    data = {
        "action_type": world.catalogue.payment_query.pk,
        "related_kind": "client",
        "entity": f"client:{world.person.pk}",
        "due_date_0": "1",
        "due_date_1": "1",
        "due_date_2": str(now().year + 1),
        "team": "",
        "title": "Payment query",
        "text": "We have not been paid for the visit on 16/12.",
        "form_token": form_token(page),
    }
    first = client.post(reverse("actions:action_new"), data)
    again = client.post(reverse("actions:action_new"), data)
    action = Action.objects.get()
    assert (
        first["Location"] == again["Location"] == reverse("actions:action_detail", args=[action.pk])
    )


@pytest.mark.django_db
def test_another_users_token_is_no_repeat_of_theirs():
    world = build_world()
    action, _client, token = _comment_page(world)
    # The token is bound to whoever the page was shown to: a colleague's POST with it is theirs.
    colleague = _logged_in(make_user(provider=world.provider, role="super_user_scheduled"))
    path = reverse("actions:action_post", args=[action.pk])
    _logged_in(world.carer).post(path, {"kind": "comment", "text": "Mine", "form_token": token})
    colleague.post(path, {"kind": "comment", "text": "Theirs", "form_token": token})
    assert action.posts.filter(kind="comment").count() == 2


@on_postgres
def test_ten_simultaneous_identical_comments_make_one_post_and_one_email():
    world = build_world()
    action, client, token = _comment_page(world)
    emails_before = _emails_about(action)
    sent_before = len(mail.outbox)
    path = reverse("actions:action_post", args=[action.pk])
    data = {"kind": "comment", "text": "One more thing", "form_token": token}
    responses = together(same_browser(client, 10), path, data)
    assert {response["Location"] for response in responses} == {
        reverse("actions:action_detail", args=[action.pk])
    }
    assert action.posts.filter(kind="comment").count() == 1
    assert _emails_about(action) == emails_before + 1
    assert len(mail.outbox) == sent_before + 1


# --- Referrals: the broker's "Send referral", and the API ----------------------------------------


@pytest.fixture
def monday_morning():
    """The referral forms' dates are in the week of this Monday."""
    with mock.patch("django.utils.timezone.now", return_value=REFERRALS_NOW):
        yield


def _referral_world():
    council = make_council()
    district = make_district(council, "Hollowmere", postcode_districts="HX3 HX4")
    provider = make_provider()
    make_contract(council, provider)
    people.service_user_create(
        council=council,
        by=None,
        ss_ref="AV100001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        postcode="HX4 8QT",
        district=district,
    )
    broker = make_user(council=council, role="broker")
    return SimpleNamespace(council=council, district=district, provider=provider, broker=broker)


def _send_referral_page(world):
    client = _logged_in(world.broker)
    page = client.get(reverse("referrals:new")).content.decode()
    assert page.count('data-prevent-double-click="true"') >= 1
    assert 'data-module="govuk-button">' not in page  # every button guarded
    return client, {**for_existing(world, "AV100001"), "form_token": form_token(page)}


@pytest.mark.django_db
@pytest.mark.usefixtures("monday_morning")
def test_send_referral_clicked_twice_sends_one_referral_and_both_open_it():
    world = _referral_world()
    client, data = _send_referral_page(world)
    first = client.post(reverse("referrals:new"), data)
    again = client.post(reverse("referrals:new"), data)
    referral = Referral.objects.get()
    assert first["Location"] == again["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert Event.objects.filter(action="referral.added").count() == 1


def _api(world) -> APIClient:
    _token, key = api_token_create(council=world.council, name="Case management", by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _api_body(world, **overrides) -> dict:
    return {
        "provider": world.provider.pk,
        "district": "Hollowmere",
        "service_user": {"ss_ref": "AV100001"},
        "source": "district_team",
        "district_team": "Hollowmere District Team",
        "requested_start_date": "2026-11-25",
        "consent_to_share": True,
        "support_summary": "Help to wash, dress and prepare meals.",
        "carers_required": 1,
        "visits_per_day": 3,
        "next_of_kin_name": "Pat Example",
        "next_of_kin_relationship": "Daughter",
        "next_of_kin_phone": "07700 900123",
        "health_needs": "Type 2 diabetes; recent fall.",
        "worker_name": "Sam Broker",
        "worker_team": "Hollowmere District Team",
        "completed_on": "2026-11-23",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("monday_morning")
def test_the_api_answers_a_repeated_idempotency_key_with_the_first_referral():
    world = _referral_world()
    client = _api(world)
    sent = {"HTTP_IDEMPOTENCY_KEY": "8f14e45f-ceea-467f-a0e6-1f0f3a3b6a52"}
    first = client.post(API_REFERRALS, _api_body(world), format="json", **sent)
    again = client.post(API_REFERRALS, _api_body(world), format="json", **sent)
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert Referral.objects.count() == 1
    # Another key is another referral; a key another system chose is theirs alone.
    other = client.post(
        API_REFERRALS, _api_body(world), format="json", HTTP_IDEMPOTENCY_KEY="another"
    )
    assert other.status_code == 201 and Referral.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("monday_morning")
def test_the_api_refuses_an_idempotency_key_it_cannot_keep():
    world = _referral_world()
    response = _api(world).post(
        API_REFERRALS, _api_body(world), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert not Referral.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("monday_morning")
def test_the_api_makes_a_second_open_referral_to_the_same_provider_and_warns_of_the_first():
    world = _referral_world()
    client = _api(world)
    first = client.post(API_REFERRALS, _api_body(world), format="json")
    assert first.status_code == 201 and first.json()["warnings"] == []
    second = client.post(API_REFERRALS, _api_body(world), format="json")
    assert second.status_code == 201
    assert Referral.objects.count() == 2
    [warning] = second.json()["warnings"]
    assert warning["code"] == "open_referral_exists"
    assert warning["referral"] == first.json()["id"]
    assert "AV100001 already has an open referral" in warning["message"]
    # Once the first is closed, nothing is open twice.
    services.referral_withdraw(
        referral=Referral.objects.get(pk=first.json()["id"]),
        by=world.broker,
        reason="Sent twice",
    )
    third = client.post(API_REFERRALS, _api_body(world), format="json")
    assert [w["referral"] for w in third.json()["warnings"]] == [second.json()["id"]]


@on_postgres
@pytest.mark.usefixtures("monday_morning")
def test_ten_simultaneous_send_referral_clicks_send_one_referral():
    world = _referral_world()
    client, data = _send_referral_page(world)
    responses = together(same_browser(client, 10), reverse("referrals:new"), data)
    referral = Referral.objects.get()
    assert {response["Location"] for response in responses} == {
        reverse("referrals:detail", args=[referral.pk])
    }
    assert Event.objects.filter(action="referral.added").count() == 1


@on_postgres
@pytest.mark.usefixtures("monday_morning")
def test_ten_simultaneous_api_posts_with_one_idempotency_key_make_one_referral():
    world = _referral_world()
    _token, key = api_token_create(council=world.council, name="Case management", by=None)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client.post(
            API_REFERRALS, _api_body(world), format="json", HTTP_IDEMPOTENCY_KEY="retry-42"
        )

    responses = run_together(send, 10)
    referral = Referral.objects.get()
    assert {response.status_code for response in responses} == {201}
    assert {response.json()["id"] for response in responses} == {referral.pk}
    assert Event.objects.filter(action="referral.added").count() == 1


# --- The front door's other creates: feedback, a hub appointment, an officer's note -------------


@pytest.mark.django_db
def test_feedback_sent_twice_is_kept_once_and_both_get_the_thank_you():
    council = open_council()
    client = Client()
    page = client.get(url("feedback", council)).content.decode()
    data = {"rating": "5", "comment": "Clear and quick.", "form_token": form_token(page)}
    first = client.post(url("feedback", council), data)
    again = client.post(url("feedback", council), data)
    assert first.status_code == again.status_code == 200
    assert "Thank you for your feedback" in again.content.decode()
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_book_appointment_clicked_twice_holds_one_time_and_shows_that_hold(
    monkeypatch, django_capture_on_commit_callbacks
):
    from carebridge.frontdoor.tests.hubs.pages.pages_support import care, choose

    freeze(monkeypatch)
    council = open_council()
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22))
    client = Client()
    choose(client, council, hub, first_slot(hub))
    page = client.get(care("appointment_check", council)).content.decode()
    token = form_token(page)
    # A second tab that read the answers before the first click went through.
    tab = Client()
    tab.cookies = client.cookies
    answers = dict(client.session[f"frontdoor-appointment:{council.slug}"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(care("appointment_check", council), {"form_token": token})
        session = client.session
        session[f"frontdoor-appointment:{council.slug}"] = answers
        session.save()
        again = tab.post(care("appointment_check", council), {"form_token": token})
        # And Back, then the button again, once the answers have gone from the session.
        third = client.post(care("appointment_check", council), {"form_token": token})
    assert first["Location"] == again["Location"] == third["Location"]
    assert first["Location"] == care("appointment_held", council)
    booking = Booking.objects.get()
    assert booking.email == "marjorie@example.org"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_officers_note_sent_twice_is_added_once():
    council = open_council()
    sent = submit(council, likely_answers())
    officer = make_user(council=council, role="front_door_officer")
    client = _logged_in(officer)
    path = reverse("frontdoor:request_step", args=[sent.pk, "note"])
    data = {
        "text": "Called the daughter.",
        "form_token": form_token(client.get(path).content.decode()),
    }
    assert client.post(path, data)["Location"] == client.post(path, data)["Location"]
    assert sent.events.filter(kind="note").count() == 1


# --- A council administrator's Add user ------------------------------------------------------


@pytest.mark.django_db
def test_add_user_sent_twice_makes_one_account_and_the_repeat_keeps_the_password_hidden():
    from carebridge.accounts.models import User

    council = make_council()
    client = _logged_in(make_user(council=council))  # a council administrator
    page = client.get(reverse("accounts:user_create")).content.decode()
    assert 'data-prevent-double-click="true">Add user<' in page
    data = {
        "first_name": "Robin",
        "last_name": "Hart",
        "email": "robin@example.org",
        "organisation": "council",
        "role": "broker",
        "form_token": form_token(page),
    }
    first = client.post(reverse("accounts:user_create"), data).content.decode()
    again = client.post(reverse("accounts:user_create"), data).content.decode()
    assert User.objects.filter(email="robin@example.org").count() == 1
    assert "Their one-off password is:" in first
    assert "Robin Hart can now log in" in again
    assert "You added this user already" in again and "Their one-off password is:" not in again
    assert "There is already an account" not in again


@pytest.mark.django_db
@pytest.mark.usefixtures("monday_morning")
def test_a_second_referral_to_the_same_provider_is_sent_and_the_broker_is_warned():
    world = _referral_world()
    client, data = _send_referral_page(world)
    first = client.post(reverse("referrals:new"), data)
    assert "already has an open referral" not in client.get(first["Location"]).content.decode()
    # Sent again from a new form: a second referral, which may be meant, with a warning.
    _client, again = _send_referral_page(world)
    second = client.post(reverse("referrals:new"), again)
    assert Referral.objects.count() == 2
    page = client.get(second["Location"]).content.decode()
    assert "Maisy Goddard already has an open referral to" in page
    assert "If it was sent twice, withdraw one of them." in page


def _signposted_without_consent():
    council = open_council()
    client = Client()
    walk(client, council, likely_answers(consent="no"))
    client.post(
        url("check", council),
        {"form_token": form_token(client.get(url("check", council)).content.decode())},
    )
    assert "Ask for an assessment" in client.get(url("result", council)).content.decode()
    data = {
        "person_name": "Edith Marlowe",
        "postcode": "wb1 2ab",
        "email": "edith@example.org",
        "consent_to_share": "on",
    }
    return council, client, data


@on_postgres
def test_ten_simultaneous_asks_for_an_assessment_queue_the_request_once():
    council, client, data = _signposted_without_consent()
    responses = together(same_browser(client, 10), url("result", council), data)
    assert {response["Location"] for response in responses} == {url("result", council)}
    sent = FrontDoorRequest.objects.get()
    assert sent.events.filter(kind="assessment_asked").count() == 1
    assert Notification.objects.filter(to_email="edith@example.org").count() == 1


@on_postgres
def test_ten_simultaneous_book_appointment_clicks_hold_one_time_and_send_one_email(monkeypatch):
    from carebridge.frontdoor.tests.hubs.pages.pages_support import care, choose

    freeze(monkeypatch)
    council = open_council()
    officer = make_user(council=council, role="front_door_officer")
    hub = make_hub(council, officer)
    publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22))
    client = Client()
    choose(client, council, hub, first_slot(hub))
    token = form_token(client.get(care("appointment_check", council)).content.decode())
    responses = together(
        same_browser(client, 10), care("appointment_check", council), {"form_token": token}
    )
    assert {response["Location"] for response in responses} == {care("appointment_held", council)}
    booking = Booking.objects.get()
    assert booking.email == "marjorie@example.org"
    assert len(mail.outbox) == 1
