"""Twenty providers' clicks on Create at once for the same service and period make one invoice,
and no CPLI week is ever on two invoices: the database's constraints decide, not a read."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from carebridge.payments import services
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.tests.conftest import clients, create, enter
from tests.support import run_together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.parametrize("same_reference", [False, True])
def test_twenty_creates_at_once_make_one_invoice(paying, same_reference):
    cplis = clients(paying, 4)
    enter(paying, (paying.cpli, "14"), *[(cpli, "10") for cpli in cplis])
    numbers = iter(range(20))
    lock = threading.Lock()

    def click() -> object:
        with lock:
            n = next(numbers)
        try:
            return create(
                paying,
                reference="INV-1" if same_reference else f"INV-{n}",
                idempotency_key=f"click-{n}",
            )
        except (services.PaymentsRefused, ValidationError) as refusal:
            return refusal

    results = run_together(click, 20)
    made = [r for r in results if isinstance(r, Invoice)]
    assert len(made) == 1
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 5
    assert InvoiceLine.objects.values("actual").distinct().count() == 5
