"""The retention schedule, legal holds and the nightly run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import models as django_models
from django.urls import reverse

from carebridge.core.calendar import add_calendar_months, now
from carebridge.core.periodic import run_key
from carebridge.core.permissions import Role
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.models import Feedback, FrontDoorRequest
from carebridge.frontdoor.requests.services import feedback_give
from carebridge.frontdoor.tests.support_requests import open_council, submit, unlikely_answers
from carebridge.notifications.models import Notification
from carebridge.people import services as people
from carebridge.retention import services
from carebridge.retention.choices import RecordClass
from carebridge.retention.models import LegalHold, RetentionCount, RetentionRun
from carebridge.retention.tasks import retention_nightly
from tests.support import client_for, make_council, make_user

pytestmark = pytest.mark.django_db


def _signposted(council):
    request = submit(council, unlikely_answers())
    assert request.status == RequestStatus.SIGNPOSTED
    return request


def _count(run, record_class):
    return RetentionCount.objects.get(run=run, record_class=record_class).removed


def _months_on(months, days=1):
    moment = now()
    while add_calendar_months(moment, -months) < now():
        moment += timedelta(days=1)
    return moment + timedelta(days=days - 1)


def test_it_anonymises_a_signposted_request_after_its_period_and_keeps_its_figures():
    council = open_council()
    request = _signposted(council)
    run = services.council_retention_run(council, moment=_months_on(24))
    request.refresh_from_db()
    assert request.person_name == "Removed"
    assert request.asker_email == "" and request.answers == {} and request.postcode == ""
    assert request.status == RequestStatus.SIGNPOSTED and request.result
    assert _count(run, RecordClass.REQUESTS) == 1


def test_it_keeps_a_request_before_its_period():
    council = open_council()
    request = _signposted(council)
    services.council_retention_run(council, moment=_months_on(23))
    request.refresh_from_db()
    assert request.person_name == "Edith Marlowe"


def test_it_deletes_feedback_after_its_period_and_keeps_it_before():
    council = open_council()
    feedback_give(council=council, rating=4, comment="Kind staff")
    services.council_retention_run(council, moment=_months_on(23))
    assert Feedback.objects.filter(council=council).count() == 1
    services.council_retention_run(council, moment=_months_on(24))
    assert Feedback.objects.filter(council=council).count() == 0


def test_it_deletes_sent_emails_after_the_outbox_period_and_never_unsent_ones():
    council = make_council()
    officer = make_user(council=council)
    Notification.objects.filter(user=officer).delete()
    for key, sent in (("sent", now()), ("waiting", None)):
        Notification.objects.create(
            user=officer,
            kind="password_reset",
            key=key,
            subject="S",
            body="B",
            created_at=now(),
            sent_at=sent,
        )
    services.council_retention_run(council, moment=_months_on(2))
    assert Notification.objects.filter(user=officer).count() == 2
    services.council_retention_run(council, moment=_months_on(3))
    assert list(Notification.objects.filter(user=officer).values_list("key", flat=True)) == [
        "waiting"
    ]


def test_a_legal_hold_keeps_the_request_until_it_is_released():
    council = open_council()
    admin = make_user(council=council)
    request = _signposted(council)
    hold = services.legal_hold_place(by=admin, request=request, reason="Court order 12/2026")
    again = services.legal_hold_place(by=admin, request=request, reason="Court order 12/2026")
    assert again.pk == hold.pk
    services.council_retention_run(council, moment=_months_on(30))
    request.refresh_from_db()
    assert request.person_name == "Edith Marlowe"
    services.legal_hold_release(hold=hold, by=admin, reason="Proceedings ended")
    services.council_retention_run(council, moment=_months_on(30))
    request.refresh_from_db()
    assert request.person_name == "Removed"


def test_a_legal_hold_on_the_service_user_keeps_their_requests():
    council = open_council()
    admin = make_user(council=council)
    person = people.service_user_create(
        council=council,
        by=admin,
        ss_ref="H1",
        first_name="Ada",
        last_name="Lane",
        date_of_birth=date(1940, 1, 1),
    )
    request = _signposted(council)
    FrontDoorRequest.objects.filter(pk=request.pk).update(service_user=person)
    services.legal_hold_place(by=admin, service_user=person, reason="Inquest")
    services.council_retention_run(council, moment=_months_on(30))
    request.refresh_from_db()
    assert request.person_name == "Edith Marlowe"


def test_it_refuses_to_hold_another_councils_person():
    council, other = open_council(), open_council()
    admin = make_user(council=council)
    request = _signposted(other)
    with pytest.raises(services.RetentionRefused):
        services.legal_hold_place(by=admin, request=request, reason="Mistake")
    assert not LegalHold.objects.exists()


def test_a_second_run_the_same_night_removes_and_counts_nothing_more():
    council = open_council()
    _signposted(council)
    first = services.council_retention_run(council, moment=_months_on(25))
    second = services.council_retention_run(council, moment=_months_on(25))
    assert first.pk == second.pk
    assert _count(second, RecordClass.REQUESTS) == 1
    assert RetentionRun.objects.filter(council=council).count() == 1


def test_two_councils_keep_to_their_own_schedules():
    short = open_council()
    long = open_council()
    services.schedule_update(
        council=short, by=make_user(council=short), months={"retention_request_months": 6}
    )
    short_request, long_request = _signposted(short), _signposted(long)
    services.retention_run_all(moment=_months_on(7))
    short_request.refresh_from_db()
    long_request.refresh_from_db()
    assert short_request.person_name == "Removed"
    assert long_request.person_name == "Edith Marlowe"


def test_the_nightly_task_runs_once_a_run_and_reports_every_class():
    council = open_council()
    cache.delete(run_key(retention_nightly.call_local))
    cache.delete("periodic-run:carebridge.retention.tasks.retention_nightly")
    result = retention_nightly.call_local()
    assert result["councils"] >= 1
    assert retention_nightly.call_local() == {}
    run = RetentionRun.objects.get(council=council)
    assert {count.record_class for count in run.counts.all()} == set(RecordClass)


def test_the_administrator_sees_holds_and_runs_and_another_council_does_not():
    council, other = open_council(), open_council()
    admin, stranger = make_user(council=council), make_user(council=other)
    request = _signposted(council)
    hold = services.legal_hold_place(by=admin, request=request, reason="Court order")
    services.council_retention_run(council)
    page = client_for(admin).get(reverse("retention:overview"))
    assert page.status_code == 200
    assert request.reference in page.content.decode()
    assert (
        request.reference
        not in client_for(stranger).get(reverse("retention:overview")).content.decode()
    )
    url = reverse("retention:hold_release", kwargs={"pk": hold.pk})
    assert client_for(stranger).get(url).status_code == 404
    broker = make_user(council=council, role=Role.BROKER)
    assert client_for(broker).get(reverse("retention:overview")).status_code == 403


def test_the_administrator_places_and_releases_a_hold_through_the_pages():
    council = open_council()
    admin = make_user(council=council)
    request = _signposted(council)
    client = client_for(admin)
    answer = client.post(
        reverse("retention:hold_place"),
        {"kind": "request", "reference": request.reference, "reason": "Court order"},
    )
    assert answer.status_code == 302
    hold = LegalHold.objects.get(request=request)
    answer = client.post(
        reverse("retention:hold_release", kwargs={"pk": hold.pk}), {"reason": "Done"}
    )
    assert answer.status_code == 302
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_reason == "Done"
    bad = client.post(reverse("retention:schedule"), {"retention_request_months": "0"})
    assert bad.status_code == 200


def test_months_before_keeps_to_the_last_day_of_a_shorter_month():
    from datetime import UTC, datetime

    assert add_calendar_months(datetime(2026, 3, 31, 9, tzinfo=UTC), -1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert add_calendar_months(datetime(2026, 1, 15, tzinfo=UTC), -24) == datetime(
        2024, 1, 15, tzinfo=UTC
    )


# Free text a request keeps after its period: what it was (its reference and the rules' version)
# and why it went to a team ("Area WB1 → …": a postcode district, never the person). Every other
# text field names or describes the person, so a field added later is removed unless listed here.
_KEPT_TEXT = {"reference", "ruleset_version", "routing_rule"}


def test_it_anonymises_every_free_text_field_a_request_has_a_professionals_too():
    council = open_council()
    request = _signposted(council)
    texts = [
        field
        for field in FrontDoorRequest._meta.concrete_fields
        if isinstance(field, (django_models.CharField, django_models.TextField))
        and not field.choices
        and field.name not in _KEPT_TEXT
    ]
    filled = {
        field.name: "someone@example.org"
        if isinstance(field, django_models.EmailField)
        else "9434765919"[: field.max_length or 10]
        for field in texts
    }
    FrontDoorRequest.objects.filter(pk=request.pk).update(**filled)
    services.council_retention_run(council, moment=_months_on(24))
    request.refresh_from_db()
    left = {name for name in filled if getattr(request, name) not in ("", "Removed")}
    assert left == set(), f"personal fields kept after the retention period: {sorted(left)}"
    assert request.person_date_of_birth is None


def test_it_removes_the_main_support_need_a_coded_field_but_health_data():
    # The guard above reads free text only; this coded answer describes the person's health.
    council = open_council()
    request = _signposted(council)
    FrontDoorRequest.objects.filter(pk=request.pk).update(
        primary_support_reason="Mental Health Support"
    )
    services.council_retention_run(council, moment=_months_on(24))
    request.refresh_from_db()
    assert request.primary_support_reason == ""
