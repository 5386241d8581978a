"""The signposting directory: the Open Referral UK import, the postcode table, where a postcode
is, and which services someone is signposted to."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.frontdoor.choices import Outcome
from carebridge.frontdoor.directory import areas, fetch, imports, postcodes, taxonomy
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import SignpostNeed
from carebridge.frontdoor.directory.selectors import area_for, signposting_for
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryLocation,
    DirectoryService,
    FrontDoorSettings,
    NeighbouringArea,
    Postcode,
    TaxonomyMapping,
)
from carebridge.organisations.models import Council
from tests.support import make_council, make_district, make_user

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent.parent / "data"
FEED = DATA / "oruk_services.json"
VOCABULARY = "Thistlecombe Community Directory"
MAPPING = {
    "Lunch clubs": "nutrition",
    "Meals at home": "nutrition",
    "Bathing support": "hygiene",
    "Continence support": "toilet",
    "Clothing": "clothing",
    "Home repairs and adaptations": "home_safety",
    "Falls prevention": "home_safety",
    "Keeping warm": "habitable_home",
    "Befriending": "relationships",
    "Dementia support": "relationships",
    "Volunteering": "work",
    "Community transport": "community",
    "Social groups": "community",
    "Digital skills": "community",
    "Exercise classes": "community",
    "Parent and toddler groups": "child_care",
    "Support for carers": "carer_support",
}


def feed() -> dict[str, Any]:
    return json.loads(FEED.read_text(encoding="utf-8"))


def valid_services() -> list[dict[str, Any]]:
    return [
        s
        for s in feed()["contents"]
        if isinstance(s, dict)
        and s["name"]
        and s["status"] != "open"
        and s["service_at_locations"][0]["location"]["latitude"] < 90
    ]


def write_feed(tmp_path: Path, contents: Any, name: str = "feed.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(contents), encoding="utf-8")
    return path


def by_name(council: Council, name: str) -> DirectoryService:
    return DirectoryService.objects.get(council=council, name=name)


@dataclass
class World:
    council: Council
    officer: User
    other_council: Council
    other_officer: User


def build() -> World:
    """Our council (Thistlecombe: WB1 to WB6) with a front-door officer, and another council."""
    council = make_council("Thistlecombe District Council")
    make_district(council, "Thistlecombe", "WB1 WB2 WB3")
    make_district(council, "Hensmoor and Pellingby", "WB4 WB5 WB6")
    other = make_council("Quillinghurst Metropolitan Council")
    make_district(other, "Quillinghurst", "QX1")
    return World(
        council=council,
        officer=make_user(council=council, role=Role.FRONT_DOOR_OFFICER),
        other_council=other,
        other_officer=make_user(council=other, role=Role.FRONT_DOOR_OFFICER),
    )


def map_terms(council: Council, by: User | None = None, mapping: dict[str, str] = MAPPING) -> int:
    terms: dict[tuple[str, str], str] = {}
    for service in feed()["contents"]:
        if isinstance(service, dict):
            for attribute in service["attributes"]:
                term = attribute["taxonomy_term"]
                terms[(term["taxonomy"], term["id"])] = term["term"]
    return taxonomy.taxonomy_mapping_save(
        council=council,
        choices=[
            taxonomy.TermChoice(vocabulary=v, term_id=i, term_name=n, outcome=mapping.get(n, ""))
            for (v, i), n in terms.items()
        ],
        by=by,
    )


def import_feed(council: Council, source: Any = FEED, by: User | None = None) -> DirectoryImport:
    return imports.directory_import(council=council, source=str(source), by=by)


def load_postcodes(rows: list[tuple[str, str, str]]) -> postcodes.PostcodeLoad:
    text = "postcode,latitude,longitude\n" + "".join(f"{p},{a},{b}\n" for p, a, b in rows)
    return postcodes.postcodes_load(file=io.StringIO(text), by=None)


@pytest.fixture
def world() -> World:
    return build()


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


# --- The import ---------------------------------------------------------------------------------


def test_it_imports_the_feed_and_reports_the_malformed_records(world):
    log = import_feed(world.council, by=world.officer)

    assert (log.read, log.imported, log.updated, log.removed, log.skipped) == (20, 16, 0, 0, 4)
    assert log.complete and log.succeeded
    contents = feed()["contents"]
    assert log.errors == [
        {"record": f"Record 5 (id {contents[4]['id']})", "message": "Left out: it has no name."},
        {
            "record": f"Record 10 (id {contents[9]['id']})",
            "message": "Left out: location 1: its latitude 152.95 is out of range (-90 to 90).",
        },
        {
            "record": f"Record 14 (id {contents[13]['id']})",
            "message": "Left out: its status 'open' is not one of: active, inactive, defunct, "
            "temporarily closed.",
        },
        {
            "record": "Record 20",
            "message": "Left out: it is not a service object (found a piece of text).",
        },
    ]
    assert DirectoryService.objects.filter(council=world.council).count() == 16
    lunch = by_name(world.council, "Thistlecombe Lunch Club")
    assert lunch.organisation_name == "Thistlecombe Methodist Hall Trust"
    assert lunch.phone == "01632 960101"
    assert lunch.minimum_age == 55 and lunch.maximum_age is None
    assert lunch.opening_times == "Tuesdays and Thursdays, 11:30am to 2pm"
    assert lunch.url.startswith("https://") and lunch.email.endswith(".example.org")
    assert {t["name"] for t in lunch.taxonomy_terms} == {
        "Lunch clubs",
        "Social groups",
        "Older people",
    }
    assert lunch.outcomes == []  # nothing is mapped yet
    [hall] = lunch.locations.all()
    assert hall.name == "Methodist Hall" and hall.postcode.startswith("WB1 ")
    assert hall.address.startswith("14 Chapel Lane, Thistlecombe, Northshire, WB1 ")
    # Phones on the service itself (HSDS 3) and on its location are found too.
    assert by_name(world.council, "Carers Connect").phone == "01632 960104"
    assert by_name(world.council, "Easy Dressing Clothes Exchange").phone == "01632 960111"
    assert by_name(world.council, "Riverside Knit and Natter").status == "inactive"
    assert DirectoryLocation.objects.filter(service__council=world.council).count() == 17
    event = Event.objects.get(action="directory.imported")
    assert event.actor == world.officer and event.council_id == world.council.pk
    assert event.after == {"read": 20, "imported": 16, "updated": 0, "removed": 0, "skipped": 4}


def test_the_mapping_gives_imported_services_their_needs(world):
    map_terms(world.council)
    import_feed(world.council)

    assert by_name(world.council, "Thistlecombe Lunch Club").outcomes == ["nutrition", "community"]
    assert by_name(world.council, "Memory Café").outcomes == [
        "relationships",
        "community",
        "carer_support",
    ]


def test_importing_the_same_feed_again_changes_nothing(world):
    first = import_feed(world.council)
    before = {
        s.source_id: (s.pk, s.imported_at)
        for s in DirectoryService.objects.filter(council=world.council)
    }
    locations = set(DirectoryLocation.objects.values_list("pk", flat=True))

    again = import_feed(world.council)

    assert (again.read, again.imported, again.updated, again.removed, again.skipped) == (
        20,
        0,
        0,
        0,
        4,
    )
    after = {
        s.source_id: (s.pk, s.imported_at)
        for s in DirectoryService.objects.filter(council=world.council)
    }
    assert after == before
    assert set(DirectoryLocation.objects.values_list("pk", flat=True)) == locations
    assert DirectoryImport.objects.filter(council=world.council).count() == 2
    assert first.pk != again.pk


def test_a_changed_service_is_updated_with_its_locations(world, tmp_path):
    import_feed(world.council)
    changed = feed()
    lunch = changed["contents"][0]
    lunch["name"] = "Thistlecombe Lunch and Social Club"
    lunch["service_at_locations"][0]["location"]["name"] = "The New Hall"

    log = import_feed(world.council, write_feed(tmp_path, changed))

    assert (log.imported, log.updated, log.removed) == (0, 1, 0)
    service = by_name(world.council, "Thistlecombe Lunch and Social Club")
    assert [location.name for location in service.locations.all()] == ["The New Hall"]


def test_services_gone_from_a_complete_feed_are_removed(world, tmp_path):
    import_feed(world.council)
    shorter = feed()
    gone = [shorter["contents"].pop(1)["name"], shorter["contents"].pop(1)["name"]]

    log = import_feed(world.council, write_feed(tmp_path, shorter))

    assert (log.imported, log.updated, log.removed) == (0, 0, 2)
    assert not DirectoryService.objects.filter(name__in=gone).exists()
    assert Event.objects.filter(action="directory.imported").order_by("pk").last().detail[
        "removed"
    ] == sorted(gone)


def test_a_service_malformed_this_time_keeps_its_earlier_version(world, tmp_path):
    import_feed(world.council)
    broken = feed()
    broken["contents"][0]["status"] = "closed for now"

    log = import_feed(world.council, write_feed(tmp_path, broken))

    assert (log.removed, log.skipped) == (0, 5)
    assert by_name(world.council, "Thistlecombe Lunch Club").status == "active"


def test_a_file_of_one_page_of_a_longer_feed_removes_nothing(world, tmp_path):
    import_feed(world.council)
    page = {**feed(), "total_pages": 3, "last_page": False}
    page["contents"] = page["contents"][:3]

    log = import_feed(world.council, write_feed(tmp_path, page))

    assert not log.complete
    assert log.removed == 0
    assert DirectoryService.objects.filter(council=world.council).count() == 16


def test_a_plain_list_is_a_whole_feed(world, tmp_path):
    import_feed(world.council)

    log = import_feed(world.council, write_feed(tmp_path, valid_services()[:10]))

    assert log.complete and log.removed == 6


def test_nothing_is_half_imported_when_the_import_fails_part_way(world, tmp_path, monkeypatch):
    import_feed(world.council)
    before = sorted(DirectoryService.objects.values_list("name", "status"))
    locations = DirectoryLocation.objects.count()
    changed = feed()
    changed["contents"][0]["name"] = "Renamed Lunch Club"
    changed["contents"].pop(2)  # a removal too
    changed["contents"].append({**valid_services()[0], "id": "new-one", "name": "A New Service"})

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DirectoryLocation.objects, "bulk_create", fail)
    with pytest.raises(imports.DirectoryImportFailed, match="unexpected error") as failed:
        import_feed(world.council, write_feed(tmp_path, changed))

    assert sorted(DirectoryService.objects.values_list("name", "status")) == before
    assert DirectoryLocation.objects.count() == locations
    log = DirectoryImport.objects.get(pk=failed.value.log.pk)
    assert "disk full" in log.failure and log.finished_at is not None
    assert (log.imported, log.updated, log.removed) == (0, 0, 0)
    assert Event.objects.filter(action="directory.import_failed").count() == 1


def test_an_empty_or_unreadable_feed_changes_nothing(world, tmp_path):
    import_feed(world.council)
    for contents, message in [
        ({"contents": [], "total_pages": 1}, "no services"),
        (["not a service", 3], "None of the 2 records"),
    ]:
        with pytest.raises(imports.DirectoryImportFailed, match=message):
            import_feed(world.council, write_feed(tmp_path, contents))
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(imports.DirectoryImportFailed, match="The file is not JSON"):
        import_feed(world.council, tmp_path / "broken.json")
    with pytest.raises(imports.DirectoryImportFailed, match="could not be read"):
        import_feed(world.council, tmp_path / "missing.json")
    assert DirectoryService.objects.filter(council=world.council).count() == 16


def test_feed_locations_without_coordinates_take_their_postcodes_point(world, tmp_path):
    load_postcodes([("WB1 2AB", "52.953000", "-1.747000")])
    record = {
        "id": "x1",
        "name": "Drop-in",
        "status": "active",
        "service_at_locations": [
            {
                "location": {
                    "name": "Hall",
                    "addresses": [{"address_1": "1 Lane", "postal_code": "WB1 2AB"}],
                }
            }
        ],
    }

    import_feed(world.council, write_feed(tmp_path, [record]))

    [location] = DirectoryLocation.objects.filter(service__name="Drop-in")
    assert (location.latitude, location.longitude) == (Decimal("52.953000"), Decimal("-1.747000"))


# --- Reading a feed over HTTP -------------------------------------------------------------------


@pytest.fixture
def feed_server(settings):
    # The feed runs on 127.0.0.1, which production never fetches: only tests allow it.
    settings.OUTBOUND_ALLOW_LOOPBACK = True
    """A directory's API on loopback: serves `server.pages` (page number → JSON) and records
    every request's query."""
    requests: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            requests.append(query)
            page = int(query.get("page", ["1"])[0])
            status, body = self.server.respond(page)  # type: ignore[attr-defined]
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.respond = lambda page: (200, [])  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/api/services?taxonomy_id=adults"  # type: ignore[attr-defined]
    yield server, requests
    server.shutdown()
    server.server_close()


def v1_pages(records: list[Any], size: int):
    pages = [records[i : i + size] for i in range(0, len(records), size)]

    def respond(page: int):
        contents = pages[page - 1] if page <= len(pages) else []
        return 200, {
            "totalElements": len(records),
            "totalPages": len(pages),
            "number": page,
            "size": size,
            "first": page == 1,
            "last": page >= len(pages),
            "content": contents,
        }

    return respond


def test_it_follows_the_pages_of_a_v1_feed(world, feed_server):
    server, requests = feed_server
    server.respond = v1_pages(feed()["contents"], 6)

    log = import_feed(world.council, server.url)

    assert (log.read, log.imported, log.skipped, log.complete) == (20, 16, 4, True)
    assert [q["page"] for q in requests] == [["1"], ["2"], ["3"], ["4"]]
    assert all(q["per_page"] == [str(fetch.PER_PAGE)] for q in requests)
    assert all(q["taxonomy_id"] == ["adults"] for q in requests)


def test_it_follows_the_pages_of_a_v3_feed(world, feed_server):
    server, requests = feed_server
    records = feed()["contents"]

    def respond(page: int):
        contents = records[(page - 1) * 10 : page * 10]
        return 200, {"total_items": 20, "total_pages": 2, "page_number": page, "contents": contents}

    server.respond = respond
    log = import_feed(world.council, server.url)

    assert (log.read, log.imported, log.complete) == (20, 16, True)
    assert len(requests) == 2


def test_a_feed_that_answers_an_error_imports_nothing(world, feed_server):
    import_feed(world.council)
    server, _requests = feed_server
    pages = v1_pages(feed()["contents"], 5)
    server.respond = lambda page: (503, {}) if page == 3 else pages(page)

    with pytest.raises(imports.DirectoryImportFailed, match="503"):
        import_feed(world.council, server.url)

    assert DirectoryService.objects.filter(council=world.council).count() == 16
    assert DirectoryImport.objects.latest("pk").failure.startswith("The feed answered 503")


def test_it_refuses_plain_http_and_this_machines_network(settings):
    settings.OUTBOUND_ALLOW_LOOPBACK = False
    assert fetch.feed_url_refusal("https://directory.example.org/services") == ""
    assert "https://" in fetch.feed_url_refusal("http://directory.example.org/services")
    assert "https://" in fetch.feed_url_refusal("file:///etc/passwd")
    for local in (
        "http://127.0.0.1:8000/services",
        "https://localhost/services",
        "https://[::ffff:127.0.0.1]/services",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.8/services",
    ):
        assert fetch.feed_url_refusal(local) != "", local
    assert fetch.page_url("https://d.example.org/s?page=9&x=1", 2) == (
        "https://d.example.org/s?x=1&page=2&per_page=100"
    )


def test_the_import_never_fetches_this_machine_without_the_test_allowance(
    world, feed_server, settings
):
    server, requests = feed_server
    settings.OUTBOUND_ALLOW_LOOPBACK = False

    with pytest.raises(imports.DirectoryImportFailed, match="cannot be used"):
        import_feed(world.council, server.url)

    assert requests == []


def test_the_import_follows_no_redirect(world, feed_server):
    server, requests = feed_server
    server.respond = lambda page: (302, {})

    with pytest.raises(imports.DirectoryImportFailed, match="no redirect"):
        import_feed(world.council, server.url)

    assert len(requests) == 1


def test_the_nightly_refresh_imports_every_council_with_a_feed(world, feed_server):
    server, _requests = feed_server
    server.respond = v1_pages(feed()["contents"], 50)
    FrontDoorSettings.objects.create(council=world.council, directory_feed_url=server.url)
    FrontDoorSettings.objects.create(
        council=world.other_council, directory_feed_url="http://directory.example.org/feed"
    )
    third = make_council("Fenmarrow Borough Council")
    FrontDoorSettings.objects.create(council=third)

    from carebridge.frontdoor.tasks import refresh_directories

    results = refresh_directories.call_local()

    assert results == {
        world.council.slug: "16 new, 0 changed, 0 removed, 4 skipped",
        world.other_council.slug: "failed: The feed's address cannot be used. The address "
        "must start with https://.",
    }
    assert DirectoryService.objects.filter(council=world.council).count() == 16


def test_the_command_prints_the_counts_and_every_record_left_out(world):
    out = io.StringIO()
    call_command(
        "directory_import", "--council", world.council.slug, "--file", str(FEED), stdout=out
    )

    text = out.getvalue()
    assert "20 records read, 16 new, 0 changed, 0 removed, 4 left out." in text
    assert "Record 5 (id " in text and "Left out: it has no name." in text
    assert "Record 20: Left out: it is not a service object" in text


def test_the_command_fails_loudly(world, tmp_path):
    with pytest.raises(CommandError, match="No council with slug"):
        call_command("directory_import", "--council", "nowhere", "--file", str(FEED))
    with pytest.raises(CommandError, match="Nothing was imported: The file is not JSON"):
        (tmp_path / "x.json").write_text("<html>", encoding="utf-8")
        call_command(
            "directory_import", "--council", world.council.slug, "--file", str(tmp_path / "x.json")
        )


# --- The taxonomy mapping -----------------------------------------------------------------------


def test_saving_the_mapping_derives_every_services_needs_again(world):
    import_feed(world.council)

    changed = map_terms(world.council, by=world.officer)

    assert changed == 16
    assert by_name(world.council, "Dial-a-Ride Community Transport").outcomes == ["community"]
    # Unmapping a term takes its need off every service at once.
    changed = map_terms(world.council, mapping={**MAPPING, "Social groups": ""})
    assert by_name(world.council, "Thistlecombe Lunch Club").outcomes == ["nutrition"]
    assert changed == 3  # the lunch club, the memory café and the knitting group
    assert not TaxonomyMapping.objects.filter(term_name="Social groups").exists()
    event = Event.objects.filter(action="directory.mapping_saved").order_by("pk").last()
    assert event.before == {
        f"{VOCABULARY}: Social groups ({event_term_id('Social groups')})": "community"
    }


def event_term_id(name: str) -> str:
    for service in valid_services():
        for attribute in service["attributes"]:
            if attribute["taxonomy_term"]["term"] == name:
                return attribute["taxonomy_term"]["id"]
    raise AssertionError(name)


def test_a_mapping_to_an_unknown_need_changes_nothing(world):
    import_feed(world.council)
    map_terms(world.council)
    with pytest.raises(ValidationError):
        taxonomy.taxonomy_mapping_save(
            council=world.council,
            choices=[
                taxonomy.TermChoice(VOCABULARY, event_term_id("Lunch clubs"), "Lunch clubs", ""),
                taxonomy.TermChoice(VOCABULARY, event_term_id("Befriending"), "Befriending", "fun"),
            ],
            by=None,
        )
    assert TaxonomyMapping.objects.filter(term_name="Lunch clubs").exists()


# --- Neighbouring areas -------------------------------------------------------------------------


def test_neighbouring_areas_are_checked_and_audited(world):
    area = areas.neighbouring_area_create(
        council=world.council,
        by=world.officer,
        name=" Corvedge  District Council",
        postcode_districts="wb8, wb7 WB8",
    )
    assert (area.name, area.postcode_districts) == ("Corvedge District Council", "WB8 WB7")

    with pytest.raises(ValidationError, match="own districts"):
        areas.neighbouring_area_create(
            council=world.council, by=None, name="Mistaken", postcode_districts="WB9 WB1"
        )
    with pytest.raises(ValidationError):
        areas.neighbouring_area_create(
            council=world.council,
            by=None,
            name="Corvedge District Council",
            postcode_districts="WB9",
        )
    with pytest.raises(ValidationError, match="outward codes"):
        areas.neighbouring_area_create(
            council=world.council, by=None, name="Typo", postcode_districts="W B9"
        )

    areas.neighbouring_area_update(
        area=area, by=world.officer, name=area.name, postcode_districts="WB7", phone="01632 960200"
    )
    assert NeighbouringArea.objects.get(pk=area.pk).postcode_districts == "WB7"
    areas.neighbouring_area_remove(area=area, by=world.officer)
    assert not NeighbouringArea.objects.exists()
    assert list(
        Event.objects.filter(action__startswith="neighbouring_area")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["neighbouring_area.created", "neighbouring_area.updated", "neighbouring_area.removed"]


# --- The postcode table -------------------------------------------------------------------------


def test_it_loads_postcodes_and_rejects_bad_rows_by_line(world):
    text = (
        "postcode,latitude,longitude\n"
        "wb1 2ab,52.9530,-1.7470\n"
        "WB12AD,52.9540,-1.7480\n"
        "\n"
        "NOT A CODE,52.9,-1.7\n"
        "WB1 2AE,ninety,-1.7\n"
        "WB1 2AF,99.999999,0.000000\n"
        "WB1 2AG,-1.7470,52.9530\n"
        "WB1 2AH\n"
    )
    result = postcodes.postcodes_load(file=io.StringIO(text), by=None)

    assert (result.read, result.loaded, result.rejected) == (7, 2, 5)
    assert result.problems == [
        "Line 5: 'NOT A CODE' is not a postcode",
        "Line 6: WB1 2AE: the latitude and longitude must be numbers",
        "Line 7: WB1 2AF: it has no coordinates (the ONS marks these 99.999999)",
        "Line 8: WB1 2AG: -1.7470, 52.9530 is not in the United Kingdom",
        "Line 9: it has too few columns",
    ]
    assert dict(Postcode.objects.values_list("postcode", "latitude")) == {
        "WB1 2AB": Decimal("52.953000"),
        "WB1 2AD": Decimal("52.954000"),
    }


def test_it_reads_the_ons_columns_and_updates_postcodes_already_there(world):
    load_postcodes([("WB1 2AB", "52.9", "-1.7")])
    text = "pcd,pcd2,pcds,dointr,doterm,lat,long,oa21\nWB1  2AB,WB1  2AB,WB1 2AB,202001,,52.953,-1.747,E00000001\n"

    result = postcodes.postcodes_load(file=io.StringIO(text), by=None)

    assert result.loaded == 1
    point = Postcode.objects.get(postcode="WB1 2AB")
    assert (point.latitude, point.longitude) == (Decimal("52.953000"), Decimal("-1.747000"))


def test_a_strict_load_or_a_failure_loads_nothing(world, monkeypatch):
    text = "postcode,latitude,longitude\nWB1 2AB,52.9,-1.7\nWB1 2AD,52.9,-1.7\nWB1 2AE,x,y\n"
    with pytest.raises(postcodes.PostcodesRefused, match="1 row could not be loaded, so none were"):
        postcodes.postcodes_load(file=io.StringIO(text), by=None, strict=True, batch_size=1)
    assert not Postcode.objects.exists()

    calls = []
    real = postcodes._flush

    def flaky(batch):
        calls.append(len(batch))
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        real(batch)

    monkeypatch.setattr(postcodes, "_flush", flaky)
    with pytest.raises(RuntimeError):
        postcodes.postcodes_load(file=io.StringIO(text), by=None, batch_size=1)
    assert not Postcode.objects.exists()


def test_it_refuses_a_file_without_the_columns(world):
    with pytest.raises(postcodes.PostcodesRefused, match="no latitude column"):
        postcodes.postcodes_load(file=io.StringIO("postcode,x,y\nWB1 2AB,1,2\n"), by=None)


def test_the_postcodes_command_reports_rows_loaded_and_rejected(world, tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "\ufeffpcds,lat,long\nWB1 2AB,52.953,-1.747\nQQ1 1AA,52.9,-1.7\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("postcodes_load", "--file", str(path), stdout=out)
    assert "1 postcodes loaded, 1 rows rejected, of 2 read" in out.getvalue()
    assert "Line 3: 'QQ1 1AA' is not a postcode" in out.getvalue()


# --- Where a postcode is ------------------------------------------------------------------------


def test_area_for_tells_inside_neighbour_and_unknown(world):
    corvedge = areas.neighbouring_area_create(
        council=world.council,
        by=None,
        name="Corvedge District Council",
        postcode_districts="WB7 WB8",
    )
    load_postcodes([("WB1 2AB", "52.953", "-1.747"), ("WB7 1AA", "53.01", "-1.81")])

    assert area_for(world.council, "wb12ab") == area_for(world.council, "WB1 2AB")
    inside = area_for(world.council, "WB1 2AB")
    assert (inside.kind, inside.neighbour, inside.latitude) == (
        "inside",
        None,
        Decimal("52.953000"),
    )
    assert area_for(world.council, "WB6 9ZZ").kind == "inside"  # not in the table: no point
    assert area_for(world.council, "WB6 9ZZ").latitude is None
    neighbour = area_for(world.council, "WB7 1AA")
    assert (neighbour.kind, neighbour.neighbour) == ("neighbour", corvedge)
    assert neighbour.longitude == Decimal("-1.810000")
    assert area_for(world.council, "WB9 1AA").kind == "unknown"
    assert (
        area_for(world.council, "QX1 1AA").kind == "unknown"
    )  # another council's, not a neighbour
    assert area_for(world.council, "not a postcode").kind == "unknown"


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
