"""Twenty clicks at once: one "Request resolution" event, and one dispute of a row. The
compare-and-set and the partial unique constraint decide, not a read."""

import threading

import pytest
from django.db import connection

from carebridge.audit.models import Event
from carebridge.disputes import services
from carebridge.disputes.choices import DisputeStatus
from carebridge.disputes.models import Dispute, DisputeRow
from carebridge.disputes.tests.conftest import reason_of
from tests.support import run_together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_twenty_requests_for_resolution_at_once_make_one_event(disputing):
    dispute = disputing.raise_()
    numbers = iter(range(20))
    lock = threading.Lock()

    def click() -> object:
        with lock:
            n = next(numbers)
        try:
            return services.dispute_request_resolution(
                by=disputing.world.carer, dispute=dispute, response=f"Amended ({n})."
            )
        except services.DisputeRefused as refusal:
            return refusal

    results = run_together(click, 20)
    assert all(isinstance(result, Dispute) for result in results)
    assert {result.status for result in results} == {DisputeStatus.RESOLUTION_REQUESTED}
    assert Event.objects.filter(action="dispute.request_resolution").count() == 1
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.RESOLUTION_REQUESTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_twenty_officers_disputing_one_row_at_once_make_one_dispute(disputing):
    w = disputing.world
    reason = reason_of(w.council)
    numbers = iter(range(20))
    lock = threading.Lock()

    def click() -> object:
        with lock:
            n = next(numbers)
        try:
            return services.dispute_raise(
                by=w.payments_officer if n % 2 else w.broker,
                reason=reason,
                details=f"Visit missed ({n}).",
                actual_ids=[disputing.rows[0].pk],
                idempotency_key=f"click-{n}",
            )
        except services.DisputeRefused as refusal:
            return refusal

    results = run_together(click, 20)
    assert len([result for result in results if isinstance(result, Dispute)]) == 1
    assert Dispute.objects.count() == 1
    assert DisputeRow.objects.filter(actual=disputing.rows[0], open=True).count() == 1
    assert Event.objects.filter(action="dispute.raised").count() == 1
