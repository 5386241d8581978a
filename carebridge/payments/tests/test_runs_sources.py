"""What a payment run pays, source by source, and what it leaves out (0011): invoices, self-billed
actuals, scheduled blocks, one-off claims (directly and through an invoice), and the issue's
acceptance cases (pro rata by days, nothing paid twice, an invoice returned and resubmitted paid
once, a rate or end-date change after payment adjusted exactly, a negative balance carried)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from carebridge.actuals.tests.conftest import NOW, make_payment_rule, open_periods
from carebridge.contracts.models import Cpli
from carebridge.contracts.signals import cpli_dates_changed
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.payments import services
from carebridge.payments.choices import ClaimStatus, InvoiceStatus, LineSource
from carebridge.payments.models import PaymentException, PaymentLine
from carebridge.payments.selectors import invoice_totals
from carebridge.payments.selectors.run_sources import due
from carebridge.payments.selectors.schedule import scheduled_amount
from carebridge.payments.tests.conftest import create, enter, on_invoice, period_of
from carebridge.payments.tests.runs_support import (
    confirmed,
    finalised_run,
    on_schedule,
    prepared_run,
)
from carebridge.payments.tests.test_claims import absence, claiming_world, new_claim

pytestmark = pytest.mark.django_db

WEEKLY = Decimal("226.24")


def _authorised(world, reference="INV-1"):
    confirmed(world)
    invoice = create(world, reference=reference)
    invoice = services.invoice_submit(by=world.carer, invoice=invoice)
    return services.invoice_authorise(by=world.payments_officer, invoice=invoice)


def test_an_authorised_invoice_is_paid_line_by_line_to_its_total(world):
    on_invoice(world)
    invoice = _authorised(world)
    run = prepared_run(world)
    lines = list(run.lines.all())
    assert [line.source for line in lines] == [LineSource.INVOICE_LINE]
    assert sum(line.total for line in lines) == invoice_totals(invoice)[2]
    assert lines[0].invoice_id == invoice.pk and lines[0].contract is not None


def test_finalising_pays_the_invoice_on_the_payment_date(world):
    on_invoice(world)
    invoice = _authorised(world)
    run = finalised_run(world)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_on == run.payment_date


def test_held_and_submitted_invoices_are_left_out_and_said_so(world):
    on_invoice(world)
    confirmed(world)
    invoice = services.invoice_submit(by=world.carer, invoice=create(world))
    found = due(period_of(world))
    assert found.lines == []
    (left,) = found.left_out
    assert (left.kind, left.invoice_id, left.total) == ("unauthorised_invoice", invoice.pk, WEEKLY)
    services.invoice_hold(by=world.payments_officer, invoice=invoice, reason="Query on hours")
    (left,) = due(period_of(world)).left_out
    assert left.kind == "held_invoice" and "Query on hours" in left.description


def test_an_invoice_returned_then_resubmitted_is_paid_once(world, clock):
    on_invoice(world)
    confirmed(world)
    invoice = services.invoice_submit(by=world.carer, invoice=create(world))
    services.invoice_return(by=world.payments_officer, invoice=invoice, reason="Wrong date")
    assert due(period_of(world)).lines == []
    invoice.refresh_from_db()
    invoice = services.invoice_resubmit(by=world.carer, invoice=invoice)
    services.invoice_authorise(by=world.payments_officer, invoice=invoice)
    finalised_run(world)
    _next_week(clock)
    assert due(period_of(world, NOW.date())).lines == []
    assert PaymentLine.objects.filter(invoice=invoice).count() == 1


def test_unconfirmed_actuals_are_left_out(world):
    enter(world, (world.cpli, "14"))
    found = due(period_of(world))
    assert found.lines == []
    (left,) = found.left_out
    assert left.kind == "not_confirmed" and left.period_id == period_of(world).pk
    assert left.total == WEEKLY and left.provider_name == world.provider.name


def test_a_self_billed_week_is_paid_once(world, clock):
    confirmed(world)
    finalised_run(world)
    _next_week(clock)
    assert due(period_of(world, NOW.date())).lines == []


def _next_week(clock, weeks: int = 1) -> None:
    clock.set(NOW + timedelta(weeks=weeks))
    open_periods()


def test_scheduled_blocks_two_weeks_in_arrears_and_two_in_advance(world):
    on_schedule(world)
    lines = due(period_of(world)).lines
    # Blocks start 19 October (two weeks after the first period) every four weeks: the CPLI's
    # first block pays its two weeks from 5 October; the block to 15 November is due now its two
    # weeks in arrears have passed; the block from 16 November waits for 29 November.
    assert [(line.covers_from, line.covers_to, line.excl_vat) for line in lines] == [
        (date(2026, 10, 5), date(2026, 10, 18), WEEKLY * 2),
        (date(2026, 10, 19), date(2026, 11, 15), WEEKLY * 4),
    ]
    assert {line.source for line in lines} == {LineSource.SCHEDULE}


def test_a_part_block_is_paid_pro_rata_by_days(world):
    on_schedule(world)
    (cpli,) = world.agree(world.line("14", start=date(2026, 10, 21)))
    lines = [line for line in due(period_of(world)).lines if line.cpli_id == cpli.pk]
    # Five days of its first week (Wednesday to Sunday) and three full weeks.
    assert [(line.covers_from, line.excl_vat) for line in lines] == [
        (date(2026, 10, 21), Decimal("161.60") + WEEKLY * 3)
    ]


def test_nothing_paid_twice_for_a_covered_period(world, clock):
    on_schedule(world)
    finalised_run(world)
    _next_week(clock)
    assert due(period_of(world, NOW.date())).lines == []


def test_an_end_date_change_after_payment_is_adjusted_exactly_and_carried(world, clock):
    on_schedule(world)
    finalised_run(world)
    # The line ends on Wednesday 28 October (a rate change: a new line from 16 November).
    Cpli.objects.filter(pk=world.cpli.pk).update(end_date=date(2026, 10, 28))
    world.cpli.refresh_from_db()
    cpli_dates_changed.send(sender=Cpli, cplis=[world.cpli], by=world.broker)
    (exception,) = PaymentException.objects.all()
    worth = WEEKLY + Decimal("96.96")  # a week and three days of the block from 19 October
    assert exception.excl_vat == worth - WEEKLY * 4
    assert scheduled_amount(world.cpli, date(2026, 10, 19), date(2026, 11, 15), 0) == worth
    # Sent again, nothing more: the adjustment already made counts.
    cpli_dates_changed.send(sender=Cpli, cplis=[world.cpli], by=world.broker)
    assert PaymentException.objects.count() == 1

    (new,) = world.agree(world.line("14", rate="20", start=date(2026, 11, 16)))
    _next_week(clock)
    run = finalised_run(world, period_of(world, NOW.date()))
    sources = {line.source: line.total for line in run.lines.all()}
    assert sources == {
        LineSource.EXCEPTION: exception.total,
        LineSource.CARRIED_FORWARD: -exception.total,
    }
    _next_week(clock, 2)
    run = finalised_run(world, period_of(world, NOW.date() + timedelta(days=7)))
    got = {line.source: line.total for line in run.lines.all()}
    assert got == {
        LineSource.BROUGHT_FORWARD: exception.total,
        LineSource.SCHEDULE: Decimal("1120.00"),  # 16 November's block at £280 a week
    }
    assert new.pk in set(run.lines.values_list("cpli_id", flat=True))


def test_a_claim_is_paid_directly_where_the_council_self_bills(world):
    world = claiming_world(world)
    claim = new_claim(world)
    absence(world, claim, days=5, hours=Decimal("12.5"), authorised_by="Rachel Green")
    services.claim_submit(by=world.carer, claim=claim)
    services.claim_approve(by=world.payments_officer, claim=claim, action_type=world.action_type)
    confirmed(world)
    run = finalised_run(world)
    line = run.lines.get(source=LineSource.CLAIM)
    assert (line.claim_id, line.excl_vat, line.vat) == (claim.pk, Decimal("202.00"), 0)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID


def test_a_claim_invoiced_is_paid_through_its_invoice(world):
    world = claiming_world(world)
    make_payment_rule(
        world.council,
        ContractType.FRAMEWORK,
        one_off_claims_allowed=True,
        payment_method=PaymentMethod.ON_INVOICE,
    )
    claim = new_claim(world)
    absence(world, claim, days=5, hours=Decimal("12.5"), authorised_by="Rachel Green")
    services.claim_submit(by=world.carer, claim=claim)
    claim = services.claim_approve(
        by=world.payments_officer, claim=claim, action_type=world.action_type
    )
    invoice = services.claim_invoice_create(
        by=world.carer, claim=claim, reference="ABS-1", invoice_date=date(2026, 11, 16)
    )
    invoice = services.invoice_submit(by=world.carer, invoice=invoice)
    services.invoice_authorise(by=world.payments_officer, invoice=invoice)
    assert not due(period_of(world)).lines[0].claim_id
    finalised_run(world)
    claim.refresh_from_db()
    invoice.refresh_from_db()
    assert (claim.status, invoice.status) == (ClaimStatus.PAID, InvoiceStatus.PAID)


def test_an_amended_paid_week_makes_an_exception_the_next_run_pays(world, clock):
    confirmed(world)
    run = finalised_run(world)
    actual = run.lines.get().actual
    # Only a disputed row of a processed period may change; the service is what the signal
    # calls, so the amendment is made as the row's new cost.
    type(actual).objects.filter(pk=actual.pk).update(cost=Decimal("161.60"))
    (exception,) = services.payment_exceptions_follow_actuals(
        by=world.carer, actual_ids=[actual.pk]
    )
    assert exception.excl_vat == Decimal("161.60") - WEEKLY
    assert services.payment_exceptions_follow_actuals(by=world.carer, actual_ids=[actual.pk]) == []
    _next_week(clock)
    lines = due(period_of(world, NOW.date())).lines
    assert [(line.source, line.total) for line in lines] == [
        (LineSource.EXCEPTION, exception.total),
        (LineSource.CARRIED_FORWARD, -exception.total),
    ]


def test_a_disputed_row_is_left_out_with_its_dispute(world):
    from carebridge.disputes import services as disputes
    from carebridge.disputes.tests.conftest import reason_of

    period = confirmed(world)
    actual = world.cpli.actuals.get()
    dispute = disputes.dispute_raise(
        by=world.payments_officer,
        actual_ids=[actual.pk],
        reason=reason_of(world.council),
        details="Carer not on rota",
    )
    found = due(period)
    assert found.lines == []
    (left,) = found.left_out
    assert (left.kind, left.dispute_id, left.total) == ("disputed", dispute.pk, WEEKLY)
