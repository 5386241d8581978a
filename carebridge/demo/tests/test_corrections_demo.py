"""The demo's credit note: a week of a held Northshire invoice amended by the provider,
credited by the portal and referenced to the invoice, the period confirmed again."""

from __future__ import annotations

import pytest

from carebridge.actuals.models import Actual
from carebridge.audit.models import Event
from carebridge.demo.corrections_demo import MISSED_COMMENT
from carebridge.demo.demo import seed_demo
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import invoiced_net

pytestmark = pytest.mark.django_db


def test_a_held_invoice_has_a_credit_note_for_the_week_its_provider_amended():
    seed_demo()
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    original = note.corrects
    assert original is not None and original.status == InvoiceStatus.HELD
    assert note.status == InvoiceStatus.SUBMITTED and note.council.slug == "northshire"
    assert note.reference == f"{original.reference}-CN1"
    line = note.lines.select_related("actual").get()
    week = line.actual
    assert week.comments == MISSED_COMMENT and week.missed == 1
    assert line.amount == line.rate and line.quantity == 1
    assert invoiced_net(original.created_by, [week.pk])[week.pk].amount == week.cost
    assert Event.objects.filter(action="invoice.corrected", object_id=str(note.pk)).exists()
    # Seeding again tells nothing twice.
    seed_demo()
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
    assert Actual.objects.filter(comments=MISSED_COMMENT).count() == 1
