"""A person's Client Level Data details: recorded by brokers of the person's council, audited
with only what changed; another council's person is not found; a viewer may not change them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.people import cld
from carebridge.people.services import cld_details_update, service_user_create
from tests.support import client_for, make_council, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    council = make_council()
    broker = make_user(council=council, role="broker")
    person = service_user_create(
        council=council, by=broker, ss_ref="CL1", first_name="Ada", last_name="Moss",
        date_of_birth=date(1940, 1, 2),
    )  # fmt: skip
    return council, broker, person


def test_the_service_audits_only_what_changed(world):
    _council, broker, person = world
    cld_details_update(by=broker, service_user=person, gender=cld.Gender.FEMALE)
    cld_details_update(
        by=broker, service_user=person, gender=cld.Gender.FEMALE, has_unpaid_carer="Yes"
    )
    events = Event.objects.filter(action="service_user.cld_details_updated").order_by("pk")
    assert [(e.before, e.after) for e in events] == [
        ({"gender": ""}, {"gender": "Female"}),
        ({"has_unpaid_carer": ""}, {"has_unpaid_carer": "Yes"}),
    ]
    # Nothing changed: nothing written.
    cld_details_update(by=broker, service_user=person, gender=cld.Gender.FEMALE)
    assert events.count() == 2


def test_a_value_off_the_list_and_a_death_before_birth_are_refused(world):
    _council, broker, person = world
    with pytest.raises(ValidationError):
        cld_details_update(by=broker, service_user=person, gender="Martian")
    with pytest.raises(ValidationError):
        cld_details_update(by=broker, service_user=person, date_of_death=date(1939, 1, 1))
    with pytest.raises(TypeError):
        cld_details_update(by=broker, service_user=person, first_name="Eve")


def test_another_councils_staff_may_not_change_them(world):
    _council, _broker, person = world
    stranger = make_user(council=make_council(), role="broker")
    with pytest.raises(PermissionDenied):
        cld_details_update(by=stranger, service_user=person, gender=cld.Gender.MALE)
    url = reverse("people:cld_details", args=[person.pk])
    assert client_for(stranger).get(url).status_code == 404


def test_a_broker_records_them_on_the_page(world):
    _council, broker, person = world
    url = reverse("people:cld_details", args=[person.pk])
    browser = client_for(broker)
    assert browser.get(url).status_code == 200
    response = browser.post(
        url,
        {
            "gender": "Male",
            "ethnicity": cld.Ethnicity.IRISH,
            "primary_support_reason": "",
            "accommodation_status": "",
            "has_unpaid_carer": "No",
            "client_funding_status": "",
            "employment_status": "",
            "date_of_death_0": "",
            "date_of_death_1": "",
            "date_of_death_2": "",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.gender, person.ethnicity, person.has_unpaid_carer) == (
        "Male",
        "White: Irish",
        "No",
    )
    detail = browser.get(reverse("people:service_user_detail", args=[person.pk])).content.decode()
    assert "White: Irish" in detail and "Change the Client Level Data details" in detail


def test_a_payments_officer_who_only_views_service_users_may_not(world):
    council, _broker, person = world
    officer = make_user(council=council, role="payments_officer")
    url = reverse("people:cld_details", args=[person.pk])
    assert client_for(officer).get(url).status_code == 403
