"""The council's front-door settings: a partial or empty POST changes only what it carried,
opening and closing is its own confirmed and audited action, and the outbound addresses (CRM
webhook, directory feed) are the council administrators' alone, guarded, with the CRM signing
secret shown once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.frontdoor.models import FrontDoorSettings
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.tests.support_requests import open_council
from tests.support import client_for, make_provider, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(council):
    return make_user(council=council, role="council_administrator")


def settings_of(council) -> FrontDoorSettings:
    return FrontDoorSettings.objects.get(council=council)


# --- What officers keep -------------------------------------------------------------------------


def test_an_empty_post_neither_closes_the_front_door_nor_erases_its_contacts(council, officer):
    before = settings_of(council)

    response = client_for(officer).post(reverse("frontdoor:settings"), {})

    assert response.status_code == 302
    after = settings_of(council)
    assert after.is_open
    assert after.emergency_contacts == before.emergency_contacts != ""
    assert after.contact_phone == before.contact_phone != ""


def test_a_partial_post_changes_only_the_fields_it_carried(council, officer):
    client_for(officer).post(
        reverse("frontdoor:settings"),
        {"contact_phone": "01632 960 101", "is_open": "", "crm_webhook_url": "https://x.example"},
    )

    after = settings_of(council)
    assert after.contact_phone == "01632 960 101"
    assert after.is_open
    assert after.emergency_contacts == "Adult social care out of hours: 01632 960 999"
    assert after.crm_webhook_url == ""  # not an officer's to set


def test_the_whole_form_saves_office_hours_and_the_out_of_hours_team(council, officer):
    response = client_for(officer).post(
        reverse("frontdoor:settings"),
        {
            "contact_phone": "01632 960 100",
            "contact_hours": "Monday to Friday, 8am to 6pm",
            "office_days-carried": "1",
            "office_days": ["0", "1", "2", "3", "4"],
            "office_opens": "08:00",
            "office_closes": "18:00",
            "out_of_hours_contact": "Emergency duty team: 01632 960 999",
            "emergency_contacts": "",
        },
    )

    assert response.status_code == 302
    after = settings_of(council)
    assert (after.office_days, str(after.office_opens), str(after.office_closes)) == (
        "01234",
        "08:00:00",
        "18:00:00",
    )
    assert after.out_of_hours_contact == "Emergency duty team: 01632 960 999"
    assert after.emergency_contacts == ""  # carried, and cleared on purpose
    assert after.is_open


def test_unticking_every_office_day_is_refused_against_the_field(council, officer):
    response = client_for(officer).post(reverse("frontdoor:settings"), {"office_days-carried": "1"})

    assert response.status_code == 200
    assert "Select the days the office is open" in response.content.decode()
    assert settings_of(council).office_days == "01234"


def test_the_officers_page_offers_no_outbound_address_or_secret(council, officer):
    page = client_for(officer).get(reverse("frontdoor:settings")).content.decode()

    assert 'name="crm_webhook_url"' not in page
    assert 'name="crm_webhook_secret"' not in page
    assert 'name="directory_feed_url"' not in page
    assert 'name="is_open"' not in page


# --- Opening and closing ------------------------------------------------------------------------


def test_closing_the_front_door_is_its_own_confirmed_audited_action(council, officer):
    client = client_for(officer)
    url = reverse("frontdoor:open_close")

    page = client.get(url).content.decode()
    assert "Close the front door to the public?" in page
    unconfirmed = client.post(url, {"is_open": "no"})
    assert unconfirmed.status_code == 200
    assert "Confirm that you mean to do this" in unconfirmed.content.decode()
    assert settings_of(council).is_open

    client.post(url, {"is_open": "no", "confirm": "on"})
    # A second click of a stale page says the same thing: it does not open it again.
    client.post(url, {"is_open": "no", "confirm": "on"})

    assert not settings_of(council).is_open
    [closed] = Event.objects.filter(action="front_door.closed")
    assert closed.actor_id == officer.pk
    assert closed.council_id == council.pk
    assert not Event.objects.filter(action="front_door.opened").exists()

    client.post(url, {"is_open": "yes", "confirm": "on"})
    assert settings_of(council).is_open
    assert Event.objects.filter(action="front_door.opened").count() == 1


# --- Outbound connections -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["front_door_officer", "broker", "payments_officer", "provider", "other_admin"]
)
def test_only_the_councils_administrators_reach_the_connections_page(council, role):
    if role == "provider":
        user = make_user(provider=make_provider(), role="super_user_scheduled")
    elif role == "other_admin":
        user = make_user(council=open_council(), role="council_administrator")
    else:
        user = make_user(council=council, role=role)
    client = client_for(user)
    url = reverse("frontdoor:connections")

    if role == "other_admin":
        client.post(url, {"crm_webhook_url": "https://crm.example.org/hook"})
        assert settings_of(council).crm_webhook_url == ""
        return
    assert client.get(url).status_code == 403
    assert client.post(url, {"crm_webhook_url": "https://crm.example.org/hook"}).status_code == 403
    assert settings_of(council).crm_webhook_url == ""


def test_a_front_door_officer_cannot_set_an_outbound_address_through_the_service(council, officer):
    with pytest.raises(PermissionDenied):
        services.front_door_connections_update(
            council=council, by=officer, crm_webhook_url="https://crm.example.org/hook"
        )
    with pytest.raises(PermissionDenied):
        services.crm_secret_renew(council=council, by=officer)


def test_the_administrator_sets_the_webhook_and_sees_its_secret_once(council, administrator):
    client = client_for(administrator)
    url = reverse("frontdoor:connections")

    response = client.post(url, {"crm_webhook_url": "https://crm.example.org/requests"})

    secret = settings_of(council).crm_webhook_secret
    assert len(secret) >= 40
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert secret not in client.get(url).content.decode()
    assert not any(secret in str(e.after) + str(e.detail) for e in Event.objects.all())
    assert Event.objects.filter(action="front_door.connections").exists()

    renewed = client.post(url, {"do": "secret"})
    new = settings_of(council).crm_webhook_secret
    assert new != secret
    assert new in renewed.content.decode()
    assert Event.objects.filter(action="front_door.crm_secret_renewed").exists()


@pytest.mark.parametrize(
    "address",
    [
        "http://crm.example.org/hook",
        "https://127.0.0.1/hook",
        "http://127.0.0.1:8080/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.0.0.9/hook",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
def test_it_refuses_a_plain_http_or_private_address_for_either_connection(
    council, administrator, address
):
    client = client_for(administrator)
    for field in ("crm_webhook_url", "directory_feed_url"):
        response = client.post(reverse("frontdoor:connections"), {field: address})

        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
        assert getattr(settings_of(council), field) == ""
    with pytest.raises(ValidationError):
        services.front_door_connections_update(council=council, by=None, crm_webhook_url=address)
