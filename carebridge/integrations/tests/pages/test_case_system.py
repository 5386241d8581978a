"""The council's case-management system page: its administrators alone set it, its address
passes the outbound guard, its API key is write-only, its signing secret is shown once, and it
shows how the feed is doing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.integrations import connections
from carebridge.integrations.models import CaseSystem
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

URL = "integrations:case_system"
FIELDS = {
    "name": "Mosaic",
    "base_url": "https://mosaic.example.org/api",
    "api_key": "the-councils-key-0001",
    "polling_enabled": "on",
    "updates_enabled": "on",
}


def system_of(council) -> CaseSystem:
    return CaseSystem.objects.get(council=council)


@pytest.mark.parametrize(
    "role", ["broker", "payments_officer", "front_door_officer", "provider", "other_admin"]
)
def test_only_the_councils_administrators_reach_the_page(council, role):
    if role == "provider":
        user = make_user(provider=make_provider(), role="super_user_scheduled")
    elif role == "other_admin":
        user = make_user(council=make_council(), role="council_administrator")
    else:
        user = make_user(council=council, role=role)
    client = client_for(user)

    if role == "other_admin":
        # Another council's administrator sets up their own council's system, never this one.
        client.post(reverse(URL), FIELDS)
        assert not CaseSystem.objects.filter(council=council).exists()
        return
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), FIELDS).status_code == 403
    assert client.post(reverse(URL), {"do": "secret"}).status_code == 403
    assert not CaseSystem.objects.exists()


def test_an_officer_cannot_set_the_system_through_the_service(council):
    broker = make_user(council=council, role="broker")
    with pytest.raises(PermissionDenied):
        connections.case_system_update(
            council=council,
            by=broker,
            name="Mosaic",
            base_url="https://mosaic.example.org/api",
            polling_enabled=True,
            updates_enabled=True,
        )
    with pytest.raises(PermissionDenied):
        connections.case_system_secret_renew(council=council, by=broker)


def test_the_administrator_sets_the_system_and_sees_its_signing_secret_once(council, administrator):
    client = client_for(administrator)

    response = client.post(reverse(URL), FIELDS)

    system = system_of(council)
    assert (system.name, system.base_url) == ("Mosaic", "https://mosaic.example.org/api")
    assert system.api_key == "the-councils-key-0001"
    assert system.polling_enabled and system.updates_enabled
    secret = system.signing_secret
    assert len(secret) >= 40
    page = response.content.decode()
    assert secret in page
    assert "the-councils-key-0001" not in page
    assert "no-store" in response["Cache-Control"]
    again = client.get(reverse(URL)).content.decode()
    assert secret not in again and "the-councils-key-0001" not in again
    events = Event.objects.filter(action="case_system.updated")
    assert events.count() == 1
    assert events[0].detail == {"api_key": "changed", "signing_secret": "made"}
    assert not any(
        secret in str(e.after) + str(e.detail) or "councils-key" in str(e.after) + str(e.detail)
        for e in Event.objects.all()
    )


def test_a_blank_key_keeps_the_key_and_a_second_save_makes_no_new_secret(council, administrator):
    client = client_for(administrator)
    client.post(reverse(URL), FIELDS)
    secret = system_of(council).signing_secret

    response = client.post(reverse(URL), {**FIELDS, "api_key": "", "polling_enabled": ""})

    assert response.status_code == 302
    system = system_of(council)
    assert system.api_key == "the-councils-key-0001"
    assert system.signing_secret == secret
    assert not system.polling_enabled and system.updates_enabled
    last = Event.objects.filter(action="case_system.updated").order_by("-pk")[0]
    assert last.before["polling_enabled"] == "True" and last.after["polling_enabled"] == "False"
    assert last.detail == {}


def test_a_new_signing_secret_is_shown_once_and_the_old_one_stops(council, administrator):
    client = client_for(administrator)
    client.post(reverse(URL), FIELDS)
    old = system_of(council).signing_secret

    response = client.post(reverse(URL), {"do": "secret"})

    new = system_of(council).signing_secret
    assert new != old
    assert new in response.content.decode()
    assert new not in client.get(reverse(URL)).content.decode()
    assert Event.objects.filter(action="case_system.secret_renewed").count() == 1


def test_a_secret_needs_a_system_first(council, administrator):
    response = client_for(administrator).post(reverse(URL), {"do": "secret"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Set up the case-management system first" in response.content.decode()
    assert not CaseSystem.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "http://mosaic.example.org/api",
        "https://127.0.0.1/api",
        "https://localhost/api",
        "https://[::1]/api",
        "https://10.0.0.9/api",
        "https://169.254.169.254/latest/meta-data/",
        "https://user:pass@mosaic.example.org/api",
        "not an address",
    ],
)
def test_it_refuses_an_address_the_outbound_guard_refuses(council, administrator, address):
    response = client_for(administrator).post(reverse(URL), {**FIELDS, "base_url": address})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert 'href="#id_base_url"' in response.content.decode()
    assert not CaseSystem.objects.exists()
    with pytest.raises(ValidationError):
        connections.case_system_update(
            council=council,
            by=None,
            name="Mosaic",
            base_url=address,
            polling_enabled=True,
            updates_enabled=True,
        )


def test_it_refuses_missing_too_long_or_control_character_input(council, administrator):
    client = client_for(administrator)
    for fields in (
        {**FIELDS, "name": ""},
        {**FIELDS, "name": "x" * 101},
        {**FIELDS, "name": "Mosaic\x00"},
        {**FIELDS, "api_key": "k" * 501},
        {**FIELDS, "api_key": "key\x07"},
        {**FIELDS, "base_url": ""},
    ):
        response = client.post(reverse(URL), fields)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
    assert not CaseSystem.objects.exists()


def test_it_shows_how_the_feed_is_doing_in_the_guides_times(council, administrator):
    connections.case_system_update(
        council=council,
        by=None,
        name="Mosaic",
        base_url="https://mosaic.example.org/api",
        polling_enabled=True,
        updates_enabled=True,
    )
    # 14:23 UTC on 22 May 2026 is 3:23pm in London (summer time).
    polled = now().replace(year=2026, month=5, day=22, hour=14, minute=23, second=0)
    CaseSystem.objects.filter(council=council).update(
        last_polled_at=polled,
        next_poll_at=polled + timedelta(minutes=8),
        failures=2,
        checkpoint="run7:4200",
    )

    page = client_for(administrator).get(reverse(URL)).content.decode()

    assert "3:23pm 22/05/2026" in page
    assert "3:31pm 22/05/2026" in page
    assert "Every 2 minutes" in page
    assert "run7:4200" in page
    assert ">2<" in page


def test_a_new_address_is_tried_at_once_instead_of_after_the_back_off(council, administrator):
    client = client_for(administrator)
    client.post(reverse(URL), FIELDS)
    later = now() + timedelta(hours=1)
    CaseSystem.objects.filter(council=council).update(failures=6, next_poll_at=later)

    client.post(reverse(URL), {**FIELDS, "api_key": "", "name": "Mosaic (live)"})
    assert system_of(council).failures == 6  # nothing about reaching it changed

    client.post(reverse(URL), {**FIELDS, "api_key": "", "base_url": "https://mosaic2.example.org"})
    system = system_of(council)
    assert system.failures == 0
    assert system.next_poll_at is not None and system.next_poll_at <= now()
