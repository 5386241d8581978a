"""A new referral meets the same rules whichever way it arrives: the same bad answers, sent by the
council's form and by the API, are refused on the same fields, and nothing is made."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from carebridge.integrations.services import api_token_create
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import Parties
from tests.support import make_district

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

TOMORROW = date(2026, 11, 24)


@pytest.fixture
def world(parties: Parties):
    council, provider = parties.council, parties.provider
    district = make_district(council, "Hollowmere", postcode_districts="HX3 HX4")
    people.service_user_create(
        council=council,
        by=None,
        ss_ref="AV100001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        address_line_1="44 Orchard Lane",
        postcode="HX4 8QT",
        nhs_number="943 476 5919",
        district=district,
    )
    broker = Client()
    broker.force_login(parties.broker)
    _token, key = api_token_create(council=council, name="Case management", by=None)
    system = APIClient()
    system.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return {"provider": provider, "district": district, "broker": broker, "system": system}


# One answer of a new referral for a new person, as (form value, API value).
PERSON = {
    "first_name": "Edna",
    "last_name": "Parkinson",
    "date_of_birth": date(1938, 3, 12),
    "ss_ref": "AV200001",
    "nhs_number": "",
    "address_line_1": "7 Mill Lane",
    "postcode": "HX4 9AB",
}
REFERRAL = {
    "source": "hospital",
    "hospital": "Hollowmere General Hospital",
    "ward": "Ward 7",
    "district_team": "",
    "discharge_date": date(2026, 11, 24),
    "requested_start_date": date(2026, 11, 25),
    "consent_to_share": True,
    "mca_best_interest": "",
    "support_summary": "Help to wash, dress and prepare meals.",
    "carers_required": 1,
    "visits_per_day": 3,
    "worker_name": "Sam Broker",
    "worker_team": "Hospital discharge team",
    "completed_on": date(2026, 11, 23),
}


def form_data(world, person: dict[str, Any], referral: dict[str, Any]) -> dict[str, str]:
    data: dict[str, str] = {
        "existing_ss_ref": "",
        "district": str(world["district"].pk),
        "provider": str(world["provider"].pk),
    }
    for name, value in {**person, **referral}.items():
        if isinstance(value, date):
            data |= {f"{name}_0": str(value.day), f"{name}_1": str(value.month)}
            data[f"{name}_2"] = str(value.year)
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        else:
            data[name] = str(value)
    return data


def api_body(world, person: dict[str, Any], referral: dict[str, Any]) -> dict[str, Any]:
    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}

    return {
        "provider": world["provider"].pk,
        "district": "Hollowmere",
        "service_user": plain(person),
        **plain(referral),
    }


def refused_by_form(world, person, referral) -> set[str]:
    response = world["broker"].post(reverse("referrals:new"), form_data(world, person, referral))
    assert response.status_code == 200, "not sent"
    form = response.context["form"]
    # A postcode outside the district is asked about (confirm_postcode) before anything is sent.
    return set(form.errors) | ({"confirm_postcode"} if form.postcode_outside else set())


def refused_by_api(world, person, referral) -> set[str]:
    response = world["system"].post(
        "/api/v1/referrals/", api_body(world, person, referral), format="json"
    )
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    nested = fields.pop("service_user", {})
    return set(fields) | set(nested)


CASES = {
    "a date of birth in the future": ({"date_of_birth": TOMORROW}, {}, {"date_of_birth"}),
    "a date of birth today": ({"date_of_birth": date(2026, 11, 23)}, {}, {"date_of_birth"}),
    "a postcode outside the district": ({"postcode": "NG22 9TE"}, {}, {"confirm_postcode"}),
    "a hospital referral without a ward": ({}, {"ward": ""}, {"ward"}),
    "a hospital referral without a hospital": ({}, {"hospital": ""}, {"hospital"}),
    "a district team referral without its team": (
        {},
        {"source": "district_team"},
        {"district_team"},
    ),
    "a form completed tomorrow": ({}, {"completed_on": TOMORROW}, {"completed_on"}),
    "a postcode that is not real": ({"postcode": "HX4 9"}, {}, {"postcode"}),
    "an NHS number the council has already": (
        {"nhs_number": "9434765919"},
        {},
        {"nhs_number"},
    ),
    "a new person without an address": (
        {"address_line_1": "", "postcode": ""},
        {},
        {"address_line_1", "postcode"},
    ),
    "all at once": (
        {"date_of_birth": TOMORROW, "postcode": "NG22 9TE"},
        {"ward": ""},
        {"date_of_birth", "confirm_postcode", "ward"},
    ),
}


@pytest.mark.parametrize(("person", "referral", "refused"), CASES.values(), ids=CASES.keys())
def test_the_form_and_the_api_refuse_the_same_fields(world, person, referral, refused):
    person = {**PERSON, **person}
    referral = {**REFERRAL, **referral}
    assert refused_by_form(world, person, referral) == refused
    assert refused_by_api(world, person, referral) == refused
    assert not Referral.objects.exists()
    assert not ServiceUser.objects.filter(ss_ref="AV200001").exists()


def test_both_send_the_same_good_referral(world):
    form = world["broker"].post(reverse("referrals:new"), form_data(world, PERSON, REFERRAL))
    assert form.status_code == 302
    api = world["system"].post(
        "/api/v1/referrals/",
        api_body(world, {**PERSON, "ss_ref": "AV200002"}, REFERRAL),
        format="json",
    )
    assert api.status_code == 201, api.content
    assert Referral.objects.count() == 2


def test_a_postcode_outside_the_district_is_sent_once_confirmed_either_way(world):
    person = {**PERSON, "postcode": "NG22 9TE"}
    data = form_data(world, person, REFERRAL)
    assert world["broker"].post(reverse("referrals:new"), {**data, "confirm_postcode": "on"})[
        "Location"
    ]
    body = api_body(world, {**person, "ss_ref": "AV200002"}, REFERRAL)
    response = world["system"].post("/api/v1/referrals/", body, format="json")
    assert response.status_code == 400
    assert "is not in the Hollowmere district" in str(response.json())
    response = world["system"].post(
        "/api/v1/referrals/", {**body, "confirm_postcode": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert set(Referral.objects.values_list("service_user__postcode", flat=True)) == {"NG22 9TE"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("carers_required", 0, "Choose from 1 to 4 carers"),
        ("carers_required", 5, "Choose from 1 to 4 carers"),
        ("visits_per_day", 9, "Choose from 1 to 8 visits per day"),
    ],
)
def test_a_number_outside_its_choices_gets_the_same_words_from_both(world, field, value, message):
    referral = {**REFERRAL, field: value}
    response = world["broker"].post(reverse("referrals:new"), form_data(world, PERSON, referral))
    assert response.context["form"].errors[field] == [message]
    response = world["system"].post(
        "/api/v1/referrals/", api_body(world, PERSON, referral), format="json"
    )
    assert response.json()["error"]["fields"][field] == [message]
