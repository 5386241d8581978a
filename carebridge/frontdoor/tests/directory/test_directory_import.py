"""The directory import from a file: what it reads, what it leaves out and why, importing
again, changes and removals, failures that change nothing, the management command, and the
taxonomy mapping that gives imported services their needs."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from carebridge.audit.models import Event
from carebridge.frontdoor.directory import imports, taxonomy
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryLocation,
    DirectoryService,
    TaxonomyMapping,
)
from carebridge.frontdoor.tests.directory.directory_support import (
    FEED,
    MAPPING,
    VOCABULARY,
    by_name,
    feed,
    import_feed,
    load_postcodes,
    map_terms,
    valid_services,
    write_feed,
)

pytestmark = pytest.mark.django_db


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


# --- The command --------------------------------------------------------------------------------


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
