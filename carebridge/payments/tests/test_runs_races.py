"""Payment runs under load: what is due is read in a fixed number of queries whatever the
council's size, and on PostgreSQL ten officers preparing the same period at once make one run
with one set of lines, ten finalising it at once finalise it once (0011)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.actuals.models import Period
from carebridge.audit.models import Event
from carebridge.payments import services
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.selectors.run_sources import due
from carebridge.payments.tests.conftest import clients, confirm, enter, period_of
from carebridge.payments.tests.runs_support import (
    approved_run,
    on_schedule,
    payment_day,
)
from tests.support import make_user, run_together


def _queries(world, count: int, *, schedule: bool) -> tuple[int, int]:
    cplis = clients(world, count)
    enter(world, (world.cpli, "14"), *[(cpli, "10") for cpli in cplis], comments="Delivered")
    confirm(world)
    if schedule:
        on_schedule(world)
    period = period_of(world)
    with CaptureQueriesContext(connection) as queries:
        found = due(period)
    return len(queries), len(found.lines)


@pytest.mark.django_db
@pytest.mark.parametrize("schedule", [False, True])
def test_what_is_due_takes_the_same_queries_at_any_size(world, schedule):
    small, small_lines = _queries(world, 2, schedule=schedule)
    large, large_lines = _queries(world, 12, schedule=schedule)
    assert large_lines > small_lines > 0
    assert large == small


def _officers(world, n: int):
    return [make_user(council=world.council, role="payments_officer") for _ in range(n)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_ten_officers_preparing_at_once_make_one_run(world):
    cplis = clients(world, 3)
    enter(world, (world.cpli, "14"), *[(cpli, "10") for cpli in cplis], comments="Delivered")
    confirm(world)
    officers = iter(_officers(world, 10))
    period = period_of(world)

    def click() -> object:
        try:
            return services.run_prepare(
                by=next(officers),
                period=Period.objects.get(pk=period.pk),
                payment_date=payment_day(),
            )
        except services.PaymentsRefused as refusal:
            return refusal

    results = run_together(click, 10)
    runs = {r.pk for r in results if isinstance(r, PaymentRun)}
    assert len(runs) == 1
    assert PaymentRun.objects.count() == 1
    assert PaymentLine.objects.count() == 4
    assert PaymentLine.objects.values("actual").distinct().count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_ten_finalising_at_once_finalise_once(world):
    enter(world, (world.cpli, "14"), comments="Delivered")
    confirm(world)
    run = approved_run(world)
    officers = iter(_officers(world, 10))

    def click() -> object:
        try:
            return services.run_finalise(by=next(officers), run=PaymentRun.objects.get(pk=run.pk))
        except services.PaymentsRefused as refusal:
            return refusal

    results = run_together(click, 10)
    assert len([r for r in results if isinstance(r, PaymentRun)]) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FINALISED
    assert Event.objects.filter(action="payment_run.finalise").count() == 1
