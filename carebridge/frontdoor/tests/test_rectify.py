"""A correction of a person's details reaches the front-door requests that became that person:
the same details are corrected on each, in the same transaction, with one audit event a request
carrying only what changed there; details a request never held, its consent, an anonymised
request and another person's request are left alone; a failure undoes the whole correction."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.services import rectify
from carebridge.frontdoor.tests.support_requests import likely_answers, submit
from carebridge.people.forms import RectifyForm
from carebridge.people.models import ServiceUser
from carebridge.people.services import service_user_rectify
from carebridge.people.signals import service_user_rectified
from carebridge.retention.removal import REMOVED
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def connected():
    """FrontDoorConfig.ready connects the receiver; connecting again with its uid is a no-op,
    and the test leaves it as it found it."""
    was = service_user_rectified.disconnect(dispatch_uid=rectify.DISPATCH_UID)
    service_user_rectified.connect(rectify.requests_rectify, dispatch_uid=rectify.DISPATCH_UID)
    yield
    service_user_rectified.disconnect(dispatch_uid=rectify.DISPATCH_UID)
    if was:
        service_user_rectified.connect(rectify.requests_rectify, dispatch_uid=rectify.DISPATCH_UID)


@pytest.fixture
def broker(council):
    return make_user(council=council, role="broker")


def accepted(council, officer, person=None, **answers) -> FrontDoorRequest:
    request = submit(council, likely_answers(person_phone="01632 960 555", **answers))
    new = services.NewServiceUser(
        ss_ref=f"FD{request.pk}", first_name="Edith", last_name="Marlowe",
        date_of_birth=date(1941, 3, 3),
    )  # fmt: skip
    return services.request_accept(
        request=request, by=officer, service_user=person, new=None if person else new
    )


def corrections():
    return Event.objects.filter(action="front_door.details_rectified").order_by("pk")


def test_the_requests_copy_is_corrected_with_the_persons_record(council, officer, broker):
    request = accepted(council, officer)
    person = request.service_user
    changed_at = request.changed_at

    service_user_rectify(
        person=person, by=broker, reason="Confirmed with her daughter", last_name="Marlow",
        postcode="wb2 9zz", phone="01632 960 556", consent_to_share=False,
    )  # fmt: skip

    request.refresh_from_db()
    assert (request.person_name, request.postcode, request.person_phone) == (
        "Edith Marlow", "WB2 9ZZ", "01632 960 556",
    )  # fmt: skip
    assert request.consent_to_share  # what they agreed to with this request stays
    assert request.changed_at == changed_at and request.status == "assessment"
    event = corrections().get()
    assert event.before == {
        "person_name": "Edith Marlowe", "postcode": "WB1 2AB", "person_phone": "01632 960 555",
    }  # fmt: skip
    assert event.after == {
        "person_name": "Edith Marlow", "postcode": "WB2 9ZZ", "person_phone": "01632 960 556",
    }  # fmt: skip
    assert event.detail == {"reason": "Confirmed with her daughter", "service_user": person.pk}
    assert (event.object_id, event.council_id, event.actor) == (str(request.pk), council.pk, broker)
    assert event.team_kind == ""  # read by the council's staff, as the request's other events


def test_details_the_request_never_held_stay_blank_and_other_requests_are_untouched(
    council, officer, broker
):
    request = accepted(council, officer)
    stranger = submit(council, likely_answers())  # the same name, never linked to the person

    service_user_rectify(
        person=request.service_user, by=broker, reason="From her GP's letter",
        nhs_number="9434765919", gp_practice="Vale Surgery",
    )  # fmt: skip

    request.refresh_from_db()
    assert (request.person_nhs_number, request.gp_practice) == ("", "")
    assert not corrections().exists()
    stranger.refresh_from_db()
    assert stranger.person_name == "Edith Marlowe" and stranger.person_phone == ""


def test_every_linked_request_is_corrected_but_not_one_retention_anonymised(
    council, officer, broker
):
    first = accepted(council, officer)
    person = first.service_user
    second = accepted(council, officer, person=person)
    anonymised = accepted(council, officer, person=person)
    FrontDoorRequest.objects.filter(pk=anonymised.pk).update(person_name=REMOVED, postcode="")
    assert rectify.ANONYMISED == REMOVED

    service_user_rectify(person=person, by=broker, reason="Misspelt", first_name="Edyth")

    names = dict(FrontDoorRequest.objects.values_list("pk", "person_name"))
    assert names == {first.pk: "Edyth Marlowe", second.pk: "Edyth Marlowe", anonymised.pk: REMOVED}
    assert [e.object_id for e in corrections()] == [str(first.pk), str(second.pk)]


def test_a_failure_correcting_the_request_undoes_the_whole_correction(council, officer, broker):
    request = accepted(council, officer)
    person = request.service_user
    before = Event.objects.count()

    with (
        mock.patch.object(rectify, "record", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        service_user_rectify(person=person, by=broker, reason="Misspelt", last_name="Marlow")

    assert ServiceUser.objects.get(pk=person.pk).last_name == "Marlowe"
    assert FrontDoorRequest.objects.get(pk=request.pk).person_name == "Edith Marlowe"
    assert Event.objects.count() == before


def test_a_correction_on_the_page_reaches_the_request(council, officer, broker):
    request = accepted(council, officer)
    person = request.service_user
    data = {
        **{k: ("on" if v is True else "" if v in (None, False) else v)
           for k, v in RectifyForm.initial_of(person).items() if k != "date_of_birth"},
        "date_of_birth_0": "4", "date_of_birth_1": "3", "date_of_birth_2": "1941",
        "reason": "Birth certificate seen",
    }  # fmt: skip

    response = client_for(broker).post(reverse("people:rectify", args=[person.pk]), data)

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.person_date_of_birth == date(1941, 3, 4)
    assert corrections().get().after == {"person_date_of_birth": "1941-03-04"}
