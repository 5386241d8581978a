"""Reading Open Referral UK records: the vocabulary of needs, the three envelopes, where
each version puts terms, locations and phones, malformed records, and distances."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carebridge.frontdoor.choices import Outcome
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import SignpostNeed

pytestmark = pytest.mark.django_db


# --- The vocabulary -----------------------------------------------------------------------------


def test_signpost_needs_are_the_ten_outcomes_and_carers_support():
    assert SignpostNeed.values == [*Outcome.values, "carer_support"]


# --- Reading records ----------------------------------------------------------------------------


def test_it_reads_the_three_envelopes():
    assert oruk.read_page([{"id": 1}]).envelope == "list"
    v3 = oruk.read_page({"contents": [], "page_number": 2, "total_pages": 3})
    assert (v3.envelope, v3.page_number, v3.total_pages) == ("v3", 2, 3)
    v1 = oruk.read_page({"content": [{}], "number": 1, "totalPages": 4, "last": False})
    assert (v1.envelope, v1.total_pages, v1.last) == ("v1", 4, False)
    with pytest.raises(oruk.FeedError, match="not an Open Referral UK services list"):
        oruk.read_page({"services": []})


def test_it_reads_terms_where_each_version_puts_them():
    service = oruk.parse_service(
        {
            "id": "s1",
            "name": "Lunch club",
            "status": "Active",
            "attributes": [
                {"taxonomy_term": {"id": "t1", "term": "Lunch clubs", "taxonomy": "Ours"}}
            ],
            "taxonomy_terms": [{"id": "t2", "name": "Meals", "taxonomy_detail": {"name": "HSDS"}}],
            "service_taxonomys": [{"taxonomy": {"id": "t3", "name": "Food", "vocabulary": "esd"}}],
        }
    )
    assert service.status == "active"
    assert [t.as_json() for t in service.terms] == [
        {"id": "t2", "name": "Meals", "vocabulary": "HSDS"},
        {"id": "t1", "name": "Lunch clubs", "vocabulary": "Ours"},
        {"id": "t3", "name": "Food", "vocabulary": "esd"},
    ]


def test_it_reads_a_v1_location_and_a_phone_on_a_contact():
    service = oruk.parse_service(
        {
            "id": 7,
            "name": "Befriending",
            "status": "active",
            "url": "javascript:alert(1)",
            "email": "not an address",
            "contacts": [{"phones": [{"number": "01632 960555"}]}],
            "service_at_locations": [
                {
                    "location": {
                        "name": "Hall",
                        "latitude": "52.95",
                        "longitude": "-1.75",
                        "physical_addresses": [
                            {
                                "address_1": "1 Chapel Lane",
                                "city": "Thistlecombe",
                                "postal_code": "wb12ab",
                            }
                        ],
                    }
                }
            ],
        }
    )
    assert (service.source_id, service.url, service.email, service.phone) == (
        "7",
        "",
        "",
        "01632 960555",
    )
    [place] = service.places
    assert place == oruk.Place(
        name="Hall",
        address="1 Chapel Lane, Thistlecombe, WB1 2AB",
        postcode="WB1 2AB",
        latitude=Decimal("52.950000"),
        longitude=Decimal("-1.750000"),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "  "}, "it has no name"),
        ({"id": None}, "it has no id"),
        ({"status": "open"}, "its status 'open' is not one of"),
        ({"minimum_age": 70, "maximum_age": 60}, "minimum_age 70 is above its maximum_age 60"),
        ({"minimum_age": "sixty"}, "minimum_age must be a whole number"),
        (
            {"service_at_locations": [{"location": {"latitude": 52.9}}]},
            "location 1: it has a latitude or a longitude, but not both",
        ),
        (
            {"service_at_locations": [{"location": {"latitude": 52.9, "longitude": -181}}]},
            "location 1: its longitude -181 is out of range",
        ),
    ],
)
def test_it_refuses_a_malformed_record(change, message):
    raw = {"id": "s1", "name": "Club", "status": "active", **change}
    with pytest.raises(oruk.RecordError, match=message):
        oruk.parse_service(raw)


def test_it_reads_zero_coordinates_as_unknown():
    assert oruk.coordinates(0, 0) == (None, None)


def test_it_leaves_out_a_second_record_with_the_same_id():
    valid, skipped = oruk.parse_services(
        [
            {"id": "a", "name": "One", "status": "active"},
            {"id": "a", "name": "Two", "status": "active"},
        ]
    )
    assert [s.name for s in valid] == ["One"]
    assert skipped == [oruk.Skipped("Record 2 (id a)", "Left out: another record has the same id.")]


def test_it_says_distances_in_miles():
    assert oruk.miles(1.0) == "0.6 miles"
    assert oruk.miles(1.609344) == "1 mile"
    assert oruk.miles(0.1) == "less than 0.1 miles"
    assert oruk.miles(30) == "19 miles"


def test_haversine_gives_a_degree_of_latitude_as_its_arc():
    # One degree along a meridian is the mean radius times pi over 180: 111.195 km.
    assert oruk.haversine_km(51.5, 0.0, 52.5, 0.0) == pytest.approx(111.19508, abs=1e-4)
    # A quarter of the equator.
    assert oruk.haversine_km(0, 0, 0, 90) == pytest.approx(10007.557, abs=1e-3)
