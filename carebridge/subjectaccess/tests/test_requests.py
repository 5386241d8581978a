from datetime import date, timedelta

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.core.idempotency import form_token_issue
from carebridge.subjectaccess import services
from carebridge.subjectaccess.choices import RequestStatus
from carebridge.subjectaccess.deadlines import add_calendar_months
from carebridge.subjectaccess.models import SubjectAccessRequest
from carebridge.subjectaccess.services import SubjectAccessRefused
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def _receive(officer, person, received_on=None):
    return services.subject_access_request_create(
        by=officer,
        service_user=person,
        requester="person",
        requester_name="Maisy Goddard",
        received_on=received_on or today(),
    )


def _form(received: date, **extra):
    return {
        "requester": "person",
        "requester_name": "Maisy Goddard",
        "received_on_0": received.day,
        "received_on_1": received.month,
        "received_on_2": received.year,
        **extra,
    }


def test_it_records_a_request_due_one_calendar_month_after_receipt(officer, person):
    received = today() - timedelta(days=3)
    client = client_for(officer)
    response = client.post(
        reverse("subjectaccess:request_create", args=[person.pk]), _form(received)
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert sar.due_on == add_calendar_months(received, 1)
    assert sar.council_id == person.council_id and sar.status == RequestStatus.OPEN
    assert Event.objects.filter(action="subject_access.received", object_id=str(sar.pk)).exists()


def test_a_double_submit_records_one_request(officer, person):
    client = client_for(officer)
    url = reverse("subjectaccess:request_create", args=[person.pk])
    page = client.get(url)
    token = form_token_issue(page.wsgi_request)
    for _ in range(2):
        client.post(url, _form(today(), form_token=token))
    assert SubjectAccessRequest.objects.count() == 1


def test_it_refuses_a_representative_without_authority_and_a_future_date(officer, person):
    url = reverse("subjectaccess:request_create", args=[person.pk])
    client = client_for(officer)
    body = client.post(url, _form(today(), requester="representative")).content.decode()
    assert "Say what authority the representative has" in body
    body = client.post(url, _form(today() + timedelta(days=2))).content.decode()
    assert "must be today or in the past" in body
    assert not SubjectAccessRequest.objects.exists()


def test_the_list_shows_an_overdue_request_in_red_with_words(officer, person):
    late = _receive(officer, person, received_on=today() - timedelta(days=70))
    due_soon = _receive(officer, person, received_on=today())
    body = client_for(officer).get(reverse("subjectaccess:request_list")).content.decode()
    overdue_days = (today() - late.due_on).days
    assert f'govuk-tag--red">Overdue by {overdue_days} days' in body
    assert f"{(due_soon.due_on - today()).days} days left" in body
    assert body.index(f"Request {late.pk}<") < body.index(f"Request {due_soon.pk}<")


def test_it_extends_once_by_two_months_with_a_reason(officer, person):
    sar = _receive(officer, person, received_on=today() - timedelta(days=5))
    with pytest.raises(SubjectAccessRefused):
        services.subject_access_request_extend(by=officer, request=sar, reason=" ")
    sar = services.subject_access_request_extend(by=officer, request=sar, reason="Many files")
    assert sar.status == RequestStatus.EXTENDED
    assert sar.due_on == add_calendar_months(sar.received_on, 3)
    # A repeat changes nothing, and the event is written once.
    services.subject_access_request_extend(by=officer, request=sar, reason="Many files")
    assert Event.objects.filter(action="subject_access.extend").count() == 1


def test_it_refuses_with_a_reason_and_then_nothing_more_changes(officer, person):
    sar = _receive(officer, person)
    client = client_for(officer)
    url = reverse("subjectaccess:request_decide", args=[sar.pk, "refuse"])
    assert client.post(url, {"reason": "Manifestly excessive"}).status_code == 302
    sar.refresh_from_db()
    assert sar.status == RequestStatus.REFUSED and sar.refusal_reason == "Manifestly excessive"
    with pytest.raises(SubjectAccessRefused):
        services.subject_access_request_extend(by=officer, request=sar, reason="Late")


def test_it_completes_only_once_the_export_was_downloaded(officer, person):
    sar = _receive(officer, person)
    with pytest.raises(SubjectAccessRefused, match="Export"):
        services.subject_access_request_complete(by=officer, request=sar)


def test_it_exports_nothing_before_identity_is_verified(officer, person):
    sar = _receive(officer, person)
    with pytest.raises(SubjectAccessRefused, match="identity"):
        services.subject_access_export_prepare(by=officer, request=sar)
    client = client_for(officer)
    url = reverse("subjectaccess:request_decide", args=[sar.pk, "verify"])
    client.post(
        url,
        {
            "verified_on_0": today().day,
            "verified_on_1": today().month,
            "verified_on_2": today().year,
            "method": "Passport seen at the office",
        },
    )
    sar.refresh_from_db()
    assert sar.identity_verified and sar.identity_method == "Passport seen at the office"


def test_the_request_page_is_audited_as_a_view_of_the_person(officer, person):
    sar = _receive(officer, person)
    response = client_for(officer).get(reverse("subjectaccess:request_detail", args=[sar.pk]))
    assert response.status_code == 200
    event = Event.objects.get(action="subject_access.viewed")
    assert event.object_id == str(person.pk) and event.object_type == "people.serviceuser"


def test_an_unknown_decision_is_not_found(officer, person):
    sar = _receive(officer, person)
    url = reverse("subjectaccess:request_decide", args=[sar.pk, "delete"])
    assert client_for(officer).get(url).status_code == 404


def test_a_broker_may_not_record_a_request(council, person):
    client = client_for(make_user(council=council, role="broker"))
    url = reverse("subjectaccess:request_create", args=[person.pk])
    assert client.post(url, _form(today())).status_code == 403
    assert not SubjectAccessRequest.objects.exists()
