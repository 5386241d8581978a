"""The pre-invoice of a service's period, and who sees which invoices."""

from decimal import Decimal

import pytest
from django.http import Http404

from carebridge.organisations.choices import ContractType, FrustratedReason, PaymentMethod
from carebridge.payments import services
from carebridge.payments.access import invoice_for
from carebridge.payments.selectors import invoices_for, pre_invoice
from carebridge.payments.tests.conftest import (
    LAST_WEEK,
    clients,
    confirm,
    create,
    enter,
    make_payment_rule,
    on_invoice,
    period_of,
)

pytestmark = pytest.mark.django_db


def test_the_pre_invoice_lists_each_cpli_week_with_its_quantity_rate_and_cost(paying):
    world = paying
    (other,) = clients(paying, 1)
    # 14 planned: 12 delivered, 2 frustrated by an aborted visit paid in full by the default rule.
    enter(
        world,
        (world.cpli, "12"),
        frustrated="2",
        frustrated_reason=FrustratedReason.HOSPITAL,
        comments="In hospital on Friday",
    )
    enter(world, (other, "10"))
    confirm(world)
    lines = {
        line.cpli_id: line for line in pre_invoice(world.carer, world.service, period_of(world))
    }
    first = lines[world.cpli.pk]
    assert (first.client, first.ss_ref) == ("Monica Geller", "MG123")
    assert first.service_level == world.hours.name
    assert first.quantity == Decimal("14")  # Actual + payable Frstd
    assert first.rate == Decimal("16.16")
    assert first.amount == Decimal("226.24")
    assert first.vat_rate == 0 and not first.over_exception
    assert lines[other.pk].amount == Decimal("161.60")


def test_a_week_more_than_the_percentage_over_plan_is_over_the_exception(paying):
    enter(paying, (paying.cpli, "20"), comments="Extra visits while family away")
    (line,) = pre_invoice(paying.carer, paying.service, period_of(paying))
    assert line.over_exception


def test_nothing_to_invoice_where_the_council_self_bills(world):
    enter(world, (world.cpli, "14"))
    assert pre_invoice(world.carer, world.service, period_of(world)) == []
    make_payment_rule(world.council, ContractType.SPOT, payment_method=PaymentMethod.ON_SCHEDULE)
    assert pre_invoice(world.carer, world.service, period_of(world)) == []


def test_another_provider_sees_nothing_of_the_service(paying):
    enter(paying, (paying.cpli, "14"))
    assert pre_invoice(paying.stranger, paying.service, period_of(paying)) == []
    assert pre_invoice(paying.payments_officer, paying.service, period_of(paying)) == []


def test_an_invoiced_week_leaves_the_pre_invoice_and_comes_back_if_the_invoice_is_deleted(paying):
    enter(paying, (paying.cpli, "14"))
    invoice = create(paying)
    assert pre_invoice(paying.carer, paying.service, period_of(paying)) == []
    services.invoice_delete(by=paying.carer, invoice=invoice)
    assert len(pre_invoice(paying.carer, paying.service, period_of(paying))) == 1


@pytest.mark.parametrize("count", [3, 30])
def test_the_pre_invoice_asks_the_database_a_fixed_number_of_times(
    paying, count, django_assert_num_queries
):
    cplis = clients(paying, count)
    enter(paying, *[(cpli, "10") for cpli in cplis])
    period = period_of(paying)
    # The rulebook, payment rules and contracts; the CPLIs' prices, the CPLIs paid in part for
    # a frustrated quantity, and the lines.
    with django_assert_num_queries(6):
        lines = pre_invoice(paying.carer, paying.service, period)
    assert len(lines) == count


def test_each_sees_their_own_invoices_and_nobody_elses(paying):
    enter(paying, (paying.cpli, "14"))
    invoice = create(paying)
    assert list(invoices_for(paying.carer)) == [invoice]
    assert list(invoices_for(paying.read_only)) == [invoice]
    # The provider's draft is its own until it is submitted.
    assert list(invoices_for(paying.payments_officer)) == []
    invoice = services.invoice_submit(by=paying.carer, invoice=invoice)
    assert list(invoices_for(paying.carer)) == [invoice]
    assert list(invoices_for(paying.payments_officer)) == [invoice]
    assert list(invoices_for(paying.stranger)) == []
    assert list(invoices_for(paying.other_officer)) == []
    assert invoice_for(paying.payments_officer, invoice.pk) == invoice
    for outsider in (paying.stranger, paying.other_officer):
        with pytest.raises(Http404):
            invoice_for(outsider, invoice.pk)


def test_a_provider_of_two_councils_invoices_each_under_its_own_rules(two_council_provider):
    both = two_council_provider
    # The four-weekly council pays on invoice; the weekly one self-bills (the default).
    make_payment_rule(both.four_weekly, ContractType.SPOT, payment_method=PaymentMethod.ON_INVOICE)
    from carebridge.actuals import services as actuals
    from carebridge.actuals.models import Period
    from carebridge.actuals.rules import Entry

    weekly_period = Period.objects.get(
        council=both.weekly, start_date__lte=both.week, end_date__gte=both.week
    )
    actuals.actuals_save(
        both.carer,
        [actuals.Item(both.weekly_cpli.pk, both.week, Entry(actual=Decimal("10")), 1)],
    )
    assert pre_invoice(both.carer, both.service, weekly_period) == []
    lines = pre_invoice(both.carer, both.service, both.paid_period)
    assert {line.cpli_id for line in lines} == {both.four_weekly_cpli.pk}
    assert len(lines) == 4  # its four weeks
    invoice = services.invoice_create(
        by=both.carer,
        service=both.service,
        period=both.paid_period,
        reference="LH-001",
        invoice_date=both.week,
        actual_ids=[line.actual_id for line in lines],
    )
    assert invoice.council == both.four_weekly
    assert list(invoices_for(both.carer)) == [invoice]
    assert list(invoices_for(both.four_weekly_officer)) == []
    invoice = services.invoice_submit(by=both.carer, invoice=invoice)
    assert list(invoices_for(both.four_weekly_officer)) == [invoice]
    assert list(invoices_for(both.weekly_officer)) == []
    with pytest.raises(services.PaymentsRefused) as refused:
        services.invoice_create(
            by=both.carer,
            service=both.service,
            period=weekly_period,
            reference="LH-002",
            invoice_date=both.week,
            actual_ids=[],
        )
    assert refused.value.message == services.NOT_ON_INVOICE


def test_on_invoice_is_set_per_contract_type(world):
    on_invoice(world)
    enter(world, (world.cpli, "14"))
    assert len(pre_invoice(world.carer, world.service, period_of(world))) == 1
    make_payment_rule(world.council, ContractType.SPOT, payment_method=PaymentMethod.SELF_BILLING)
    assert pre_invoice(world.carer, world.service, period_of(world)) == []
    assert LAST_WEEK  # last week's period throughout
