"""Creating, changing, deleting and submitting an invoice, and the payments team's decisions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carebridge.audit.models import Event
from carebridge.payments import services
from carebridge.payments.choices import TRANSITIONS, InvoiceEvent, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors import invoice_totals, pre_invoice
from carebridge.payments.tests.conftest import clients, create, enter, period_of, total
from tests.support import make_user

pytestmark = pytest.mark.django_db
S = InvoiceStatus


@pytest.fixture
def ready(paying):
    """Two clients' weeks entered: the world's client 14 hours, another 10."""
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "14"), (other, "10"))
    paying.other_cpli = other
    return paying


def refused(call, **kwargs) -> str:
    with pytest.raises(services.PaymentsRefused) as refusal:
        call(**kwargs)
    return refusal.value.message


def test_an_invoice_is_its_ticked_lines_and_totals_to_the_penny(ready):
    invoice = create(ready)
    assert invoice.status == S.UNSUBMITTED
    assert invoice.council == ready.council and invoice.provider == ready.provider
    assert invoice.lines.count() == 2
    assert total(invoice) == Decimal("226.24") + Decimal("161.60")
    assert invoice_totals(invoice) == (Decimal("387.84"), Decimal("0.00"), Decimal("387.84"))
    event = Event.objects.get(action="invoice.created")
    assert event.detail["total"] == "387.84"


def test_vat_comes_from_the_service_level_in_the_catalogue(ready):
    from carebridge.contracts.models import ServiceLevel

    ServiceLevel.objects.filter(pk=ready.hours.pk).update(vat_rate=Decimal("20"))
    invoice = create(ready)
    assert invoice_totals(invoice) == (Decimal("387.84"), Decimal("77.57"), Decimal("465.41"))


def test_unticked_lines_stay_on_the_pre_invoice(ready):
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    invoice = create(ready, [first.actual_id])
    assert list(invoice.lines.values_list("actual_id", flat=True)) == [first.actual_id]
    assert len(pre_invoice(ready.carer, ready.service, period_of(ready))) == 1


def test_the_same_create_twice_makes_one_invoice(ready):
    first = create(ready, idempotency_key="k1")
    again = create(ready, idempotency_key="k1")
    assert again.pk == first.pk and Invoice.objects.count() == 1


def test_a_reference_is_used_once_per_provider(ready):
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    create(ready, [first.actual_id], reference="INV-7")
    with pytest.raises(ValidationError) as error:
        create(ready, reference=" INV-7 ")
    assert error.value.message_dict == {"reference": [services.REFERENCE_USED]}
    assert Invoice.objects.count() == 1


def test_a_week_already_invoiced_or_not_the_services_cannot_be_ticked(ready):
    invoice = create(ready)
    taken = invoice.lines.first().actual_id
    message = refused(
        services.invoice_create,
        by=ready.carer,
        service=ready.service,
        period=period_of(ready),
        reference="INV-2",
        invoice_date=invoice.invoice_date,
        actual_ids=[taken],
    )
    assert message == services.NOT_IN_PRE_INVOICE
    assert InvoiceLine.objects.count() == 2


def test_nothing_ticked_is_a_field_error(ready):
    with pytest.raises(ValidationError) as error:
        create(ready, [])
    assert error.value.message_dict == {"lines": [services.NO_LINES]}


def test_a_council_that_self_bills_takes_no_invoice(world):
    enter(world, (world.cpli, "14"))
    with pytest.raises(services.PaymentsRefused) as refusal:
        create(world, [1])
    assert refusal.value.message == services.NOT_ON_INVOICE


@pytest.mark.parametrize("role", ["payments", "invoice_only", "super_user_scheduled"])
def test_the_roles_that_edit_invoices_may_create_one(ready, role):
    user = make_user(provider=ready.provider, role=role)
    invoice = create(ready, by=user)
    assert invoice.created_by == user


@pytest.mark.parametrize("role", ["read_only", "reports", "administration"])
def test_the_roles_that_only_view_or_have_no_invoices_may_not(ready, role):
    user = make_user(provider=ready.provider, role=role)
    with pytest.raises(services.PaymentsRefused) as refusal:
        create(ready, [1], by=user)
    assert refusal.value.message == services.NOT_AN_EDITOR
    assert Invoice.objects.count() == 0


def test_another_provider_or_an_officer_may_not_invoice_the_service(ready):
    for outsider in (ready.stranger, ready.payments_officer):
        with pytest.raises(services.PaymentsRefused):
            create(ready, [1], by=outsider)


def test_an_unsubmitted_invoice_can_be_changed_then_deleted(ready):
    first, second = pre_invoice(ready.carer, ready.service, period_of(ready))
    invoice = create(ready, [first.actual_id])
    services.invoice_update(
        by=ready.carer,
        invoice=invoice,
        reference="INV-9",
        actual_ids=[second.actual_id],
    )
    invoice.refresh_from_db()
    assert invoice.reference == "INV-9"
    assert list(invoice.lines.values_list("actual_id", flat=True)) == [second.actual_id]
    assert total(invoice) == second.amount
    services.invoice_delete(by=ready.carer, invoice=invoice)
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
    assert Event.objects.filter(action="invoice.deleted").count() == 1


def test_a_submitted_invoice_can_no_longer_be_changed_or_deleted(ready):
    invoice = create(ready)
    services.invoice_submit(by=ready.carer, invoice=invoice)
    assert refused(services.invoice_update, by=ready.carer, invoice=invoice, reference="X") == (
        services.NOT_UNSUBMITTED
    )
    assert refused(services.invoice_delete, by=ready.carer, invoice=invoice) == (
        services.NOT_UNSUBMITTED
    )
    assert (
        refused(services.invoice_submit, by=ready.carer, invoice=invoice)
        == (services.MOVE_REFUSED[InvoiceEvent.SUBMIT])
    )


def test_submit_is_refused_while_a_line_is_over_the_exception_naming_its_client(paying):
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "20"), comments="Family away")
    enter(paying, (other, "10"))
    invoice = create(paying)
    message = refused(services.invoice_submit, by=paying.carer, invoice=invoice)
    assert "Monica Geller" in message and "ask for a temporary CPLI" in message
    assert Invoice.objects.get().status == S.UNSUBMITTED
    over = invoice.lines.get(over_exception=True).actual_id
    services.invoice_update(
        by=paying.carer,
        invoice=invoice,
        actual_ids=invoice.lines.exclude(actual_id=over).values_list("actual_id", flat=True),
    )
    assert services.invoice_submit(by=paying.carer, invoice=invoice).status == S.SUBMITTED


def test_the_payments_team_holds_returns_and_authorises_and_a_run_pays(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    officer = ready.payments_officer
    held = services.invoice_hold(by=officer, invoice=invoice, reason="Checking week 2")
    assert (held.status, held.held_reason) == (S.HELD, "Checking week 2")
    returned = services.invoice_return(by=officer, invoice=invoice, reason="Wrong hours")
    assert (returned.status, returned.returned_reason) == (S.RETURNED, "Wrong hours")
    assert services.invoice_resubmit(by=ready.carer, invoice=invoice).status == S.SUBMITTED
    assert services.invoice_authorise(by=officer, invoice=invoice).status == S.AUTHORISED
    assert (
        refused(services.invoice_hold, by=officer, invoice=invoice, reason="Late")
        == (services.MOVE_REFUSED[InvoiceEvent.HOLD])
    )
    assert services.invoice_pay(by=None, invoice=invoice).status == S.PAID
    actions = list(
        Event.objects.filter(action__startswith="invoice.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "invoice.created",
        "invoice.submit",
        "invoice.hold",
        "invoice.return",
        "invoice.resubmit",
        "invoice.authorise",
        "invoice.pay",
    ]


def test_a_hold_needs_a_reason(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    with pytest.raises(ValidationError):
        services.invoice_hold(by=ready.payments_officer, invoice=invoice, reason=" ")
    assert Invoice.objects.get().status == S.SUBMITTED


def test_only_the_invoices_councils_payments_team_decides(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    for outsider in (ready.other_officer, ready.carer, ready.broker):
        assert refused(services.invoice_authorise, by=outsider, invoice=invoice) == (
            services.NOT_A_PAYMENTS_OFFICER
        )
    assert Invoice.objects.get().status == S.SUBMITTED


def test_the_table_moves_each_status_as_the_issue_says():
    assert TRANSITIONS.events_from(S.UNSUBMITTED) == [InvoiceEvent.SUBMIT]
    assert TRANSITIONS.events_from(S.PAID) == []
    assert TRANSITIONS.target(InvoiceEvent.RETURN) == S.RETURNED
    assert set(TRANSITIONS.events_from(S.HELD)) == {InvoiceEvent.AUTHORISE, InvoiceEvent.RETURN}
