"""The demo's one-off claims: Northshire's framework contracts allow them, and its provider has
one approved, invoiced at contract level and submitted (then authorised, for the waiting payment
run), and one rejected with the payments team's reason; each decision told on an action.
Westbrook's rules allow none."""

from __future__ import annotations

import pytest

from carebridge.demo.claims_demo import REJECTED_REASON
from carebridge.demo.demo import seed_demo
from carebridge.organisations.choices import ContractType
from carebridge.organisations.models import PaymentRule
from carebridge.payments.choices import ClaimStatus, InvoiceStatus
from carebridge.payments.models import OneOffClaim
from carebridge.payments.selectors import claim_total

pytestmark = pytest.mark.django_db


def test_northshire_has_a_claim_invoiced_and_one_rejected():
    seed_demo()
    rule = PaymentRule.objects.get(council__slug="northshire", contract_type=ContractType.FRAMEWORK)
    assert rule.one_off_claims_allowed
    claims = OneOffClaim.objects.filter(council__slug="northshire")
    invoiced = claims.get(status=ClaimStatus.INVOICED)
    rejected = claims.get(status=ClaimStatus.REJECTED)
    # Submitted by the provider; the runs demo authorises it for the waiting payment run.
    assert invoiced.invoice.status == InvoiceStatus.AUTHORISED
    item = invoiced.client_items.get()
    assert (item.absence_end - item.absence_start).days + 1 == 5 and item.authorised_by
    assert sum(invoiced.invoice.lines.values_list("amount", flat=True)) == claim_total(invoiced)
    assert rejected.rejected_reason == REJECTED_REASON
    for claim in (invoiced, rejected):
        assert claim.action is not None and claim.action.assigned_team is None
    assert not OneOffClaim.objects.filter(council__slug="westbrook").exists()
    # Seeding again tells nothing twice.
    seed_demo()
    assert OneOffClaim.objects.count() == 2
