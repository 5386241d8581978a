"""Signposting: which services someone is sent to, ranked by needs met, distance and name;
and the demo directory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carebridge.frontdoor.directory.selectors import area_for, signposting_for
from carebridge.frontdoor.models import DirectoryLocation, DirectoryService, Postcode
from carebridge.frontdoor.tests.directory.directory_support import (
    by_name,
    import_feed,
    load_postcodes,
    map_terms,
)
from carebridge.organisations.models import Council
from tests.support import make_council

pytestmark = pytest.mark.django_db


# --- Signposting --------------------------------------------------------------------------------


def place(service: str, council: Council, lat: str, lon: str) -> None:
    DirectoryLocation.objects.filter(service__council=council, service__name=service).update(
        latitude=Decimal(lat), longitude=Decimal(lon)
    )


@pytest.fixture
def signposting(world):
    map_terms(world.council)
    import_feed(world.council)
    load_postcodes([("WB1 2AB", "52.953000", "-1.747000")])
    return world


def test_it_ranks_by_needs_met_then_distance_then_name(signposting):
    council = signposting.council
    # The person is at WB1 2AB (52.953, -1.747); 0.009 degrees north is 1.0008 km away.
    place("Friendly Voices Befriending", council, "52.962000", "-1.747000")
    place("Thistlecombe Lunch Club", council, "52.971000", "-1.747000")
    place("Hensmoor Meals at Home", council, "52.944000", "-1.747000")

    needs = ["nutrition", "relationships", "community", "carer_support"]
    found = signposting_for(council, needs=needs, postcode="wb1 2ab")

    names = [s.service.name for s in found]
    # Three needs met first, then two, then one each by distance (unknown last), then name.
    assert names[0] == "Memory Café"
    assert names[1] == "Thistlecombe Lunch Club"
    assert found[0].needs == ("relationships", "community", "carer_support")
    assert found[0].relevance == 3
    assert found[1].needs == ("nutrition", "community")
    befriending = next(s for s in found if s.service.name == "Friendly Voices Befriending")
    meals = next(s for s in found if s.service.name == "Hensmoor Meals at Home")
    assert befriending.distance_km == pytest.approx(0.009 * 111.19508, abs=1e-3)
    assert befriending.distance == "0.6 miles"
    assert meals.distance_km == pytest.approx(0.009 * 111.19508, abs=1e-3)
    ones = [s for s in found if s.relevance == 1]
    known = [s.distance_km for s in ones if s.distance_km is not None]
    assert known == sorted(known)
    assert ones.index(befriending) < len(known)
    assert [s.relevance for s in found] == sorted((s.relevance for s in found), reverse=True)
    assert "Riverside Knit and Natter" not in names  # inactive
    assert "Sallow Cross Swim for Over-60s" not in names  # temporarily closed


def test_it_picks_the_nearest_location_of_a_service(signposting):
    council = signposting.council
    hall, studio = DirectoryLocation.objects.filter(service__name="Steady Steps Falls Prevention")
    DirectoryLocation.objects.filter(pk=hall.pk).update(
        latitude=Decimal("53.1"), longitude=Decimal("-1.747")
    )
    DirectoryLocation.objects.filter(pk=studio.pk).update(
        latitude=Decimal("52.954"), longitude=Decimal("-1.747")
    )

    [steady, *_rest] = signposting_for(council, needs=["home_safety"], postcode="WB1 2AB", limit=1)

    assert steady.service.name == "Steady Steps Falls Prevention"
    assert steady.location.pk == studio.pk
    assert steady.distance_km == pytest.approx(0.001 * 111.19508, abs=1e-3)


def test_without_a_postcode_it_ranks_by_needs_then_name(signposting):
    found = signposting_for(signposting.council, needs=["nutrition"], postcode=None)
    assert [s.service.name for s in found] == ["Hensmoor Meals at Home", "Thistlecombe Lunch Club"]
    assert all(s.distance_km is None and s.location is not None for s in found)


def test_it_signposts_nothing_without_needs(signposting):
    assert signposting_for(signposting.council, needs=[], postcode="WB1 2AB") == []
    assert signposting_for(signposting.council, needs=["flying"], postcode="WB1 2AB") == []


def test_it_leaves_out_services_whose_ages_exclude_the_person(signposting):
    names = {
        s.service.name
        for s in signposting_for(signposting.council, needs=["nutrition"], postcode=None, age=40)
    }
    assert names == {"Hensmoor Meals at Home"}  # the lunch club is for 55 and over


def test_it_only_signposts_the_councils_own_services(signposting):
    assert signposting_for(signposting.other_council, needs=["nutrition"], postcode="WB1 2AB") == []


def test_signposting_runs_five_queries_whatever_the_directory_size(
    signposting, django_assert_num_queries
):
    council = signposting.council
    with django_assert_num_queries(5):
        small = signposting_for(council, needs=["community", "nutrition"], postcode="WB1 2AB")
    assert small
    DirectoryService.objects.bulk_create(
        DirectoryService(
            council=council,
            source_id=f"bulk-{n}",
            name=f"Group {n:04d}",
            status="active",
            imported_at=DirectoryService.objects.first().imported_at,
            outcomes=["community"],
        )
        for n in range(3000)
    )
    services_ = list(DirectoryService.objects.filter(source_id__startswith="bulk-"))
    DirectoryLocation.objects.bulk_create(
        DirectoryLocation(
            service=s,
            name="Hall",
            latitude=Decimal("52.9") + Decimal(n) / 10000,
            longitude=Decimal("-1.7"),
        )
        for n, s in enumerate(services_)
    )
    with django_assert_num_queries(5):
        large = signposting_for(council, needs=["community", "nutrition"], postcode="WB1 2AB")
    assert len(large) == 20
    assert large[0].service.name == "Thistlecombe Lunch Club"


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_directory_loads_once_and_stays_inside_its_area():
    from carebridge.demo.frontdoor_directory_demo import POSTCODES, directory_demo

    council = make_council("Northshire County Council")
    made = directory_demo(council)

    assert made["services"] == {"new": 25, "changed": 0, "left out": 0}
    assert made["district"] == "Thistlecombe" and made["neighbouring areas"] == 2
    rows = POSTCODES.read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == made["postcodes"] == 360
    kinds = {
        location.postcode: area_for(council, location.postcode).kind
        for location in DirectoryLocation.objects.filter(service__council=council)
    }
    assert set(kinds.values()) == {"inside", "neighbour"}
    assert all(Postcode.objects.filter(postcode=code).exists() for code in kinds)
    lunch = by_name(council, "Thistlecombe Lunch Club")
    assert lunch.outcomes == ["nutrition", "community"]
    assert signposting_for(council, needs=["nutrition"], postcode=rows[0].split(",")[0])

    again = directory_demo(council)
    assert again == {"services": {"new": 0, "changed": 0, "left out": 0}}
