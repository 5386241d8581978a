"""A provider's API keys: its Super Users list, make and revoke them on its pages; nobody else
sees them; each key acts with its maker's rights and stops when the maker leaves or loses the
role."""

import re
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from carebridge.accounts.services.users import account_close, account_role_change
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.integrations import services
from carebridge.integrations.models import ApiToken
from carebridge.integrations.services import api_token_create, api_token_revoke, key_hash
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
    run_together,
)

pytestmark = pytest.mark.django_db

LIST = "/organisation/api-keys/"
NEW = "/organisation/api-keys/new/"
PROVIDER_API = "/api/v1/provider/referrals/"


class World:
    def __init__(self) -> None:
        self.council = make_council("Ashdown Vale Council")
        self.provider = make_provider("Bluebell Lane Care")
        make_contract(self.council, self.provider)
        self.actuals = make_user(provider=self.provider, role="super_user_actuals")
        self.scheduled = make_user(provider=self.provider, role="super_user_scheduled")
        self.other_provider = make_provider("Zephyrine Domiciliary Services")
        make_contract(self.council, self.other_provider)
        self.stranger = make_user(provider=self.other_provider, role="super_user_scheduled")


@pytest.fixture
def world() -> World:
    return World()


def form_token(client, url: str = NEW) -> str:
    body = client.get(url).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', body)
    assert match, "the form carries a single-use token"
    return match.group(1)


def shown_key(body: str) -> str:
    match = re.search(r'<code id="api-key">([0-9a-f]{64})</code>', body)
    assert match, "the page shows the key"
    return match.group(1)


def api_get(key: str):
    return APIClient().get(PROVIDER_API, HTTP_AUTHORIZATION=f"Bearer {key}")


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["super_user_actuals", "super_user_scheduled"])
def test_both_super_user_roles_see_the_keys_page(world, role):
    user = make_user(provider=world.provider, role=role)
    response = client_for(user).get(LIST)
    assert response.status_code == 200
    assert "API keys" in response.content.decode()
    assert client_for(user).get(NEW).status_code == 200


@pytest.mark.parametrize(
    "role", ["payments", "administration", "reports", "invoice_only", "read_only"]
)
def test_other_provider_roles_are_refused(world, role):
    user = make_user(provider=world.provider, role=role)
    client = client_for(user)
    token, _key = api_token_create(provider=world.provider, name="Rostering", by=world.actuals)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"name": "Mine"}).status_code == 403
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 403
    assert not ApiToken.objects.filter(name="Mine").exists()
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "role", ["broker", "payments_officer", "front_door_officer", "council_administrator"]
)
def test_council_staff_are_refused(world, role):
    client = client_for(make_user(council=world.council, role=role))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, {"name": "Mine"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_service_refuses_anyone_but_the_providers_super_users(world):
    reader = make_user(provider=world.provider, role="read_only")
    for by in (reader, world.stranger, make_user(council=world.council), None):
        with pytest.raises(PermissionError):
            api_token_create(provider=world.provider, name="Rostering", by=by)
    token, _key = api_token_create(provider=world.provider, name="Rostering", by=world.actuals)
    for by in (reader, world.stranger, None):
        with pytest.raises(PermissionError):
            api_token_revoke(token=token, by=by)
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


# --- The list, scoped to the provider --------------------------------------------------------------


def test_the_list_shows_the_providers_keys_only(world):
    mine, _ = api_token_create(provider=world.provider, name="Rostering", by=world.actuals)
    revoked, _ = api_token_create(provider=world.provider, name="Old rota", by=world.scheduled)
    api_token_revoke(token=revoked, by=world.actuals)
    theirs, _ = api_token_create(
        provider=world.other_provider, name="Call monitoring", by=world.stranger
    )
    councils, _ = api_token_create(council=world.council, name="Case management", by=None)
    ApiToken.objects.filter(pk=mine.pk).update(last_used_at=now())

    body = client_for(world.scheduled).get(LIST).content.decode()

    assert "2 keys" in body
    assert "Rostering" in body and f"{mine.prefix}…" in body
    assert world.actuals.full_name in body
    assert "Old rota" in body and "Revoked" in body
    assert "Never" in body  # the revoked key was never used
    assert "Call monitoring" not in body and theirs.prefix not in body
    assert "Case management" not in body and councils.prefix not in body
    assert reverse("api_tokens:revoke", args=[mine.pk]) in body
    assert reverse("api_tokens:revoke", args=[revoked.pk]) not in body


def test_another_providers_key_cannot_be_revoked(world):
    theirs, _key = api_token_create(
        provider=world.other_provider, name="Call monitoring", by=world.stranger
    )
    client = client_for(world.actuals)
    url = reverse("api_tokens:revoke", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    councils, _ = api_token_create(council=world.council, name="Case management", by=None)
    assert client.post(reverse("api_tokens:revoke", args=[councils.pk])).status_code == 404


# --- Making a key ------------------------------------------------------------------------------------


def test_a_super_user_makes_a_key_shown_once_with_how_to_use_it(world):
    client = client_for(world.actuals)
    response = client.post(NEW, {"name": "  Rostering  ", "form_token": form_token(client)})

    assert response.status_code == 200
    body = response.content.decode()
    key = shown_key(body)
    token = ApiToken.objects.get(provider=world.provider)
    assert token.name == "Rostering"
    assert token.council_id is None
    assert token.created_by == world.actuals
    assert token.key_hash == key_hash(key)
    assert token.prefix == key[:8]
    assert "govuk-panel--confirmation" in body
    assert "shown only once" in body
    assert "Authorization: Bearer &lt;key&gt;" in body
    assert reverse("api_docs") in body
    assert "no-store" in response["Cache-Control"]
    # It is not on the list, nor anywhere else afterwards.
    assert key not in client.get(LIST).content.decode()
    assert api_get(key).status_code == 200

    event = Event.objects.get(action="api_token.created")
    assert event.actor == world.actuals
    assert event.provider_id == world.provider.pk
    assert event.council_id is None
    assert event.object_id == str(token.pk)
    assert key not in str(event.detail)


def test_a_double_click_makes_one_key_and_shows_it_to_the_second_answer(world):
    client = client_for(world.scheduled)
    data = {"name": "Rostering", "form_token": form_token(client)}

    first = client.post(NEW, data)
    second = client.post(NEW, data)

    assert ApiToken.objects.count() == 1
    assert Event.objects.filter(action="api_token.created").count() == 1
    assert shown_key(second.content.decode()) == shown_key(first.content.decode())
    assert api_get(shown_key(second.content.decode())).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_five_simultaneous_sends_of_one_form_make_one_key_shown_to_each():
    world = World()
    token = form_token(client_for(world.actuals))
    clients = iter([client_for(world.actuals) for _ in range(5)])
    lock = threading.Lock()

    def send() -> str:
        with lock:
            client: Client = next(clients)
        return client.post(NEW, {"name": "Rostering", "form_token": token}).content.decode()

    pages = run_together(send, 5)

    assert ApiToken.objects.count() == 1
    assert Event.objects.filter(action="api_token.created").count() == 1
    assert {shown_key(page) for page in pages} == {shown_key(pages[0])}
    assert ApiToken.objects.get().key_hash == key_hash(shown_key(pages[0]))


def test_a_repeat_long_after_does_not_show_the_key_again(world):
    client = client_for(world.scheduled)
    data = {"name": "Rostering", "form_token": form_token(client)}
    key = shown_key(client.post(NEW, data).content.decode())

    later = now() + services.SHOW_AGAIN_WITHIN + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(NEW, data, follow=True)

    body = response.content.decode()
    assert ApiToken.objects.count() == 1
    assert key not in body
    assert "cannot be shown again" in body


def test_a_new_form_makes_a_new_key(world):
    client = client_for(world.scheduled)
    client.post(NEW, {"name": "Rostering", "form_token": form_token(client)})
    client.post(NEW, {"name": "Rostering", "form_token": form_token(client)})
    assert ApiToken.objects.count() == 2
    assert len(set(ApiToken.objects.values_list("key_hash", flat=True))) == 2


def test_another_users_form_token_makes_a_key_of_its_own(world):
    stolen = form_token(client_for(world.actuals))
    client_for(world.actuals).post(NEW, {"name": "Rostering", "form_token": stolen})
    client = client_for(world.scheduled)
    response = client.post(NEW, {"name": "Rostering", "form_token": stolen})
    assert ApiToken.objects.count() == 2
    assert ApiToken.objects.filter(created_by=world.scheduled).count() == 1
    assert shown_key(response.content.decode())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter the name of the system that will use the key"),
        ("   ", "Enter the name of the system that will use the key"),
        ("x" * 101, "Name must be 100 characters or fewer"),
        ("Rota\x07", "control"),
    ],
)
def test_a_bad_name_is_shown_in_the_error_summary(world, name, message):
    client = client_for(world.actuals)
    response = client.post(NEW, {"name": name, "form_token": form_token(client)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert not ApiToken.objects.exists()


# --- Revoking -------------------------------------------------------------------------------------------


def test_a_super_user_revokes_a_colleagues_key_after_confirming(world):
    token, key = api_token_create(provider=world.provider, name="Rostering", by=world.actuals)
    client = client_for(world.scheduled)
    url = reverse("api_tokens:revoke", args=[token.pk])

    confirm = client.get(url).content.decode()
    assert "Revoke the key ‘Rostering’?" in confirm
    assert f"{token.prefix}…" in confirm
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(url, follow=True)
    assert "is revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_get(key).status_code == 401
    event = Event.objects.get(action="api_token.revoked")
    assert event.actor == world.scheduled
    assert event.provider_id == world.provider.pk

    again = client.post(url, follow=True)
    assert "was revoked already" in again.content.decode()
    assert Event.objects.filter(action="api_token.revoked").count() == 1
    assert "is revoked" in client.get(url).content.decode()


# --- The maker's rights --------------------------------------------------------------------------------


def test_a_key_stops_when_its_maker_leaves_the_provider(world):
    _token, key = api_token_create(provider=world.provider, name="Rostering", by=world.actuals)
    assert api_get(key).status_code == 200

    account_close(user=world.actuals, by=world.scheduled)

    response = api_get(key)
    assert response.status_code == 403
    assert "can no longer use it" in response.json()["error"]["message"]
    assert "Not working" in client_for(world.scheduled).get(LIST).content.decode()


def test_a_key_stops_when_its_maker_loses_the_super_user_role(world):
    _token, key = api_token_create(provider=world.provider, name="Rostering", by=world.scheduled)

    account_role_change(user=world.scheduled, role="read_only", by=world.actuals)

    assert api_get(key).status_code == 403
    # The other Super User role carries the key's rights as well.
    account_role_change(user=world.scheduled, role="super_user_actuals", by=world.actuals)
    assert api_get(key).status_code == 200


def test_the_council_commands_still_make_and_revoke_council_keys(world):
    token, key = api_token_create(council=world.council, name="Case management", by=None)
    assert token.provider_id is None
    council_api = APIClient().get("/api/v1/referrals/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert council_api.status_code == 200
    assert api_get(key).status_code == 403
    api_token_revoke(token=token, by=None)
    token.refresh_from_db()
    assert token.revoked_at is not None
