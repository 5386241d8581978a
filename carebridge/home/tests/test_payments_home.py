"""The payments officer's home page: payment runs another officer prepared, invoices waiting,
prompt payment per quarter and the invoices at risk of paying late; shown only to a council
user who may decide on invoices, each panel scoped to the officer's council, in the same number
of queries however many invoices wait."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.tests.conftest import NOW, World
from carebridge.payments import services
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests import conftest as payments_world
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from carebridge.payments.tests.runs_support import prepared_run, second_officer
from tests.support import client_for

pytestmark = pytest.mark.django_db

# The payments tests' world: its council paying the provider on invoice, the clock frozen.
clock = payments_world.clock
world = payments_world.world
paying = payments_world.paying
HOME = reverse("home:home")
# Twenty-five days after the invoices are received: due within seven days (by 16/12/2026).
LATER = NOW + timedelta(days=25)


def submitted(world: World, count: int) -> list[Invoice]:
    """`count` invoices of last week's clients, submitted now."""
    enter(world, *((cpli, "10") for cpli in clients(world, count)))
    lines = pre_invoice(world.carer, world.service, period_of(world))
    made = []
    for line in lines[:count]:
        invoice = create(world, [line.actual_id], reference=f"HOME-{line.actual_id}")
        made.append(services.invoice_submit(by=world.carer, invoice=invoice))
    return made


@pytest.fixture
def waiting(paying, clock):
    """Two invoices submitted now, and the clock 25 days on with a run prepared by the world's
    payments officer."""
    paying.invoices = submitted(paying, 2)
    clock.set(LATER)
    paying.run = prepared_run(paying)
    paying.second = second_officer(paying)
    return paying


def test_the_officer_sees_the_run_another_prepared_and_the_invoices_at_risk(waiting) -> None:
    response = client_for(waiting.second).get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payment runs to approve" in page
    assert reverse("payments:run_detail", args=[waiting.run.pk]) in page
    assert waiting.run.reference in page and "To approve" in page
    assert "2 invoices waiting" in page and "2 submitted, 0 held" in page
    assert "(25 days ago)" in page
    assert "Prompt payment" in page and "Q3 2026/27 (so far)" in page
    for invoice in waiting.invoices:
        assert reverse("payments:council_invoice_detail", args=[invoice.pk]) in page
    assert "16/12/2026" in page and "25 days so far" in page


def test_the_officer_who_prepared_the_run_is_not_asked_to_approve_it(waiting) -> None:
    page = client_for(waiting.payments_officer).get(HOME).content.decode()
    assert "Payment runs to approve" in page
    assert reverse("payments:run_detail", args=[waiting.run.pk]) not in page
    assert "No payment run prepared by another officer is waiting." in page


def test_another_councils_officer_sees_none_of_it(waiting) -> None:
    page = client_for(waiting.other_officer).get(HOME).content.decode()
    assert "Prompt payment" in page
    assert waiting.run.reference not in page
    assert "No invoices are waiting." in page
    assert "No unpaid invoice is due within 7 days or overdue." in page
    assert all(invoice.reference not in page for invoice in waiting.invoices)


@pytest.mark.parametrize("who", ["broker", "carer"])
def test_only_a_user_who_decides_on_invoices_gets_the_payments_panels(waiting, who) -> None:
    response = client_for(getattr(waiting, who)).get(HOME)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Payment runs to approve" not in page and "Prompt payment" not in page
    assert response.context.get("payments") is None


def _home_queries(world: World, clock, more: int) -> int:
    clock.set(NOW)
    submitted(world, more)
    clock.set(LATER)
    client = client_for(world.second)
    client.get(HOME)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def test_the_home_page_takes_the_same_queries_for_2_or_12_invoices_waiting(waiting, clock) -> None:
    assert _home_queries(waiting, clock, 0) == _home_queries(waiting, clock, 10)
