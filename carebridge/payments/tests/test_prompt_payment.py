"""The 30-day prompt-payment rule (Public Contracts Regulations 2015, reg. 113) in one place."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from carebridge.payments import prompt_payment as pp
from carebridge.payments import services
from carebridge.payments.tests.conftest import confirm, create, enter, on_invoice
from carebridge.payments.tests.runs_support import finalised_run
from tests.support import client_for


def test_an_invoice_is_due_thirty_calendar_days_after_its_london_day_of_receipt() -> None:
    # 23:30 UTC on 31 March 2024 is 00:30 on 1 April in London (BST): received on 1 April.
    received = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    assert pp.received_day(received) == date(2024, 4, 1)
    assert pp.due_by(received) == date(2024, 5, 1)


def test_paid_on_the_due_by_day_is_on_time_and_a_day_later_is_late() -> None:
    received = date(2024, 1, 10)
    assert pp.paid_within_terms(received, date(2024, 2, 9))
    assert not pp.paid_within_terms(received, date(2024, 2, 10))
    facts = pp.prompt_payment(received, date(2024, 2, 10), today=date(2024, 3, 1))
    assert facts is not None
    assert facts.days == 31
    assert facts.on_time is False
    assert facts.days_label == "31 days"
    assert not facts.overdue


def test_an_unpaid_invoice_counts_days_so_far_and_is_overdue_only_past_its_due_by_day() -> None:
    received = date(2024, 1, 10)
    on_due_day = pp.prompt_payment(received, None, today=date(2024, 2, 9))
    assert on_due_day is not None
    assert on_due_day.days_label == "30 days so far"
    assert not on_due_day.overdue
    assert on_due_day.on_time is None
    late = pp.prompt_payment(received, None, today=date(2024, 2, 12))
    assert late is not None
    assert late.overdue
    assert late.overdue_by == 3
    assert late.days_label == "33 days so far"


def test_one_day_is_singular_and_nothing_received_has_no_facts() -> None:
    facts = pp.prompt_payment(date(2024, 1, 10), date(2024, 1, 11))
    assert facts is not None
    assert facts.days_label == "1 day"
    assert pp.prompt_payment(None, None) is None


@given(
    received=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    after=st.integers(min_value=0, max_value=400),
)
def test_on_time_exactly_when_paid_within_thirty_days(received: date, after: int) -> None:
    paid_on = received + timedelta(days=after)
    facts = pp.prompt_payment(received, paid_on, today=paid_on)
    assert facts is not None
    assert facts.days == after
    assert facts.on_time is (after <= pp.PROMPT_PAYMENT_DAYS)
    assert pp.paid_within_terms(received, paid_on) is (after <= 30)


# The provider's invoice pages: received, due by, paid on and days taken.


def _submitted(world):
    on_invoice(world)
    enter(world, (world.cpli, "14"))
    confirm(world)
    return services.invoice_submit(by=world.carer, invoice=create(world))


@pytest.mark.django_db
def test_an_unsubmitted_invoice_says_it_has_not_been_received(world):
    on_invoice(world)
    enter(world, (world.cpli, "14"))
    confirm(world)
    invoice = create(world)
    body = client_for(world.carer).get(reverse("payments:invoice_detail", args=[invoice.pk]))
    assert "the council receives it when you submit it" in body.content.decode()
    listed = client_for(world.carer).get(reverse("payments:invoice_list")).content.decode()
    assert "Not received yet" in listed


@pytest.mark.django_db
def test_a_submitted_invoice_shows_its_due_date_and_then_that_it_is_overdue(world, clock):
    invoice = _submitted(world)  # Monday 16 November 2026, 10:00
    detail = reverse("payments:invoice_detail", args=[invoice.pk])
    body = client_for(world.carer).get(detail).content.decode()
    assert "16/11/2026" in body and "16/12/2026" in body and "0 days so far" in body
    assert "Overdue" not in body
    clock.set(datetime(2026, 12, 20, 10, 0, tzinfo=UTC))
    body = client_for(world.carer).get(detail).content.decode()
    assert "34 days so far" in body
    assert "Overdue</strong> 4 days past its due date" in body
    listed = client_for(world.carer).get(reverse("payments:invoice_list")).content.decode()
    assert "Due by 16/12/2026" in listed and "Overdue" in listed


@pytest.mark.django_db
def test_a_paid_invoice_shows_the_runs_payment_date_and_the_days_it_took(world, clock):
    invoice = _submitted(world)
    services.invoice_authorise(by=world.payments_officer, invoice=invoice)
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    finalised_run(world)  # pays on today, Monday 30 November
    invoice.refresh_from_db()
    assert invoice.paid_on == date(2026, 11, 30)
    body = (
        client_for(world.read_only)
        .get(reverse("payments:invoice_detail", args=[invoice.pk]))
        .content.decode()
    )
    assert "30/11/2026" in body and "14 days" in body and "so far" not in body
    assert "Paid late" not in body and "Overdue" not in body
