"""The export of everything held about one person, built on the access matrix's world: the other
council's person has a referral, a front-door request, an agreed contract document with its
CPLI, actuals and an action about them."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.frontdoor.requests import services as frontdoor
from carebridge.people.services import service_user_viewed
from carebridge.subjectaccess import services
from carebridge.subjectaccess.records import RECORD_CLASSES
from tests.access_matrix import build_world
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def _download() -> dict:
    world = build_world()
    person, council = world.other_service_user, world.other_council
    officer = make_user(council=council, role="information_governance", email="ig@example.org")
    front_door = world.other_front_door_officer
    frontdoor.request_open(request=world.other_request, by=front_door)
    frontdoor.request_accept(request=world.other_request, by=front_door, service_user=person)
    service_user_viewed(by=world.other_council_broker, person=person)
    sar = services.subject_access_request_create(
        by=officer,
        service_user=person,
        requester="person",
        requester_name="Ottoline Vandersnoot",
        received_on=today(),
    )
    services.subject_access_identity_verify(
        by=officer, request=sar, verified_on=today(), method="Passport"
    )
    client = client_for(officer)
    assert client.post(reverse("subjectaccess:export_prepare", args=[sar.pk])).status_code == 302
    export = sar.exports.get()
    url = reverse("subjectaccess:export_download", args=[sar.pk, export.pk])
    detail = client.get(reverse("subjectaccess:request_detail", args=[sar.pk])).content.decode()
    # Another officer of the same council may not use the link; nor may ours of another council.
    colleague = make_user(council=council, role="information_governance")
    stranger = make_user(council=world.council, role="information_governance")
    refused = [client_for(u).post(url).status_code for u in (colleague, stranger)]
    fetched = client.get(url).status_code
    response = client.post(url)
    body = b"".join(response.streaming_content)
    again = client.post(url).status_code
    zipped = zipfile.ZipFile(io.BytesIO(body))
    return {
        "world": world,
        "sar": sar,
        "officer": officer,
        "url": url,
        "detail": detail,
        "refused": refused,
        "fetched": fetched,
        "response": response,
        "again": again,
        "names": zipped.namelist(),
        "data": json.loads(zipped.read("data.json")),
        "pdf": zipped.read("records.pdf"),
        "events": list(Event.objects.filter(action="subject_access.exported")),
    }


def _offers_the_one_off_download_as_a_button(downloaded):
    assert f'<form method="post" action="{downloaded["url"]}"' in downloaded["detail"]
    assert "Download the export</button>" in downloaded["detail"]


def _downloads_a_zip_of_json_and_pdf_once(downloaded):
    assert downloaded["response"].status_code == 200
    assert downloaded["response"]["Content-Type"] == "application/zip"
    assert sorted(downloaded["names"]) == ["data.json", "records.pdf"]
    assert downloaded["again"] == 404


def _only_its_officer_can_use_the_link(downloaded):
    assert downloaded["refused"] == [404, 404]


def _a_get_does_not_use_it_up(downloaded):
    """Downloading is the page's button: a link followed, prefetched or crawled is refused, and
    the download after it still works (the 200 above)."""
    assert downloaded["fetched"] == 405


def _every_record_class_is_in_the_json(downloaded):
    data, world = downloaded["data"], downloaded["world"]
    # The world has no package review (three weeks of non-engagement): its list is there, empty.
    assert data["package_reviews"] == []
    empty = [c.key for c in RECORD_CLASSES if not data[c.key] and c.key != "package_reviews"]
    assert empty == []
    assert data["service_user"][0]["ss_ref"] == "QX990001"
    assert data["referrals"][0]["id"] == world.other_referral.pk
    assert data["referrals"][0]["history"], "the referral's history is exported with it"
    assert data["front_door_requests"][0]["reference"] == world.other_request.reference
    assert data["contract_documents"][0]["id"] == world.other_document.pk
    assert {a["service_user_id"] for a in data["actuals"]} == {world.other_service_user.pk}
    assert data["actions"][0]["title"] == "Zebedee invoice puzzle"
    assert data["actions"][0]["posts"][0]["attachments"]


def _the_audit_part_says_who_viewed_their_record(downloaded):
    viewed = [e for e in downloaded["data"]["audit_events"] if e["action"] == "service_user.viewed"]
    assert viewed and viewed[0]["who"] == str(downloaded["world"].other_council_broker)


def _nothing_of_another_council_is_exported(downloaded):
    text = json.dumps(downloaded["data"])
    assert downloaded["world"].council.name not in text
    assert "Ashdown Vale Council" not in text


def _the_pdf_opens_and_holds_the_same_content(downloaded):
    reader = PdfReader(io.BytesIO(downloaded["pdf"]))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Records held about" in text
    assert "QX990001" in text
    assert "Zebedee invoice puzzle" in text
    assert "Who changed or viewed their records" in text


def _the_export_is_audited_in_the_persons_council(downloaded):
    (event,) = downloaded["events"]
    sar = downloaded["sar"]
    assert event.actor_id == downloaded["officer"].pk
    assert event.council_id == sar.council_id
    assert event.object_id == str(sar.service_user_id)
    assert event.detail["counts"]["referrals"] == 1


def test_it_exports_everything_held_once_to_its_officer_only():
    """One world for every check (it takes a while to build on a shared machine)."""
    downloaded = _download()
    for check in (
        _offers_the_one_off_download_as_a_button,
        _downloads_a_zip_of_json_and_pdf_once,
        _only_its_officer_can_use_the_link,
        _a_get_does_not_use_it_up,
        _every_record_class_is_in_the_json,
        _the_audit_part_says_who_viewed_their_record,
        _nothing_of_another_council_is_exported,
        _the_pdf_opens_and_holds_the_same_content,
        _the_export_is_audited_in_the_persons_council,
    ):
        check(downloaded)
