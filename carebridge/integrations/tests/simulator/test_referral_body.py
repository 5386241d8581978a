"""The referrals the simulator serves are ones the push API takes: a new person by default, or a
service user the council has; as they come over the wire (JSON), not as Python made them."""

import json
from datetime import date

import pytest
from rest_framework.test import APIClient

from carebridge.integrations.services import api_token_create
from carebridge.integrations.tests.simulator.conftest import call
from carebridge.people import services as people
from carebridge.referrals.models import Referral
from tests.support import make_contract, make_council, make_district, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    council = make_council("Ashdown Vale Council")
    make_contract(council, make_provider("Bluebell Lane Care"))
    make_district(council, "Newark and Sherwood", postcode_districts="NG22 NG23")
    return council


@pytest.fixture
def api(council):
    _token, key = api_token_create(council=council, name="Case management", by=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def provider_id(council):
    return council.contracts.get().provider_id


def test_a_served_referral_for_a_new_person_is_made_by_the_push_api(council, api, peer, base):
    peer.add_referral(
        peer.referral_body(provider_id=provider_id(council), district="Newark and Sherwood")
    )
    peer.add_referral(
        peer.referral_body(provider_id=provider_id(council), district="Newark and Sherwood")
    )

    items = call(f"{base}/referrals").body["items"]
    answers = [api.post("/api/v1/referrals/", item, format="json") for item in items]

    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    made = Referral.objects.order_by("pk")
    assert [r.external_id for r in made] == ["CM-000001", "CM-000002"]
    # Two new people, each with their own SS Ref.
    assert len({r.service_user.ss_ref for r in made}) == 2
    assert all(r.service_user.first_name and r.service_user.postcode for r in made)


def test_a_served_referral_for_a_known_person_uses_their_record(council, api, peer, base):
    person = people.service_user_create(
        council=council,
        by=None,
        ss_ref="SS100200",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
    )
    body = peer.referral_body(
        provider_id=provider_id(council),
        district="newark and sherwood",
        external_id="MOSAIC-7",
        ss_ref="SS100200",
        visits_per_day=4,
    )
    peer.add_referral(body)

    item = call(f"{base}/referrals").body["items"][0]
    answer = api.post("/api/v1/referrals/", json.loads(json.dumps(item)), format="json")

    assert answer.status_code == 201, answer.content
    referral = Referral.objects.get()
    assert (referral.external_id, referral.service_user, referral.visits_per_day) == (
        "MOSAIC-7",
        person,
        4,
    )
