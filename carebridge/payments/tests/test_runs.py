"""Payment runs' lifecycle (docs/decisions/0011-payment-runs.md): every status and event of
RUN_TRANSITIONS, repeats, the second-officer rule, preparing again, the payment date, who may act,
and the audit events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actuals.models import Period
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.payments import services
from carebridge.payments.choices import RUN_TRANSITIONS, LineSource, RunEvent, RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.services import PaymentsRefused
from carebridge.payments.tests.conftest import LAST_WEEK, period_of
from carebridge.payments.tests.runs_support import (
    amend,
    approved_run,
    confirmed,
    finalised_run,
    prepared_run,
    second_officer,
)
from tests.support import make_user

pytestmark = pytest.mark.django_db

WEEKLY = Decimal("226.24")  # 14 hours at £16.16


def _in(world, status: str) -> PaymentRun:
    """A run of last week's confirmed period in the status."""
    confirmed(world)
    if status == RunStatus.PREPARED:
        return prepared_run(world)
    if status == RunStatus.APPROVED:
        return approved_run(world)
    if status == RunStatus.FINALISED:
        return finalised_run(world)
    run = prepared_run(world)
    return services.run_discard(by=world.payments_officer, run=run)


def _do(world, event: str, run: PaymentRun, approver) -> PaymentRun:
    if event == RunEvent.APPROVE:
        return services.run_approve(by=approver, run=run)
    if event == RunEvent.FINALISE:
        return services.run_finalise(by=world.payments_officer, run=run)
    return services.run_discard(by=world.payments_officer, run=run)


@pytest.mark.parametrize("status", RunStatus.values)
@pytest.mark.parametrize("event", RunEvent.values)
def test_every_status_and_event(world, status, event):
    run = _in(world, status)
    approver = second_officer(world)
    if RUN_TRANSITIONS.allows(status, event):
        moved = _do(world, event, run, approver)
        assert moved.status == RUN_TRANSITIONS.target(event)
        assert Event.objects.filter(action=f"payment_run.{event}", object_id=str(run.pk)).count()
    else:
        events = Event.objects.count()
        with pytest.raises(PaymentsRefused, match=services.RUN_MOVE_REFUSED[event]):
            _do(world, event, run, approver)
        run.refresh_from_db()
        assert run.status == status
        assert Event.objects.count() == events


def test_a_repeat_is_refused_and_changes_nothing(world):
    run = approved_run(world) if confirmed(world) else None
    assert run is not None
    again = PaymentRun.objects.get(pk=run.pk)
    with pytest.raises(PaymentsRefused):
        services.run_approve(by=second_officer(world), run=again)
    finalised = services.run_finalise(by=world.payments_officer, run=run)
    with pytest.raises(PaymentsRefused):
        services.run_finalise(by=world.payments_officer, run=finalised)
    assert PaymentLine.objects.filter(run=run).count() == 1


def test_the_officer_who_prepared_a_run_cannot_approve_it(world):
    confirmed(world)
    run = prepared_run(world)
    with pytest.raises(PaymentsRefused, match=services.SAME_OFFICER):
        services.run_approve(by=world.payments_officer, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.PREPARED
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.APPROVED, approved_by=world.payments_officer
        )


def test_preparing_again_makes_the_new_preparer_unable_to_approve(world):
    confirmed(world)
    other = second_officer(world)
    run = prepared_run(world)
    again = prepared_run(world, by=other)
    assert again.pk == run.pk and again.prepared_by == other
    with pytest.raises(PaymentsRefused, match=services.SAME_OFFICER):
        services.run_approve(by=other, run=again)
    # Approving the run as first read (prepared by the first officer) finds it changed.
    with pytest.raises(PaymentsRefused):
        services.run_approve(by=other, run=run)
    assert services.run_approve(by=world.payments_officer, run=again).status == "approved"


def test_preparing_twice_gives_the_same_lines(world):
    confirmed(world)
    first = prepared_run(world)
    lines = list(first.lines.values_list("source", "actual_id", "excl_vat", "vat", "total"))
    second = prepared_run(world)
    assert second.pk == first.pk
    assert list(second.lines.values_list("source", "actual_id", "excl_vat", "vat", "total")) == (
        lines
    )
    assert lines == [(LineSource.ACTUAL, lines[0][1], WEEKLY, Decimal("0.00"), WEEKLY)]
    assert PaymentRun.objects.count() == 1


def test_preparing_again_follows_the_sources_as_they_now_are(world, clock):
    confirmed(world)
    run = prepared_run(world)
    amend(world, "10", clock=clock)
    # Changed since confirming: left out until confirmed again.
    again = prepared_run(world)
    assert again.lines.count() == 0
    confirmed(world, actual="10")
    assert prepared_run(world).lines.get().excl_vat == Decimal("161.60")
    assert run.pk == again.pk


def test_an_approved_or_finalised_run_is_not_prepared_again(world):
    confirmed(world)
    run = approved_run(world)
    with pytest.raises(PaymentsRefused, match="approved"):
        prepared_run(world)
    services.run_finalise(by=world.payments_officer, run=run)
    with pytest.raises(PaymentsRefused, match="finalised"):
        prepared_run(world)


def test_one_open_run_per_council(world):
    confirmed(world)
    prepared_run(world, period_of(world, LAST_WEEK - timedelta(weeks=1)))
    with pytest.raises(PaymentsRefused, match="still prepared"):
        prepared_run(world)
    assert PaymentRun.objects.count() == 1


def test_a_discarded_run_frees_its_lines_and_the_next_takes_a_new_reference(world):
    confirmed(world)
    run = prepared_run(world)
    assert run.reference == f"PR{period_of(world).start_date:%Y%m%d}"
    services.run_discard(by=world.payments_officer, run=run)
    assert not PaymentLine.objects.exists()
    again = prepared_run(world)
    assert again.pk != run.pk
    assert again.reference == f"{run.reference}-2"
    assert again.lines.count() == 1


def test_finalising_pays_the_lines_and_processes_the_period(world):
    confirmed(world)
    run = finalised_run(world)
    assert run.status == RunStatus.FINALISED and run.finalised_by == world.payments_officer
    assert Period.objects.get(pk=run.period_id).is_paid
    event = Event.objects.get(action="payment_run.finalise")
    assert event.detail["total"] == str(WEEKLY) and event.detail["lines"] == 1
    # Nothing is due again.
    nxt = period_of(world, LAST_WEEK)
    assert services.run_prepare  # the next run for a later period would find nothing here
    assert nxt.is_paid


def test_finalising_refuses_a_line_whose_source_changed(world, clock):
    confirmed(world)
    run = approved_run(world)
    amend(world, "10", clock=clock)
    with pytest.raises(PaymentsRefused, match="1 line has changed"):
        services.run_finalise(by=world.payments_officer, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert run.lines.count() == 1
    assert not Period.objects.get(pk=run.period_id).is_paid


def test_as_seen_refuses_a_run_changed_meanwhile(world, clock):
    confirmed(world)
    run = prepared_run(world)
    stale = PaymentRun.objects.get(pk=run.pk)
    clock.move(minutes=1)
    prepared_run(world)  # prepared again: changed_at moves
    with pytest.raises(PaymentsRefused, match="changed while you were deciding"):
        services.run_discard(by=world.payments_officer, run=stale, as_seen=True)


@pytest.mark.parametrize(
    "days, message",
    [
        (-1, services.PAYMENT_DATE_RANGE),
        (61, services.PAYMENT_DATE_RANGE),
        (5, services.PAYMENT_DATE_WORKING),  # a Saturday
    ],
)
def test_the_payment_date(world, days, message):
    confirmed(world)
    with pytest.raises(ValidationError) as error:
        prepared_run(world, payment_date=today() + timedelta(days=days))
    assert error.value.message_dict["payment_date"] == [message]
    assert not PaymentRun.objects.exists()


def test_a_period_not_ended_is_refused(world):
    this_week = Period.objects.get(council=world.council, start_date=today())
    with pytest.raises(PaymentsRefused, match=services.NOT_ENDED):
        prepared_run(world, this_week)


def test_only_the_councils_payments_officers(world):
    confirmed(world)
    for user in (
        world.carer,
        world.broker,
        world.other_officer,
        make_user(council=world.council, role="front_door_officer"),
    ):
        with pytest.raises(PaymentsRefused, match="payments team"):
            prepared_run(world, by=user)
    run = prepared_run(world)
    with pytest.raises(PaymentsRefused, match="payments team"):
        services.run_approve(by=world.other_officer, run=run)
    with pytest.raises(PaymentsRefused, match="payments team"):
        services.run_discard(by=world.broker, run=run)


def test_the_prepare_event_counts_and_totals_without_names(world):
    confirmed(world)
    run = prepared_run(world)
    event = Event.objects.get(action="payment_run.prepare")
    assert event.council_id == world.council.pk and event.object_id == str(run.pk)
    assert event.detail["lines"] == 1 and event.detail["providers"] == 1
    assert event.detail["total"] == str(WEEKLY)
    assert world.person.last_name not in str(event.detail)
