"""Twenty requests at once for overlapping weeks of one client make one open variation request
and one action: the client's row is the lock they queue on, and the database's constraint
backs it for the same weeks."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from carebridge.actions.models import Action
from carebridge.payments.models import VariationRequest
from carebridge.payments.services import variations as services
from carebridge.payments.tests.conftest import LAST_WEEK
from carebridge.payments.tests.test_variations import ask, brokerage  # noqa: F401 (fixture)
from tests.support import run_together

WEEK = timedelta(days=7)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_twenty_overlapping_requests_at_once_make_one(paying, brokerage):  # noqa: F811
    # The council's action type exists already: its first creation would queue the requests.
    services.brokerage_route(paying.council)
    numbers = iter(range(20))
    lock = threading.Lock()

    def send() -> object:
        with lock:
            n = next(numbers)
        # Each ends with last week, so every one overlaps every other.
        first = LAST_WEEK - WEEK * (n % 3)
        try:
            return ask(paying, first=first, last=LAST_WEEK, idempotency_key=f"send-{n}")
        except (services.VariationRefused, ValidationError) as refusal:
            return refusal

    results = run_together(send, 20)
    made = [r for r in results if isinstance(r, VariationRequest)]
    assert len(made) == 1
    assert VariationRequest.objects.count() == 1
    assert Action.objects.count() == 1
    refused = [r for r in results if isinstance(r, services.VariationRefused)]
    assert len(refused) == 19
    assert all("already has an open variation request" in r.message for r in refused)
