"""The audit log's part of the nightly run, against the audit app's own pruning: the oldest
events go, the chain still verifies from its anchor, the longest period any council sets is
kept, and nothing from a held person's first event on is removed."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import call_command

from carebridge.audit import chain
from carebridge.audit.models import Event
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.people import services as people
from carebridge.retention import services
from carebridge.retention.choices import RecordClass
from carebridge.retention.models import RetentionCount
from tests.support import make_council, make_user

pytestmark = pytest.mark.django_db
AUDIT_NOW = "carebridge.audit.services.now"
# Over eight years ago: past the default seven (84 months) and the longest the tests set.
LONG_AGO = timedelta(days=3000)


def _verifies(capsys) -> None:
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == f"chain intact: {Event.objects.count()} events"


def test_it_removes_the_oldest_events_and_the_chain_still_verifies(capsys):
    with mock.patch(AUDIT_NOW, return_value=now() - LONG_AGO):
        council = make_council()
        old = [record(action="test.happened", council=council, detail={"n": n}) for n in range(3)]
    kept = record(action="test.happened", council=council)
    result = services.retention_run_all()
    assert result["audit_removed"] >= 3
    assert not Event.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert Event.objects.filter(pk=kept.pk).exists()
    anchor = Event.objects.get(action=chain.PRUNED)
    assert anchor.detail["reason"] == "Retention schedule"
    count = RetentionCount.objects.get(run__council=council, record_class=RecordClass.AUDIT)
    assert count.removed == result["audit_removed"] == anchor.detail["count"]
    _verifies(capsys)
    assert services.retention_run_all()["audit_removed"] == 0


def test_it_keeps_the_longest_period_any_council_sets():
    with mock.patch(AUDIT_NOW, return_value=now() - timedelta(days=3 * 365)):
        short, long = make_council(), make_council()
        old = record(action="test.happened", council=short)
    services.schedule_update(
        council=short, by=make_user(council=short), months={"retention_audit_months": 12}
    )
    services.retention_run_all()
    assert Event.objects.filter(pk=old.pk).exists()
    services.schedule_update(
        council=long, by=make_user(council=long), months={"retention_audit_months": 24}
    )
    services.retention_run_all()
    assert not Event.objects.filter(pk=old.pk).exists()


def test_it_keeps_a_held_persons_events_and_everything_after_the_first(capsys):
    with mock.patch(AUDIT_NOW, return_value=now() - LONG_AGO):
        council = make_council()
        admin = make_user(council=council)
        before = record(action="test.happened", council=council)
    with mock.patch(AUDIT_NOW, return_value=now() - LONG_AGO + timedelta(days=10)):
        person = people.service_user_create(
            council=council,
            by=admin,
            ss_ref="H77",
            first_name="Ada",
            last_name="Lane",
            date_of_birth=date(1940, 1, 1),
        )
        about = list(Event.objects.filter(object_type="people.serviceuser", object_id=person.pk))
    with mock.patch(AUDIT_NOW, return_value=now() - LONG_AGO + timedelta(days=20)):
        after = record(action="test.happened", council=council)
    assert about
    hold = services.legal_hold_place(by=admin, service_user=person, reason="Inquest")
    services.retention_run_all()
    assert not Event.objects.filter(pk=before.pk).exists()
    assert Event.objects.filter(pk__in=[e.pk for e in [*about, after]]).count() == len(about) + 1
    _verifies(capsys)
    services.legal_hold_release(hold=hold, by=admin, reason="Inquest closed")
    services.retention_run_all()
    assert not Event.objects.filter(pk__in=[e.pk for e in [*about, after]]).exists()
    _verifies(capsys)
