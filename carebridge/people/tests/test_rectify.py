"""Corrections to a person's details (the right to rectification): by staff of the person's own
council who may change service users, always with a reason, audited with only what changed,
before and after; another council's person is not found; a refused correction writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.people.forms import RectifyForm
from carebridge.people.models import ServiceUser
from carebridge.people.services import service_user_create, service_user_rectify
from tests.support import client_for, make_council, make_district, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council()
    broker = make_user(council=council, role="broker")
    person = service_user_create(
        council=council, by=broker, ss_ref="RC1", first_name="Ada", last_name="Mos",
        date_of_birth=date(1940, 1, 2), postcode="M1 1AA",
    )  # fmt: skip
    return council, broker, person


def _post(person, **changes):
    data = {
        **{k: ("on" if v is True else "" if v in (None, False) else v)
           for k, v in RectifyForm.initial_of(person).items() if k != "date_of_birth"},
        "date_of_birth_0": "2", "date_of_birth_1": "1", "date_of_birth_2": "1940",
        "reason": "Spelling confirmed with her daughter by phone",
    }  # fmt: skip
    data.update(changes)
    return data


def _rectified():
    return Event.objects.filter(action="service_user.rectified")


def test_it_keeps_only_the_changed_details_before_and_after_with_the_reason(world):
    _council, broker, person = world
    service_user_rectify(
        person=person, by=broker, reason="Misspelt at intake", last_name="Moss", first_name="Ada"
    )
    event = _rectified().get()
    assert (event.before, event.after) == ({"last_name": "Mos"}, {"last_name": "Moss"})
    assert event.detail == {"reason": "Misspelt at intake"}
    assert event.actor == broker and event.council_id == person.council_id
    assert ServiceUser.objects.get(pk=person.pk).last_name == "Moss"


def test_it_writes_nothing_when_nothing_changes(world):
    _council, broker, person = world
    service_user_rectify(person=person, by=broker, reason="Checked", last_name="Mos")
    assert not _rectified().exists()


def test_it_refuses_a_correction_without_a_reason_or_from_another_council(world):
    _council, broker, person = world
    with pytest.raises(ValidationError):
        service_user_rectify(person=person, by=broker, reason="  ", last_name="Moss")
    stranger = make_user(council=make_council(), role="broker")
    with pytest.raises(PermissionDenied):
        service_user_rectify(person=person, by=stranger, reason="Why", last_name="Moss")
    assert ServiceUser.objects.get(pk=person.pk).last_name == "Mos"
    assert not _rectified().exists()


def test_a_broker_corrects_the_details_on_the_page(world):
    _council, broker, person = world
    client = client_for(broker)
    url = reverse("people:rectify", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Reason for the correction" in page.text
    response = client.post(url, _post(person, postcode="cr2 6xh"))
    assert response.status_code == 302
    assert ServiceUser.objects.get(pk=person.pk).postcode == "CR2 6XH"
    assert _rectified().get().after == {"postcode": "CR2 6XH"}


def test_the_page_refuses_a_missing_reason_and_a_bad_nhs_number_and_writes_nothing(world):
    _council, broker, person = world
    client = client_for(broker)
    url = reverse("people:rectify", args=[person.pk])
    response = client.post(url, _post(person, reason="", last_name="Moss"))
    assert response.status_code == 200 and "Enter the reason for the correction" in response.text
    response = client.post(url, _post(person, nhs_number="943 476 5918"))
    assert response.status_code == 200
    assert not _rectified().exists()
    assert ServiceUser.objects.get(pk=person.pk).last_name == "Mos"


def test_another_councils_broker_does_not_find_the_person_and_a_viewer_may_not_correct(world):
    council, _broker, person = world
    url = reverse("people:rectify", args=[person.pk])
    stranger = make_user(council=make_council(), role="broker")
    assert client_for(stranger).get(url).status_code == 404
    viewer = make_user(council=council, role="front_door_officer")
    assert client_for(viewer).post(url, _post(person, last_name="Moss")).status_code == 403
    assert not _rectified().exists()


def test_the_page_corrects_the_ss_ref_and_the_district_with_both_in_the_audit(world):
    council, broker, person = world
    north = make_district(council, "North Vale")
    client = client_for(broker)
    url = reverse("people:rectify", args=[person.pk])
    page = client.get(url).text
    assert 'name="ss_ref"' in page and "North Vale" in page

    response = client.post(url, _post(person, ss_ref=" RC1-A ", district=str(north.pk)))

    assert response.status_code == 302
    corrected = ServiceUser.objects.get(pk=person.pk)
    assert (corrected.ss_ref, corrected.district) == ("RC1-A", north)
    event = _rectified().get()
    assert event.before == {"ss_ref": "RC1", "district_id": None}
    assert event.after == {"ss_ref": "RC1-A", "district_id": north.pk}


def test_an_ss_ref_another_person_of_the_council_has_is_refused_with_a_clear_error(world):
    council, broker, person = world
    service_user_create(
        council=council, by=broker, ss_ref="RC2", first_name="Bo", last_name="Lind",
        date_of_birth=date(1950, 3, 4),
    )  # fmt: skip
    client = client_for(broker)
    url = reverse("people:rectify", args=[person.pk])

    response = client.post(url, _post(person, ss_ref="RC2", last_name="Moss"))

    assert response.status_code == 200
    assert "Another person at your council has this SS Ref" in response.text
    assert 'href="#id_ss_ref"' in response.text
    assert ServiceUser.objects.get(pk=person.pk).ss_ref == "RC1"
    assert not _rectified().exists()


def test_another_councils_ss_ref_and_district_do_not_count(world):
    _council, broker, person = world
    other = make_council()
    theirs = make_district(other, "Their District")
    service_user_create(
        council=other, by=None, ss_ref="RC9", first_name="Cy", last_name="Holm",
        date_of_birth=date(1960, 5, 6),
    )  # fmt: skip
    client = client_for(broker)
    url = reverse("people:rectify", args=[person.pk])
    assert "Their District" not in client.get(url).text

    response = client.post(url, _post(person, district=str(theirs.pk)))
    assert response.status_code == 200
    assert "Choose one of your council" in response.text
    with pytest.raises(ValidationError):
        service_user_rectify(person=person, by=broker, reason="Moved", district=theirs)

    assert client.post(url, _post(person, ss_ref="RC9")).status_code == 302
    assert ServiceUser.objects.get(pk=person.pk).ss_ref == "RC9"


def test_the_persons_next_of_kin_are_corrected_through_the_same_service(world):
    """A person's contacts are their next of kin, on their own record: corrected and audited
    like every other detail, on the page too."""
    _council, broker, person = world
    service_user_rectify(
        person=person, by=broker, reason="Daughter's name misheard", next_of_kin_name="Jo Moss",
        next_of_kin_relationship="Daughter", next_of_kin_phone="01632 960 777",
    )  # fmt: skip
    event = _rectified().get()
    assert event.before == {
        "next_of_kin_name": "", "next_of_kin_relationship": "", "next_of_kin_phone": "",
    }  # fmt: skip
    assert event.after["next_of_kin_name"] == "Jo Moss"

    response = client_for(broker).post(
        reverse("people:rectify", args=[person.pk]),
        _post(ServiceUser.objects.get(pk=person.pk), next_of_kin_name="Joanne Moss"),
    )
    assert response.status_code == 302
    assert ServiceUser.objects.get(pk=person.pk).next_of_kin_name == "Joanne Moss"
    assert _rectified().order_by("pk").last().after == {"next_of_kin_name": "Joanne Moss"}
