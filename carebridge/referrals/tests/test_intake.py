"""The one intake from a system's body to a referral (referrals/intake.py), which the push API and
the case-management feed's poller share: made, found again by its external_id, or refused with
the API's field errors; the moment it was taken; one referral when the same id arrives at once."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from carebridge.organisations.deadlines import referral_respond_by
from carebridge.people import services as people
from carebridge.referrals.intake import EXTERNAL_ID_MISSING, referral_intake, refusal_reason
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.conftest import NOW, Parties
from tests.support import make_district, run_together

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def council(parties: Parties):
    district = make_district(parties.council, "Hollowmere")
    people.service_user_create(
        council=parties.council,
        by=None,
        ss_ref="AV100001",
        first_name="Maisy",
        last_name="Goddard",
        date_of_birth=date(1940, 4, 23),
        district=district,
    )
    return parties.council


def body(parties: Parties, **overrides: Any) -> dict[str, Any]:
    return {
        "external_id": "CM-1",
        "provider": parties.provider.pk,
        "district": "hollowmere",
        "service_user": {"ss_ref": "AV100001"},
        "source": "hospital",
        "hospital": "Hollowmere General Hospital",
        "ward": "Ward 7",
        "consent_to_share": True,
        "requested_start_date": "2026-11-25",
        "support_summary": "Help to wash, dress and prepare meals.",
        "carers_required": 1,
        "visits_per_day": 3,
        "worker_name": "Sam Broker",
        "worker_team": "Hospital discharge team",
        "completed_on": "2026-11-23",
        **overrides,
    }


def test_a_body_is_made_into_a_referral_once_and_found_again_by_its_external_id(parties, council):
    taken = referral_intake(council=council, body=body(parties), via="Mosaic")

    assert taken.created and taken.errors is None
    referral = taken.referral
    assert referral is not None
    assert (referral.external_id, referral.provider, referral.district.name) == (
        "CM-1",
        parties.provider,
        "Hollowmere",
    )
    assert referral.received_at == NOW
    assert referral.events.get().by_label == "Mosaic"

    again = referral_intake(council=council, body=body(parties, ward="Ward 9"), via="Mosaic")

    assert (again.referral, again.created, again.errors) == (referral, False, None)
    assert Referral.objects.count() == 1


def test_the_moment_taken_replaces_the_moment_the_body_gives(parties, council):
    taken_at = NOW - timedelta(minutes=5)
    given = body(parties, received_at="2026-11-20T09:00:00+00:00")

    taken = referral_intake(council=council, body=given, via="Mosaic", received_at=taken_at)

    assert taken.referral is not None
    assert taken.referral.received_at == taken_at
    assert taken.referral.respond_by == referral_respond_by(council.rulebook, taken_at)
    pushed = referral_intake(
        council=council, body={**given, "external_id": "CM-2"}, via="Case management (API)"
    )
    assert pushed.referral is not None
    assert pushed.referral.received_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_a_body_the_serializer_refuses_gives_the_apis_field_errors_as_plain_text(parties, council):
    taken = referral_intake(
        council=council,
        body=body(parties, carers_required="2", colour="blue", service_user={}),
        via="Mosaic",
    )

    assert (taken.referral, taken.created) == (None, False)
    assert taken.errors == {
        "carers_required": ["Give a whole number, like 2, not in quotes."],
        "service_user": {"ss_ref": ["This field is required."]},
        "colour": ["This field is not known."],
    }
    assert all(type(m) is str for m in taken.errors["carers_required"])
    assert not Referral.objects.exists()


def test_the_councils_rules_refuse_with_a_new_persons_errors_under_service_user(parties, council):
    taken = referral_intake(
        council=council,
        body=body(
            parties,
            district="Atlantis",
            source="district_team",
            hospital="",
            service_user={"ss_ref": "AV200001", "first_name": "Edna"},
        ),
        via="Mosaic",
    )

    assert taken.errors is not None
    assert taken.errors["district"] == ["Give the name of one of the council's districts."]
    assert "district_team" in taken.errors
    assert set(taken.errors["service_user"]) >= {"last_name", "date_of_birth", "postcode"}
    assert not Referral.objects.exists()


def test_a_moment_in_the_future_given_by_the_body_is_refused_either_way(parties, council):
    future = body(parties, received_at="2026-11-24T09:00:00+00:00")

    pushed = referral_intake(council=council, body=future, via="API")
    polled = referral_intake(council=council, body=future, via="Mosaic", received_at=NOW)

    assert pushed.errors == polled.errors
    assert pushed.errors == {
        "received_at": ["The time the referral was received cannot be in the future"]
    }


def test_the_feed_needs_the_systems_own_id_which_the_api_leaves_optional(parties, council):
    without = body(parties)
    del without["external_id"]

    polled = referral_intake(council=council, body=without, via="Mosaic", external_id_required=True)
    not_an_object = referral_intake(
        council=council, body="CM-1", via="Mosaic", external_id_required=True
    )
    pushed = referral_intake(council=council, body=without, via="API")

    assert polled.errors == {"external_id": [EXTERNAL_ID_MISSING]}
    assert not_an_object.errors == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got str."],
        "external_id": [EXTERNAL_ID_MISSING],
    }
    assert pushed.created


def test_a_repeated_idempotency_key_gives_the_first_referral(parties, council):
    first = referral_intake(council=council, body=body(parties), via="API", idempotency_key="k1")
    second = referral_intake(
        council=council, body=body(parties, external_id="CM-2"), via="API", idempotency_key="k1"
    )

    assert first.referral is not None
    assert second.referral == first.referral
    assert Referral.objects.count() == 1


def test_the_poll_logs_reason_names_each_field_and_is_bounded():
    errors = {
        "district": ["Give the name of one of the council's districts."],
        "service_user": {"postcode": ["Enter a postcode", "Enter a real postcode"]},
        "non_field_errors": ["Choose one"],
    }

    assert refusal_reason(errors) == (
        "district: Give the name of one of the council's districts.; "
        "service_user.postcode: Enter a postcode; service_user.postcode: Enter a real postcode; "
        "non_field_errors: Choose one"
    )
    long = refusal_reason({"source": ["x" * 5000]}, limit=100)
    assert len(long) == 100 and long.endswith("…")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_the_same_external_id_ten_times_at_once_makes_one_referral(parties, council):
    given = body(parties)

    results = run_together(lambda: referral_intake(council=council, body=given, via="Mosaic"), 10)

    assert Referral.objects.count() == 1
    referral = Referral.objects.get()
    assert sum(result.created for result in results) == 1
    assert {result.referral for result in results} == {referral}
    assert all(result.errors is None for result in results)
