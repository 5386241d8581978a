"""Races on one invoice that only a real database server shows (run on PostgreSQL): a change to
an Unsubmitted invoice's lines and its submission at once never leave a submitted invoice holding
an over-exception line, and the payments team's simultaneous decisions on a submitted invoice
make one transition."""

import threading

import pytest
from django.db import connection

from carebridge.audit.models import Event
from carebridge.payments import services
from carebridge.payments.choices import InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from tests.support import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]
S = InvoiceStatus


def alternate(calls) -> object:
    """A callable that runs each of `calls` in turn, one per thread, and returns what it raised
    as a refusal or what it returned."""
    order = iter(range(10**6))
    lock = threading.Lock()

    def run() -> object:
        with lock:
            n = next(order)
        try:
            return calls[n % len(calls)]()
        except services.PaymentsRefused as refusal:
            return refusal

    return run


def test_adding_an_over_exception_line_while_submitting_never_submits_it(paying):
    (other,) = clients(paying, 1)
    # The world's client had 20 of 14 planned hours: over the exception.
    enter(paying, (paying.cpli, "20"), comments="Family away")
    enter(paying, (other, "10"))
    lines = pre_invoice(paying.carer, paying.service, period_of(paying))
    (fine,) = [line for line in lines if not line.over_exception]
    (over,) = [line for line in lines if line.over_exception]
    invoice = create(paying, [fine.actual_id])

    def add_over() -> object:
        return services.invoice_update(
            by=paying.carer, invoice=invoice, actual_ids=[fine.actual_id, over.actual_id]
        )

    def submit() -> object:
        return services.invoice_submit(by=paying.carer, invoice=invoice)

    results = run_together(alternate([add_over, submit]), 20)
    invoice.refresh_from_db()
    held = set(invoice.lines.values_list("actual_id", flat=True))
    if invoice.status == S.SUBMITTED:
        assert held == {fine.actual_id}
        assert not invoice.lines.filter(over_exception=True).exists()
    else:
        assert invoice.status == S.UNSUBMITTED and held == {fine.actual_id, over.actual_id}
    assert Event.objects.filter(action="invoice.submit").count() == (
        1 if invoice.status == S.SUBMITTED else 0
    )
    assert any(isinstance(r, services.PaymentsRefused) for r in results)


def test_twenty_decisions_at_once_on_a_submitted_invoice_make_one_transition(paying):
    enter(paying, (paying.cpli, "14"))
    invoice = services.invoice_submit(by=paying.carer, invoice=create(paying))
    officer = paying.payments_officer

    # Each officer decides on the invoice as their page showed it (submitted), read before the
    # race: half authorise it, half hold it. A hold and then an authorisation its officer never
    # saw held would be two decisions.
    pages = [Invoice.objects.get(pk=invoice.pk) for _ in range(20)]
    lock = threading.Lock()

    def page() -> Invoice:
        with lock:
            return pages.pop()

    def authorise() -> object:
        return services.invoice_authorise(by=officer, invoice=page(), as_seen=True)

    def hold() -> object:
        return services.invoice_hold(
            by=officer, invoice=page(), reason="Checking the hours", as_seen=True
        )

    results = run_together(alternate([authorise, hold]), 20)
    made = [r for r in results if isinstance(r, Invoice)]
    assert len(made) == 1
    invoice.refresh_from_db()
    assert invoice.status == made[0].status
    decisions = Event.objects.filter(action__in=["invoice.authorise", "invoice.hold"])
    assert decisions.count() == 1
