"""Twenty clicks on Create invoice at once for the same approved claim make one invoice: the
claim's compare-and-set to Invoiced decides, and its one-to-one link to the invoice besides."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from carebridge.payments import services
from carebridge.payments.choices import ClaimStatus
from carebridge.payments.models import Invoice, InvoiceLine, OneOffClaim
from carebridge.payments.tests.test_claims import absence, claiming_world, new_claim
from tests.support import run_together


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.parametrize("same_key", [False, True])
def test_twenty_creates_at_once_invoice_a_claim_once(world, same_key):
    world = claiming_world(world)
    claim = new_claim(world)
    absence(world, claim)
    services.claim_provider_item_add(
        by=world.carer, claim=claim, description="Mileage", amount=world.cpli.rate
    )
    services.claim_submit(by=world.carer, claim=claim)
    services.claim_approve(by=world.payments_officer, claim=claim, action_type=world.action_type)
    numbers = iter(range(20))
    lock = threading.Lock()

    def click() -> object:
        with lock:
            n = next(numbers)
        try:
            return services.claim_invoice_create(
                by=world.carer,
                claim=OneOffClaim.objects.get(pk=claim.pk),
                reference=f"ABS-{n}",
                invoice_date=date(2026, 11, 16),
                idempotency_key="one-click" if same_key else f"click-{n}",
            )
        except (services.PaymentsRefused, ValidationError) as refusal:
            return refusal

    results = run_together(click, 20)
    made = {r.pk for r in results if isinstance(r, Invoice)}
    assert len(made) == 1
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 2
    assert OneOffClaim.objects.get().status == ClaimStatus.INVOICED
