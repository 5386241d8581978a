import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.subjectaccess.selectors import people_find
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db

FIND = reverse("subjectaccess:find")


def test_it_finds_by_nhs_number_as_typed_with_spaces(officer, person, other_person):
    assert people_find(officer, nhs_number="943 476 5919") == [person]


def test_it_finds_by_ss_ref_whatever_the_case(officer, person, other_person):
    assert people_find(officer, ss_ref="av100200") == [person]
    assert people_find(officer, ss_ref="QX990001") == []


def test_it_finds_by_name_narrowed_by_date_of_birth(officer, person, other_person):
    assert people_find(officer, last_name="goddard", first_name="Maisy") == [person]
    assert people_find(officer, last_name="Goddard", date_of_birth=person.date_of_birth) == [person]
    wrong_birthday = person.date_of_birth.replace(year=1941)
    assert people_find(officer, last_name="Goddard", date_of_birth=wrong_birthday) == []


def test_it_never_finds_another_councils_person(officer, other_person):
    assert people_find(officer, nhs_number="9434765919") == []
    assert people_find(officer, last_name="Goddard") == []


def test_the_page_finds_the_person_and_audits_the_search(officer, person, other_person):
    response = client_for(officer).get(FIND, {"nhs_number": "943 476 5919"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "AV100200" in body and "QX990001" not in body
    assert reverse("subjectaccess:request_create", args=[person.pk]) in body
    event = Event.objects.get(action="subject_access.people_found")
    assert event.council_id == officer.council_id and event.detail["count"] == 1


def test_the_page_refuses_an_nhs_number_that_fails_modulus_11(officer, person):
    response = client_for(officer).get(FIND, {"nhs_number": "9434765918"})
    assert response.status_code == 200
    assert "This NHS number is not valid" in response.content.decode()
    assert not Event.objects.filter(action="subject_access.people_found").exists()


def test_the_page_asks_for_a_key_when_none_is_given(officer):
    response = client_for(officer).get(FIND, {"first_name": "Maisy"})
    assert "Enter an NHS number, an SS Ref, or a last name" in response.content.decode()


@pytest.mark.parametrize("role", ["broker", "council_administrator", "front_door_officer"])
def test_other_council_roles_may_not_find_people_here(council, person, role):
    client = client_for(make_user(council=council, role=role))
    assert client.get(FIND, {"ss_ref": "AV100200"}).status_code == 403
