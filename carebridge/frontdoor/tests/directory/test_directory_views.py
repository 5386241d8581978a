"""The directory pages: front-door officers' directory, imports, taxonomy mapping and
neighbouring areas (their council's only), and the public list of services with its e-mail."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.core.permissions import Role
from carebridge.frontdoor.directory import areas, imports
from carebridge.frontdoor.directory.forms import term_field_name
from carebridge.frontdoor.directory.selectors import taxonomy_terms_for
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryService,
    FrontDoorSettings,
    NeighbouringArea,
)
from carebridge.frontdoor.tests.directory import directory_support as d
from carebridge.notifications.models import Notification, NotificationKind
from tests.support import client_for, make_provider, make_user

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    world = d.build()
    d.map_terms(world.council)
    d.import_feed(world.council, by=world.officer)
    d.load_postcodes([("WB1 2AB", "52.953000", "-1.747000"), ("WB7 1AA", "53.010000", "-1.810000")])
    areas.neighbouring_area_create(
        council=world.council,
        by=None,
        name="Corvedge District Council",
        postcode_districts="WB7 WB8",
        website="https://www.corvedge.example.org/care",
        phone="01632 960200",
    )
    # The other council's own directory, import and neighbour: never shown to us.
    imports.directory_import(
        council=world.other_council, source=str(d.FEED), by=world.other_officer
    )
    DirectoryService.objects.filter(council=world.other_council).update(
        name="Zanzibar Quill Service"
    )
    areas.neighbouring_area_create(
        council=world.other_council,
        by=None,
        name="Quillshire Neighbour Council",
        postcode_districts="QX9",
    )
    return world


def other(world, model):
    return model.objects.filter(council=world.other_council).first()


# --- Who may open the officers' pages -----------------------------------------------------------


def officer_urls(world) -> list[str]:
    service = DirectoryService.objects.filter(council=world.council).first()
    log = DirectoryImport.objects.filter(council=world.council).first()
    area = NeighbouringArea.objects.filter(council=world.council).first()
    return [
        reverse("frontdoor:directory_list"),
        reverse("frontdoor:directory_service", args=[service.pk]),
        reverse("frontdoor:directory_imports"),
        reverse("frontdoor:directory_import", args=[log.pk]),
        reverse("frontdoor:taxonomy_mapping"),
        reverse("frontdoor:neighbour_list"),
        reverse("frontdoor:neighbour_add"),
        reverse("frontdoor:neighbour_edit", args=[area.pk]),
        reverse("frontdoor:neighbour_remove", args=[area.pk]),
    ]


def test_a_front_door_officer_opens_every_directory_page(world):
    client = client_for(world.officer)
    for url in officer_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Zanzibar Quill" not in body(response)
        assert "Quillshire" not in body(response)


def test_other_roles_are_refused_and_visitors_sent_to_log_in(world):
    provider_user = make_user(provider=make_provider())
    broker = make_user(council=world.council, role=Role.BROKER)
    admin = make_user(council=world.council, role=Role.COUNCIL_ADMINISTRATOR)
    for url in officer_urls(world):
        for user in (provider_user, broker, admin):
            assert client_for(user).get(url).status_code == 403, url
            # 405: a page that only shows refuses POST before looking at anything.
            assert client_for(user).post(url).status_code in (403, 405), url
        response = client_for().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_another_councils_objects_are_not_found(world):
    client = client_for(world.officer)
    urls = [
        reverse("frontdoor:directory_service", args=[other(world, DirectoryService).pk]),
        reverse("frontdoor:directory_import", args=[other(world, DirectoryImport).pk]),
        reverse("frontdoor:neighbour_edit", args=[other(world, NeighbouringArea).pk]),
        reverse("frontdoor:neighbour_remove", args=[other(world, NeighbouringArea).pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        posted = client.post(url, {"name": "Mine now", "postcode_districts": "WB9"})
        assert posted.status_code in (404, 405), url
    assert NeighbouringArea.objects.filter(council=world.other_council).count() == 1
    assert not NeighbouringArea.objects.filter(name="Mine now").exists()


# --- The directory list and a service -----------------------------------------------------------


def test_the_list_filters_by_need_search_and_status(world):
    client = client_for(world.officer)
    url = reverse("frontdoor:directory_list")

    everything = body(client.get(url))
    assert "16 services" in everything

    nutrition = body(client.get(url, {"need": "nutrition"}))
    assert "2 services" in nutrition
    assert "Thistlecombe Lunch Club" in nutrition and "Carers Connect" not in nutrition

    searched = body(client.get(url, {"q": "befriending"}))
    assert "Friendly Voices Befriending" in searched and "Lunch Club" not in searched

    closed = body(client.get(url, {"status": "temporarily closed"}))
    assert "1 service<" in closed and "Sallow Cross Swim" in closed

    assert "No services match" in body(client.get(url, {"q": "zzzz"}))


def test_the_list_runs_the_same_queries_however_many_services(world, django_assert_num_queries):
    client = client_for(world.officer)
    url = reverse("frontdoor:directory_list")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    DirectoryService.objects.bulk_create(
        DirectoryService(
            council=world.council,
            source_id=f"bulk-{n}",
            name=f"Group {n}",
            status="active",
            imported_at=DirectoryService.objects.first().imported_at,
        )
        for n in range(120)
    )
    with django_assert_num_queries(len(few)):
        client.get(url)


def test_a_service_shows_its_terms_needs_and_locations(world):
    service = DirectoryService.objects.get(council=world.council, name="Memory Café")
    page = body(
        client_for(world.officer).get(reverse("frontdoor:directory_service", args=[service.pk]))
    )
    assert "Hensmoor Dementia Friends" in page
    assert "Dementia support" in page and "Keeping in touch with family and friends" in page
    assert "Support for carers" in page
    assert "The Moorside Inn function room" in page
    assert service.source_id in page


# --- Imports ------------------------------------------------------------------------------------


def test_the_imports_page_lists_imports_and_an_import_its_left_out_records(world):
    client = client_for(world.officer)
    page = body(client.get(reverse("frontdoor:directory_imports")))
    assert "Imported, some left out" in page

    log = DirectoryImport.objects.filter(council=world.council).first()
    detail = body(client.get(reverse("frontdoor:directory_import", args=[log.pk])))
    assert "Left out: it has no name." in detail
    assert "Record 20" in detail
    assert world.officer.full_name in detail


def test_an_officer_can_upload_a_feed_file(world):
    client = client_for(world.officer)
    upload = SimpleUploadedFile("thistlecombe.json", d.FEED.read_bytes(), "application/json")

    response = client.post(reverse("frontdoor:directory_imports"), {"feed": upload}, follow=True)

    log = DirectoryImport.objects.filter(council=world.council).first()
    assert log.source == "Upload thistlecombe.json"
    assert response.redirect_chain[-1][0] == reverse("frontdoor:directory_import", args=[log.pk])
    assert "Directory imported: 0 new, 0 changed, 0 removed, 4 left out" in body(response)


def test_a_broken_upload_says_nothing_was_imported(world):
    client = client_for(world.officer)
    upload = SimpleUploadedFile("feed.json", b"<html>", "application/json")

    response = client.post(reverse("frontdoor:directory_imports"), {"feed": upload}, follow=True)

    assert "Nothing was imported: The file is not JSON" in body(response)
    assert DirectoryService.objects.filter(council=world.council).count() == 16
    no_file = client.post(reverse("frontdoor:directory_imports"), {})
    assert "Choose a feed file" in body(no_file)


# --- The taxonomy mapping -----------------------------------------------------------------------


def test_the_mapping_page_lists_every_term_and_saves_at_once(world):
    client = client_for(world.officer)
    url = reverse("frontdoor:taxonomy_mapping")
    page = body(client.get(url))
    terms = taxonomy_terms_for(world.council)
    assert "Lunch clubs" in page and "Who it is for" in page
    assert f"{len(terms)} terms" in page

    data = {term_field_name(t): t.outcome for t in terms}
    lunch = next(t for t in terms if t.term_name == "Lunch clubs")
    older = next(t for t in terms if t.term_name == "Older people")
    data[term_field_name(lunch)] = ""
    data[term_field_name(older)] = "community"
    response = client.post(url, data, follow=True)

    assert "Mapping saved: the needs of" in body(response)
    assert DirectoryService.objects.get(
        council=world.council, name="Warm Water Bathing Service"
    ).outcomes == [
        "hygiene",
        "community",
    ]
    assert DirectoryService.objects.get(
        council=world.council, name="Thistlecombe Lunch Club"
    ).outcomes == ["community"]


def test_the_mapping_page_refuses_an_unknown_need(world):
    client = client_for(world.officer)
    terms = taxonomy_terms_for(world.council)
    response = client.post(
        reverse("frontdoor:taxonomy_mapping"), {term_field_name(terms[0]): "flying"}
    )
    assert response.status_code == 200
    assert "There is a problem" in body(response)


# --- Neighbouring areas -------------------------------------------------------------------------


def test_an_officer_adds_changes_and_removes_a_neighbouring_area(world):
    client = client_for(world.officer)
    response = client.post(
        reverse("frontdoor:neighbour_add"),
        {
            "name": "Fenmarrow Borough Council",
            "postcode_districts": "wb9",
            "website": "www.fenmarrow.example.org",
            "phone": "",
        },
        follow=True,
    )
    assert "Fenmarrow Borough Council added" in body(response)
    area = NeighbouringArea.objects.get(name="Fenmarrow Borough Council")
    assert (area.postcode_districts, area.website) == ("WB9", "https://www.fenmarrow.example.org")

    response = client.post(
        reverse("frontdoor:neighbour_edit", args=[area.pk]),
        {
            "name": area.name,
            "postcode_districts": "WB9 WB10",
            "website": "",
            "phone": "01632 960300",
        },
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.postcode_districts, area.phone) == ("WB9 WB10", "01632 960300")

    assert client.post(reverse("frontdoor:neighbour_remove", args=[area.pk])).status_code == 302
    assert not NeighbouringArea.objects.filter(pk=area.pk).exists()


def test_the_neighbour_form_shows_its_errors(world):
    client = client_for(world.officer)
    response = client.post(
        reverse("frontdoor:neighbour_add"), {"name": "", "postcode_districts": "W B9"}
    )
    page = body(response)
    assert "There is a problem" in page
    assert "Enter the council&#x27;s name" in page
    assert "Enter postcode districts like NG22" in page

    response = client.post(
        reverse("frontdoor:neighbour_add"), {"name": "Ours really", "postcode_districts": "WB1"}
    )
    assert "These are in your own districts" in body(response)


# --- The public list ----------------------------------------------------------------------------


@pytest.fixture
def open_world(world):
    FrontDoorSettings.objects.create(council=world.council, is_open=True)
    return world


def support_url(world, **query) -> str:
    url = reverse("care:support", kwargs={"council": world.council.slug})
    if query:
        url += "?" + "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return url


def test_the_public_list_shows_services_for_the_needs_nearest_first(open_world):
    response = client_for().get(
        support_url(open_world, needs="nutrition,community", postcode="wb1 2ab")
    )

    assert response.status_code == 200
    page = body(response)
    assert "Eating and drinking well" in page and "Getting out and using local places" in page
    lunch = page.index("Thistlecombe Lunch Club")
    assert lunch < page.index("Hensmoor Meals at Home") and lunch < page.index(
        "Digital Skills Café"
    )
    assert re.search(r"\d+(\.\d)? miles? away", page)
    assert "Thistlecombe Methodist Hall Trust" in page
    assert "01632 960101" in page
    assert "Riverside Knit and Natter" not in page
    assert "govuk-!-display-none-print" in page
    assert "E-mail me this list" in page
    assert "Zanzibar Quill" not in page


def test_the_public_list_tells_a_neighbours_resident_where_to_go(open_world):
    page = body(client_for().get(support_url(open_world, needs="nutrition", postcode="WB7 1AA")))
    assert "WB7 1AA is in the area of Corvedge District Council" in page
    assert "https://www.corvedge.example.org/care" in page and "01632 960200" in page

    page = body(client_for().get(support_url(open_world, needs="nutrition", postcode="WB9 9ZZ")))
    assert "may not be in Thistlecombe District Council" in page

    page = body(client_for().get(support_url(open_world, needs="nutrition", postcode="nonsense")))
    assert "We did not recognise that postcode" in page


def test_the_public_list_without_needs_lists_nothing(open_world):
    page = body(client_for().get(support_url(open_world)))
    assert "there is no list of services to show" in page
    assert "E-mail me this list" not in page


def test_the_public_list_is_not_found_for_a_council_without_an_open_front_door(world):
    FrontDoorSettings.objects.create(council=world.other_council, is_open=False)
    for slug in (world.council.slug, world.other_council.slug, "nowhere"):
        url = reverse("care:support", kwargs={"council": slug})
        assert client_for().get(url + "?needs=nutrition").status_code == 404


def test_the_list_is_emailed_once_however_often_the_button_is_pressed(
    open_world, django_capture_on_commit_callbacks
):
    client = client_for()
    url = support_url(open_world, needs="nutrition", postcode="WB1 2AB")

    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(url, {"email": "pat@example.org"}, follow=True)
        client.post(url, {"email": "pat@example.org"})

    assert "We have sent the list to pat@example.org" in body(first)
    [email] = Notification.objects.filter(kind=NotificationKind.FRONT_DOOR)
    assert email.to_email == "pat@example.org"
    assert email.subject == "Services that could help – Thistlecombe District Council"
    assert "1. Thistlecombe Lunch Club" in email.body or "1. Hensmoor Meals at Home" in email.body
    assert "Thistlecombe Lunch Club" in email.body and "Phone: 01632 960101" in email.body
    assert "Eating and drinking well" in email.body
    assert "/care-and-support/" in email.body and "&amp;" not in email.body


def test_the_email_form_checks_the_address(open_world):
    response = client_for().post(
        support_url(open_world, needs="nutrition"), {"email": "not an address"}
    )
    page = body(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter an e-mail address in the correct format" in page
    assert not Notification.objects.exists()
