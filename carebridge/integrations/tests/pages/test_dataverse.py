"""The council's Dataverse page: its administrators alone set it, both addresses pass the
outbound guard, the client secret is write-only (needed the first time, kept when blank)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.integrations import connections
from carebridge.integrations.models import DataverseConnection
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

URL = "integrations:dataverse"
TEAM = "3f2b8c1e-6a4d-4e3b-9c6f-1d2e3f4a5b6c"
FIELDS = {
    "environment_url": "https://council.crm11.dynamics.com",
    "token_url": "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token",
    "client_id": "portal-client",
    "client_secret": "the-client-secret-0001",
    "team_id": TEAM.upper(),
    "enabled": "on",
}


@pytest.mark.parametrize("role", ["broker", "front_door_officer", "provider", "other_admin"])
def test_only_the_councils_administrators_reach_the_page(council, role):
    if role == "provider":
        user = make_user(provider=make_provider(), role="super_user_scheduled")
    elif role == "other_admin":
        user = make_user(council=make_council(), role="council_administrator")
    else:
        user = make_user(council=council, role=role)
    client = client_for(user)

    if role != "other_admin":
        assert client.get(reverse(URL)).status_code == 403
    client.post(reverse(URL), FIELDS)
    assert not DataverseConnection.objects.filter(council=council).exists()


def test_the_administrator_sets_it_and_the_secret_is_never_shown(council, administrator):
    client = client_for(administrator)

    response = client.post(reverse(URL), FIELDS)

    assert response.status_code == 302
    connection = DataverseConnection.objects.get(council=council)
    assert connection.client_secret == "the-client-secret-0001"
    assert connection.team_id == TEAM
    assert connection.enabled
    assert "the-client-secret-0001" not in client.get(reverse(URL)).content.decode()
    event = Event.objects.get(action="dataverse.updated")
    assert event.detail == {"client_secret": "changed"}
    assert "the-client-secret" not in str(event.after) + str(event.detail)


def test_a_blank_secret_keeps_it_but_the_first_save_needs_one(council, administrator):
    client = client_for(administrator)

    first = client.post(reverse(URL), {**FIELDS, "client_secret": ""})

    assert first.status_code == 200
    assert 'href="#id_client_secret"' in first.content.decode()
    assert not DataverseConnection.objects.exists()

    client.post(reverse(URL), FIELDS)
    client.post(reverse(URL), {**FIELDS, "client_secret": "", "enabled": ""})
    connection = DataverseConnection.objects.get(council=council)
    assert connection.client_secret == "the-client-secret-0001"
    assert not connection.enabled


@pytest.mark.parametrize("field", ["environment_url", "token_url"])
@pytest.mark.parametrize(
    "address", ["http://council.crm11.dynamics.com", "https://127.0.0.1", "https://10.1.2.3/t"]
)
def test_it_refuses_an_address_the_outbound_guard_refuses(council, administrator, field, address):
    response = client_for(administrator).post(reverse(URL), {**FIELDS, field: address})

    assert response.status_code == 200
    assert f'href="#id_{field}"' in response.content.decode()
    assert not DataverseConnection.objects.exists()
    with pytest.raises(ValidationError):
        connections.dataverse_update(
            council=council,
            by=None,
            **{**FIELDS, "enabled": True, "team_id": "", field: address},
        )


def test_it_refuses_a_team_id_that_is_not_one(council, administrator):
    response = client_for(administrator).post(reverse(URL), {**FIELDS, "team_id": "the team"})

    assert 'href="#id_team_id"' in response.content.decode()
    assert not DataverseConnection.objects.exists()
