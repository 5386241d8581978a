"""The payments officer's home page reads (payments.selectors.prompt_payment): runs another
officer prepared, invoices waiting, the share of valid invoices paid within 30 days per quarter
of the financial year, and the invoices at risk of paying late. Invoices are made, submitted,
returned, authorised and paid through the services, the clock moved between; a payment date is
what a finalised run writes (one test finalises a real run)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carebridge.actuals.tests.conftest import NOW, World
from carebridge.payments import services
from carebridge.payments.choices import InvoiceStatus, RunStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.selectors.prompt_payment import (
    invoices_at_risk,
    invoices_waiting,
    prompt_payment_quarters,
    quarter_of,
    runs_to_approve,
)
from carebridge.payments.services import run_approve, run_finalise
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from carebridge.payments.tests.runs_support import prepared_run, second_officer

pytestmark = pytest.mark.django_db


def invoices(world: World, count: int) -> list[Invoice]:
    """`count` Unsubmitted invoices of last week, one client's week each."""
    enter(world, *((cpli, "10") for cpli in clients(world, count)))
    lines = pre_invoice(world.carer, world.service, period_of(world))
    return [
        create(world, [line.actual_id], reference=f"PP-{line.actual_id}") for line in lines[:count]
    ]


def submit(world: World, clock, invoice: Invoice, at: datetime) -> Invoice:
    clock.set(at)
    return services.invoice_submit(by=world.carer, invoice=invoice)


def pay(world: World, invoice: Invoice, on: date) -> None:
    """Authorised and paid on `on`, the payment date a finalised run writes."""
    invoice = services.invoice_authorise(by=world.payments_officer, invoice=invoice)
    services.invoice_pay(by=None, invoice=invoice)
    Invoice.objects.filter(pk=invoice.pk).update(paid_on=on)


def counts(quarters) -> list[tuple[str, int, int, Decimal | None, bool]]:
    return [(q.label, q.paid, q.on_time, q.share, q.in_progress) for q in quarters]


# --- Prompt payment per quarter ---------------------------------------------------------------


def test_the_share_counts_each_invoice_in_the_quarter_it_was_paid(paying, clock) -> None:
    a, b, c, d, unpaid = invoices(paying, 5)
    for invoice in (a, b, c, d, unpaid):
        submit(paying, clock, invoice, NOW)
    pay(paying, a, date(2026, 12, 16))  # 30 days: within
    pay(paying, b, date(2026, 12, 17))  # 31 days: late
    # Returned, then submitted again on 1 December: its 30 days run from then.
    services.invoice_return(by=paying.payments_officer, invoice=c, reason="Wrong hours")
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    c = services.invoice_resubmit(by=paying.carer, invoice=Invoice.objects.get(pk=c.pk))
    pay(paying, c, date(2026, 12, 31))
    pay(paying, d, date(2027, 1, 5))  # 50 days, in the next quarter
    quarters = prompt_payment_quarters(paying.payments_officer, today=date(2027, 1, 10))
    assert counts(quarters) == [
        ("Q1 2026/27", 0, 0, None, False),
        ("Q2 2026/27", 0, 0, None, False),
        ("Q3 2026/27", 3, 2, Decimal("66.7"), False),
        ("Q4 2026/27", 1, 0, Decimal("0.0"), True),
    ]
    assert (quarters[2].first, quarters[2].last) == (date(2026, 10, 1), date(2026, 12, 31))


def test_another_councils_officer_counts_none_of_them(paying, clock) -> None:
    (invoice,) = invoices(paying, 1)
    submit(paying, clock, invoice, NOW)
    pay(paying, invoice, date(2026, 11, 20))
    mine = prompt_payment_quarters(paying.payments_officer, today=date(2026, 11, 30))
    theirs = prompt_payment_quarters(paying.other_officer, today=date(2026, 11, 30))
    assert mine[-1].paid == 1 and mine[-1].share == Decimal("100.0")
    assert theirs[-1].paid == 0 and theirs[-1].share is None


def test_a_finalised_run_pays_on_its_payment_date_and_counts(paying, clock) -> None:
    (invoice,) = invoices(paying, 1)
    submit(paying, clock, invoice, NOW)
    services.invoice_authorise(by=paying.payments_officer, invoice=invoice)
    run = run_approve(by=second_officer(paying), run=prepared_run(paying))
    run_finalise(by=paying.payments_officer, run=run)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.paid_on == date(2026, 11, 16)
    (*_, current) = prompt_payment_quarters(paying.payments_officer)
    assert (current.label, current.paid, current.on_time) == ("Q3 2026/27", 1, 1)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_the_four_quarters_follow_on_and_end_with_todays(day: date) -> None:
    nobody = SimpleNamespace(council_id=None)
    quarters = prompt_payment_quarters(nobody, today=day)  # type: ignore[arg-type]
    assert len(quarters) == 4
    assert quarters[-1].first <= day <= quarters[-1].last
    assert [q.in_progress for q in quarters] == [False, False, False, True]
    for before, after in pairwise(quarters):
        assert after.first == before.last + timedelta(days=1)
    for quarter in quarters:
        assert quarter.first.day == 1 and quarter.first.month in (1, 4, 7, 10)
        assert (
            quarter_of(quarter.first)
            == quarter_of(quarter.last)
            == (
                quarter.year,
                quarter.number,
            )
        )


# --- Invoices at risk and waiting -------------------------------------------------------------


@pytest.fixture
def risky(paying, clock):
    """Four submitted invoices: X authorised (received 16/11, due by 16/12), Y submitted on
    20/11 (due by 20/12), Z held, W paid."""
    x, y, z, w = invoices(paying, 4)
    for invoice in (x, z, w):
        submit(paying, clock, invoice, NOW)
    submit(paying, clock, y, NOW + timedelta(days=4))
    services.invoice_authorise(by=paying.payments_officer, invoice=x)
    services.invoice_hold(by=paying.payments_officer, invoice=z, reason="Checking hours")
    pay(paying, w, date(2026, 12, 1))
    paying.at_risk = SimpleNamespace(x=x, y=y, z=z, w=w)
    return paying


def references(at_risk) -> list[str]:
    return [invoice.reference for invoice, _facts in at_risk.rows]


def test_an_invoice_due_within_seven_days_is_at_risk(risky) -> None:
    officer, x, y = risky.payments_officer, risky.at_risk.x, risky.at_risk.y
    assert invoices_at_risk(officer, today=date(2026, 12, 8)).count == 0
    assert references(invoices_at_risk(officer, today=date(2026, 12, 9))) == [x.reference]
    # Y is due by 20/12: both at risk, the soonest due first.
    soon = invoices_at_risk(officer, today=date(2026, 12, 13))
    assert references(soon) == [x.reference, y.reference]
    (_x, facts), _ = soon.rows
    assert facts.due_by == date(2026, 12, 16) and not facts.overdue


def test_an_overdue_invoice_says_by_how_many_days_and_the_list_is_limited(risky) -> None:
    late = invoices_at_risk(risky.payments_officer, today=date(2026, 12, 18), limit=1)
    assert late.count == 2 and references(late) == [risky.at_risk.x.reference]
    ((_invoice, facts),) = late.rows
    assert facts.overdue and facts.overdue_by == 2 and facts.days == 32


def test_held_paid_and_other_councils_invoices_are_never_at_risk(risky) -> None:
    shown = references(invoices_at_risk(risky.payments_officer, today=date(2027, 3, 1)))
    assert risky.at_risk.z.reference not in shown and risky.at_risk.w.reference not in shown
    assert invoices_at_risk(risky.other_officer, today=date(2027, 3, 1)).count == 0


def test_invoices_waiting_are_the_submitted_and_held_with_the_oldest(risky) -> None:
    waiting = invoices_waiting(risky.payments_officer, today=date(2026, 11, 26))
    assert (waiting.submitted, waiting.held, waiting.count) == (1, 1, 2)
    assert waiting.oldest == NOW and waiting.oldest_days == 10
    nothing = invoices_waiting(risky.other_officer)
    assert (nothing.count, nothing.oldest, nothing.oldest_days) == (0, None, None)


# --- Runs to approve --------------------------------------------------------------------------


def test_a_run_waits_for_every_officer_but_the_one_who_prepared_it(world) -> None:
    second = second_officer(world)
    run = prepared_run(world)
    assert runs_to_approve(world.payments_officer) == []
    assert runs_to_approve(world.other_officer) == []
    (waiting,) = runs_to_approve(second)
    assert waiting.pk == run.pk and waiting.status == RunStatus.PREPARED
    assert waiting.line_count == run.lines.count()
    approved = run_approve(by=second, run=run)
    # Approved, it waits to be finalised, still listed for the officers who did not prepare it.
    assert [r.status for r in runs_to_approve(second)] == [RunStatus.APPROVED]
    run_finalise(by=world.payments_officer, run=approved)
    assert runs_to_approve(second) == []
