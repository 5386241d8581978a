"""The council's NHS demographics (PDS) page: its administrators alone set it, both addresses pass
the outbound guard, the private key is write-only (needed the first time, kept when blank, an
RSA key that can sign), the trusted domains are domains, and every change is audited without
the key."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.integrations import connections
from carebridge.integrations.models import PdsConnection
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

URL = "integrations:pds"


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


KEY = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
FIELDS = {
    "base_url": "https://int.api.service.nhs.uk/personal-demographics/FHIR/R4",
    "token_url": "https://int.api.service.nhs.uk/oauth2/token",
    "api_key": "app-key-0001",
    "key_id": "wrekin-1",
    "private_key": KEY,
    "ods_code": "x26",
    "trusted_email_domains": "NHS.net\n@wrekinshire.gov.uk, nhs.net",
    "enabled": "on",
}


@pytest.fixture
def council(db):
    return make_council("Wrekinshire Council")


@pytest.fixture
def administrator(council):
    return make_user(council=council, role="council_administrator")


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
    assert not PdsConnection.objects.filter(council=council).exists()


def test_the_administrator_sets_it_and_the_key_is_never_shown(council, administrator):
    client = client_for(administrator)
    assert "NHS demographics (PDS)" in client.get(reverse(URL)).content.decode()

    response = client.post(reverse(URL), FIELDS)

    assert response.status_code == 302
    connection = PdsConnection.objects.get(council=council)
    assert connection.private_key == KEY.strip()
    assert connection.ods_code == "X26"
    assert connection.trusted_email_domains == "nhs.net\nwrekinshire.gov.uk"
    assert connection.enabled
    page = client.get(reverse(URL)).content.decode()
    assert "nhs.net, wrekinshire.gov.uk" in page
    assert KEY.splitlines()[1] not in page
    event = Event.objects.get(action="pds.updated")
    assert event.detail == {"private_key": "changed"}
    assert KEY.splitlines()[1] not in str(event.after) + str(event.detail)


def test_a_blank_key_keeps_it_but_the_first_save_needs_one(council, administrator):
    client = client_for(administrator)

    first = client.post(reverse(URL), {**FIELDS, "private_key": ""})

    assert first.status_code == 200
    assert 'href="#id_private_key"' in first.content.decode()
    assert not PdsConnection.objects.exists()

    client.post(reverse(URL), FIELDS)
    client.post(reverse(URL), {**FIELDS, "private_key": "", "enabled": ""})
    connection = PdsConnection.objects.get(council=council)
    assert connection.private_key == KEY.strip()
    assert not connection.enabled
    second = Event.objects.filter(action="pds.updated").latest("pk")
    assert second.before is not None and second.before["enabled"] == "True"
    assert second.after is not None and second.after["enabled"] == "False"


@pytest.mark.parametrize(
    "key",
    [
        "not a key",
        _pem(ec.generate_private_key(ec.SECP256R1())),
        _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),  # noqa: S505 (refused: the point of the test)
    ],
)
def test_it_refuses_a_key_that_cannot_sign_as_nhs_england_asks(council, administrator, key):
    response = client_for(administrator).post(reverse(URL), {**FIELDS, "private_key": key})

    assert response.status_code == 200
    assert 'href="#id_private_key"' in response.content.decode()
    assert not PdsConnection.objects.exists()


@pytest.mark.parametrize("domains", ["net", "nhs.net\ngmail", "nhs..net", "nhs.net/x"])
def test_it_refuses_what_is_not_a_domain(council, administrator, domains):
    response = client_for(administrator).post(
        reverse(URL), {**FIELDS, "trusted_email_domains": domains}
    )

    assert response.status_code == 200
    assert 'href="#id_trusted_email_domains"' in response.content.decode()
    assert not PdsConnection.objects.exists()


@pytest.mark.parametrize("field", ["base_url", "token_url"])
@pytest.mark.parametrize(
    "address", ["http://api.service.nhs.uk/x", "https://127.0.0.1", "https://10.1.2.3/t"]
)
def test_it_refuses_an_address_the_outbound_guard_refuses(council, administrator, field, address):
    response = client_for(administrator).post(reverse(URL), {**FIELDS, field: address})

    assert response.status_code == 200
    assert f'href="#id_{field}"' in response.content.decode()
    assert not PdsConnection.objects.exists()


def test_the_service_refuses_someone_elses_council_and_a_private_address(council):
    stranger = make_user(council=make_council(), role="council_administrator")
    values = {**FIELDS, "enabled": True, "ods_code": "X26"}

    with pytest.raises(PermissionDenied):
        connections.pds_update(council=council, by=stranger, **values)
    with pytest.raises(ValidationError):
        connections.pds_update(
            council=council, by=None, **{**values, "base_url": "https://192.168.0.1/"}
        )
    assert not PdsConnection.objects.exists()
