"""Double submits: a second click, Back and send again, or ten POSTs of one page at the same
moment make one object and one e-mail, and every repeat gets the first result's page
(core.idempotency). The simultaneous ones need a real database server (PostgreSQL); the
repeats one after another run on both."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from carebridge.actions.models import Action, Notification
from carebridge.actions.tests.conftest import build_world
from carebridge.core.calendar import now
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.tests.support_requests import likely_answers, open_council
from carebridge.frontdoor.tests.test_public_views import url, walk
from tests.support import make_user, run_together


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
