"""The referrals API, as a council's case-management system sends a referral, and as a stranger
tries it; the world and helpers the API's tests share (reading is in test_api_reading.py)."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from carebridge.integrations.services import api_token_create, api_token_revoke
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals.models import Referral
from tests.support import (
    make_contract,
    make_council,
    make_district,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals/"


@contextmanager
def frozen(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def client_with(key: str | None) -> APIClient:
    client = APIClient()
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def detail_url(pk: int) -> str:
    return reverse("api_referral_detail", args=[pk])


class World:
    """Our council, with its provider, district, a known person and a token; and a stranger."""

    def __init__(self) -> None:
        self.council = make_council("Ashdown Vale Council")
        self.provider = make_provider("Bluebell Lane Care")
        make_contract(self.council, self.provider)
        self.district = make_district(self.council, "Newark and Sherwood")
        self.person = people.service_user_create(
            council=self.council,
            by=None,
            ss_ref="SS100200",
            first_name="Maisy",
            last_name="Goddard",
            date_of_birth=date(1940, 4, 23),
            district=self.district,
        )
        self.token, self.key = api_token_create(
            council=self.council, name="Case management", by=None
        )
        self.client = client_with(self.key)

        self.other_council = make_council("Quillinghurst Metropolitan Council")
        self.other_provider = make_provider("Zephyrine Domiciliary Services")
        make_contract(self.other_council, self.other_provider)
        self.other_district = make_district(self.other_council, "Quillinghurst North")
        _token, other_key = api_token_create(council=self.other_council, name="Mosaic", by=None)
        self.other_client = client_with(other_key)

    def referral(self, **overrides: Any) -> Referral:
        return make_referral(self.council, self.provider, district=self.district, **overrides)


@pytest.fixture
def world() -> World:
    return World()


def body(world: World, **overrides: Any) -> dict[str, Any]:
    """A complete request, as a case-management system sends one."""
    return {
        "external_id": "MOSAIC-REF-0001",
        "provider": world.provider.pk,
        "district": "newark and sherwood",
        "service_user": {"ss_ref": "SS100200"},
        "source": "hospital",
        "hospital": "Kings Mill",
        "ward": "Ward 12",
        "discharge_date": "2026-11-24",
        "requested_start_date": "2026-11-25",
        "next_of_kin_name": "Pat Example",
        "next_of_kin_relationship": "Daughter",
        "next_of_kin_phone": "07700 900123",
        "consent_to_share": True,
        "health_needs": "Type 2 diabetes; recent fall.",
        "support_summary": "Help to wash, dress and prepare meals.",
        "carers_required": 1,
        "visits_per_day": 3,
        "worker_name": "Sam Broker",
        "worker_team": "Hospital discharge team",
        "completed_on": "2026-11-23",
        **overrides,
    }


def post(client: APIClient, data: Any) -> Any:
    return client.post(LIST, data, format="json")


def error_fields(response: Any) -> dict[str, Any]:
    data = response.json()
    assert set(data) == {"error"}, data
    assert data["error"]["status"] == response.status_code
    assert data["error"]["message"]
    return data["error"]["fields"]


# --- Creating ---------------------------------------------------------------------------------


def test_it_creates_a_referral_for_a_service_user_the_council_has(world):
    response = post(
        world.client, body(world, service_user={"ss_ref": "SS100200", "first_name": "Other"})
    )

    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert response["Location"] == f"http://testserver{detail_url(referral.pk)}"
    data = response.json()
    assert data["id"] == referral.pk
    assert data["external_id"] == "MOSAIC-REF-0001"
    assert data["status"] == "pending"
    assert data["stage"] == "pending"
    assert data["provider"] == {"id": world.provider.pk, "name": "Bluebell Lane Care"}
    assert data["district"] == "Newark and Sherwood"
    assert data["service_user"] == {
        "id": world.person.pk,
        "ss_ref": "SS100200",
        "first_name": "Maisy",
        "last_name": "Goddard",
        "date_of_birth": "1940-04-23",
    }
    assert [e["kind"] for e in data["events"]] == ["added"]
    assert data["events"][0]["by"] == "Case management (API)"
    assert referral.council == world.council
    assert referral.created_by is None
    assert referral.district == world.district
    # The existing record is used as it is: other person fields are not applied to it.
    world.person.refresh_from_db()
    assert world.person.first_name == "Maisy"
    assert ServiceUser.objects.filter(council=world.council).count() == 1


def test_it_creates_a_new_service_user_with_the_referral(world):
    person = {
        "ss_ref": "SS777001",
        "title": "Mrs",
        "first_name": "Edna",
        "last_name": "Pargeter",
        "date_of_birth": "1938-02-01",
        "nhs_number": "943 476 5919",
        "address_line_1": "3 Mill Lane",
        "town": "Southwell",
        "postcode": "ng25 0aa",
        "gp_name": "Dr Ash",
    }
    response = post(world.client, body(world, service_user=person))

    assert response.status_code == 201, response.content
    created = ServiceUser.objects.get(ss_ref="SS777001")
    assert created.council == world.council
    assert created.district == world.district
    assert created.nhs_number == "9434765919"
    assert created.postcode == "NG25 0AA"
    assert response.json()["service_user"]["id"] == created.pk


def test_it_asks_for_a_new_persons_details_when_the_ss_ref_is_unknown(world):
    response = post(world.client, body(world, service_user={"ss_ref": "SS404404"}))

    assert response.status_code == 400
    assert set(error_fields(response)["service_user"]) == {
        "first_name",
        "last_name",
        "date_of_birth",
        "address_line_1",
        "postcode",
    }
    assert not Referral.objects.exists()


def test_it_reports_a_new_persons_wrong_nhs_number_under_service_user(world):
    person = {
        "ss_ref": "SS777002",
        "first_name": "Edna",
        "last_name": "Pargeter",
        "date_of_birth": "1938-02-01",
        "nhs_number": "9434765918",
    }
    response = post(world.client, body(world, service_user=person))

    assert response.status_code == 400
    assert list(error_fields(response)) == ["service_user"]
    assert "nhs_number" in error_fields(response)["service_user"]
    assert not ServiceUser.objects.filter(ss_ref="SS777002").exists()


def test_it_answers_a_repeated_external_id_with_the_referral_already_made(world):
    first = post(world.client, body(world))
    again = post(world.client, body(world))

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]
    assert Referral.objects.count() == 1


def test_it_makes_two_referrals_without_external_ids(world):
    assert post(world.client, body(world, external_id="")).status_code == 201
    assert post(world.client, body(world, external_id="")).status_code == 201
    assert Referral.objects.count() == 2


def test_it_lets_two_councils_use_the_same_external_id(world):
    ours = post(world.client, body(world))
    theirs = post(
        world.other_client,
        body(
            world,
            provider=world.other_provider.pk,
            district="Quillinghurst North",
            service_user={
                "ss_ref": "QX1",
                "first_name": "Ottoline",
                "last_name": "Vandersnoot",
                "date_of_birth": "1936-02-14",
                "address_line_1": "2 Quarry Row",
                "postcode": "LS1 1AA",
            },
        ),
    )

    assert ours.status_code == 201
    assert theirs.status_code == 201
    assert theirs.json()["id"] != ours.json()["id"]


def test_it_counts_the_reply_window_from_a_received_at_in_the_past(world):
    response = post(world.client, body(world, received_at="2018-05-21T16:57:00+01:00"))

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["received_at"] == "2018-05-21T16:57:00+01:00"
    assert data["respond_by"] == "2018-05-22T09:27:00+01:00"


def test_it_receives_the_referral_now_when_no_received_at_is_given(world):
    moment = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # a Monday in winter: London is UTC
    with frozen(moment):
        response = post(world.client, body(world, completed_on="2026-01-12"))

    data = response.json()
    assert data["received_at"] == "2026-01-12T09:00:00+00:00"
    assert data["respond_by"] == "2026-01-12T11:00:00+00:00"


def test_it_refuses_a_received_at_in_the_future(world):
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    response = post(world.client, body(world, received_at=later))

    assert response.status_code == 400
    assert "received_at" in error_fields(response)
    assert not Referral.objects.exists()


def test_it_refuses_a_received_at_without_its_offset(world):
    response = post(world.client, body(world, received_at="2018-05-21T16:57:00"))

    assert response.status_code == 400
    assert "offset" in error_fields(response)["received_at"][0]


# --- Refusing what is not right -----------------------------------------------------------------


def test_it_refuses_a_body_that_is_not_json(world):
    response = world.client.post(LIST, "{'provider': 1,", content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["message"].startswith("The body is not valid JSON.")
    assert error_fields(response) == {}


def test_it_refuses_a_body_that_is_not_an_object(world):
    response = post(world.client, [body(world)])

    assert response.status_code == 400
    assert "non_field_errors" in error_fields(response)


def test_it_refuses_a_body_sent_as_a_form(world):
    response = world.client.post(
        LIST, "provider=1", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json()["error"]["status"] == 415


def test_it_names_unknown_fields_at_the_top_and_in_the_person(world):
    top = post(world.client, body(world, carers=2))
    nested = post(world.client, body(world, service_user={"ss_ref": "SS100200", "surname": "X"}))

    assert top.status_code == 400
    assert error_fields(top) == {"carers": ["This field is not known."]}
    both = post(world.client, body(world, carers=2, visits_per_day="3"))
    assert set(error_fields(both)) == {"carers", "visits_per_day"}
    assert nested.status_code == 400
    assert error_fields(nested) == {"service_user": {"surname": ["This field is not known."]}}
    assert not Referral.objects.exists()


def test_it_names_fields_of_the_wrong_type(world):
    response = post(
        world.client,
        body(
            world,
            provider=str(world.provider.pk),
            carers_required="2",
            visits_per_day=2.5,
            consent_to_share="yes",
            requested_start_date=20261125,
            district=7,
            service_user="SS100200",
            received_at=1527000000,
        ),
    )

    assert response.status_code == 400
    assert set(error_fields(response)) == {
        "provider",
        "carers_required",
        "visits_per_day",
        "consent_to_share",
        "requested_start_date",
        "district",
        "service_user",
        "received_at",
    }


def test_it_names_missing_and_out_of_range_fields(world):
    data = body(world, carers_required=5, source="ambulance")
    del data["support_summary"], data["worker_name"]
    response = post(world.client, data)

    assert response.status_code == 400
    assert set(error_fields(response)) == {
        "support_summary",
        "worker_name",
        "carers_required",
        "source",
    }


def test_it_passes_on_the_services_own_checks(world):
    response = post(world.client, body(world, consent_to_share=False, hospital=""))

    assert response.status_code == 400
    assert set(error_fields(response)) == {"consent_to_share", "hospital"}


def test_it_refuses_another_councils_provider_and_district(world):
    response = post(
        world.client,
        body(world, provider=world.other_provider.pk, district="Quillinghurst North"),
    )

    assert response.status_code == 400
    assert set(error_fields(response)) == {"provider", "district"}
    # The same words as for a provider that does not exist: nothing is revealed.
    missing = post(world.client, body(world, provider=999999))
    assert error_fields(missing)["provider"] == error_fields(response)["provider"]


def test_it_does_not_let_another_council_use_our_provider_district_or_person(world):
    response = post(world.other_client, body(world))

    assert response.status_code == 400
    fields = error_fields(response)
    assert set(fields) == {"provider", "district", "service_user"}
    # Our person's SS Ref is unknown to them: they are asked for a new person's details.
    assert set(fields["service_user"]) == {
        "first_name",
        "last_name",
        "date_of_birth",
        "address_line_1",
        "postcode",
    }
    assert not Referral.objects.exists()


# --- Tokens -------------------------------------------------------------------------------------


def test_it_needs_a_token(world):
    world.referral()
    response = client_with(None).get(LIST)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert error_fields(response) == {}


def test_it_refuses_a_wrong_key(world):
    response = client_with("not-a-key").get(LIST)

    assert response.status_code == 401
    assert "not valid" in response.json()["error"]["message"]


def test_it_refuses_a_revoked_token(world):
    api_token_revoke(token=world.token, by=None)

    assert world.client.get(LIST).status_code == 401
    assert post(world.client, body(world)).status_code == 401
    assert not Referral.objects.exists()


def test_it_does_not_take_the_sites_log_in_for_a_token(world, client):
    user = make_user(council=world.council, role="council_administrator")
    client.force_login(user)

    response = client.get(LIST)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
