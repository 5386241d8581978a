"""The demo's invoices: Northshire, which pays its framework home support on invoice, has them in
every status, made through the payments services; Westbrook, which self-bills, has none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carebridge.audit.models import Event
from carebridge.demo.demo import seed_demo
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors import invoice_totals, pre_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict:
    return seed_demo()


def test_northshire_has_invoices_in_every_status_and_westbrook_none(demo):
    northshire = Invoice.objects.filter(council__slug="northshire")
    assert set(northshire.values_list("status", flat=True)) == set(InvoiceStatus.values)
    assert not Invoice.objects.filter(council__slug="westbrook").exists()
    assert set(northshire.values_list("provider__name", flat=True)) == {"Larkspur Home Care"}
    held = northshire.get(status=InvoiceStatus.HELD)
    returned = northshire.get(status=InvoiceStatus.RETURNED)
    assert held.held_reason and returned.returned_reason


def test_every_demo_invoice_was_made_and_moved_by_the_services(demo):
    # Credit notes are raised by amending actuals (test_corrections_demo.py); a one-off claim's
    # invoice at contract level has no actuals (test_claims_demo.py).
    for invoice in Invoice.objects.filter(kind=InvoiceKind.INVOICE, claim__isnull=True):
        actions = set(
            Event.objects.filter(
                object_type="payments.invoice", object_id=str(invoice.pk)
            ).values_list("action", flat=True)
        )
        assert "invoice.created" in actions
        if invoice.status != InvoiceStatus.UNSUBMITTED:
            assert "invoice.submit" in actions
        excl, _vat, _total = invoice_totals(invoice)
        # A week amended since is made good by the invoice's credit note or supplementary one.
        corrected = sum(
            (
                -invoice_totals(each)[0]
                if each.kind == InvoiceKind.CREDIT_NOTE
                else invoice_totals(each)[0]
                for each in invoice.corrections.all()
            ),
            Decimal("0"),
        )
        assert excl + corrected == sum(
            line.actual.cost for line in invoice.lines.select_related("actual")
        )
    # A CPLI week is on one invoice at most, and no invoice holds an over-exception line.
    actuals = list(
        InvoiceLine.objects.filter(kind=InvoiceKind.INVOICE, actual__isnull=False).values_list(
            "actual_id", flat=True
        )
    )
    assert len(actuals) == len(set(actuals))
    assert not InvoiceLine.objects.filter(over_exception=True).exists()


def test_a_submitted_invoice_left_an_over_exception_line_on_its_pre_invoice(demo):
    submitted = Invoice.objects.get(
        council__slug="northshire",
        status=InvoiceStatus.SUBMITTED,
        kind=InvoiceKind.INVOICE,
        claim__isnull=True,
    )
    left = pre_invoice(submitted.created_by, submitted.service, submitted.period)
    assert [line.over_exception for line in left] == [True]
