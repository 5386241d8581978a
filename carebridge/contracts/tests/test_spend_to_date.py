"""A purchase order's spend to date and what remains, through core.spend's registry with
payments' source registered (the app is installed): only finalised runs' lines for the client
and provider whose days start in the financial year count, read once for a whole page."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.models import Period
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.actuals.tests.conftest import World
from carebridge.contracts.purchase_orders import purchase_orders_of_client
from carebridge.core import spend
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.services import run_finalise
from carebridge.payments.spend import finalised_spend
from carebridge.payments.tests.conftest import clients
from carebridge.payments.tests.paid_lines import run_of, scheduled_line
from carebridge.payments.tests.runs_support import approved_run, on_schedule
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db

clock = actuals_world.clock
world = actuals_world.world


def periods(world: World) -> list[Period]:
    return list(Period.objects.filter(council=world.council).order_by("start_date"))


def finalised(world: World, n: int = 0):
    """A finalised run of the world's council for its n-th period."""
    officer = make_user(council=world.council, role="payments_officer")
    return run_of(periods(world)[n], by=world.payments_officer, approver=officer)


def test_payments_source_is_registered_with_the_registry() -> None:
    assert finalised_spend in spend.sources()


def test_a_purchase_order_spends_what_finalised_runs_paid_in_its_year(world: World) -> None:
    run = finalised(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="400.00")
    scheduled_line(run, world.cpli, covers_from=date(2026, 11, 2), excl_vat="50.00", vat="2.50")
    # Days starting in the next financial year are that year's spend.
    scheduled_line(run, world.cpli, covers_from=date(2027, 4, 1), excl_vat="999.00")
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    assert order.spend_to_date == Decimal("452.50")
    assert order.remaining == order.value - Decimal("452.50")
    (next_year,) = purchase_orders_of_client(world.carer, world.person.pk, year=2027)
    assert next_year.spend_to_date == Decimal("999.00")


@pytest.mark.parametrize("status", [RunStatus.PREPARED, RunStatus.APPROVED, RunStatus.DISCARDED])
def test_a_run_not_finalised_spends_nothing(world: World, status: str) -> None:
    approver = make_user(council=world.council, role="payments_officer")
    run = run_of(periods(world)[0], by=world.payments_officer, approver=approver, status=status)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5))
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    assert order.spend_to_date == Decimal("0.00")
    assert order.remaining == order.value


def test_another_clients_or_providers_lines_are_not_this_orders_spend(world: World) -> None:
    (other_client,) = clients(world, 1)
    (other_provider,) = world.agree(world.line("3"), service=world.other_service)
    run = finalised(world)
    scheduled_line(run, other_client, covers_from=date(2026, 10, 5), excl_vat="70.00")
    scheduled_line(run, other_provider, covers_from=date(2026, 10, 5), excl_vat="30.00")
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    assert order.spend_to_date == Decimal("0.00")
    spent = spend.spend_to_date(
        [(world.person.pk, world.provider.pk), (world.person.pk, world.other_provider.pk)],
        year=2026,
    )
    assert spent == {
        (world.person.pk, world.provider.pk): Decimal("0.00"),
        (world.person.pk, world.other_provider.pk): Decimal("30.00"),
    }


def test_the_registry_asks_nothing_for_a_page_without_purchase_orders(
    django_assert_num_queries,
) -> None:
    with django_assert_num_queries(0):
        assert spend.spend_to_date([], year=2026) == {}


def test_the_list_shows_spend_and_remaining(world: World) -> None:
    run = finalised(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="1000.00")
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    page = client_for(world.carer).get(reverse("cplis:po_list"), {"year": 2026}).content.decode()
    assert "Geller, Monica" in page
    assert "£1,000.00" in page
    assert f"£{order.value - Decimal('1000.00'):,.2f}" in page


def test_the_list_filtered_to_a_service_counts_only_its_lines(world: World) -> None:
    # The client's second service's line: the order shown for the first service excludes it.
    (night,) = world.agree(world.line("2", level=world.nights), service=world.other_service)
    run = finalised(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="10.00")
    scheduled_line(run, night, covers_from=date(2026, 10, 5), excl_vat="20.00")
    by_council = world.payments_officer
    page = client_for(by_council).get(
        reverse("cplis:po_list"), {"year": 2026, "service": world.service.pk}
    )
    text = page.content.decode()
    assert "£10.00" in text and "£20.00" not in text


def test_the_purchase_order_page_shows_spend_and_remaining(world: World) -> None:
    run = finalised(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="123.45")
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    url = reverse("cplis:po_detail", args=[world.person.pk, 2026])
    text = client_for(world.read_only).get(url).content.decode()
    assert "Spend to date" in text and "£123.45" in text
    assert "Remaining" in text and f"£{order.value - Decimal('123.45'):,.2f}" in text


def _list_queries(world: World, paid: int) -> int:
    """The list's queries once `paid` clients in all have a finalised line of £100."""
    for n, cpli in enumerate(clients(world, paid - _paid_so_far())):
        scheduled_line(_a_run(world), cpli, covers_from=date(2026, 10, 5 + n % 7))
    client = client_for(world.carer)
    client.get(reverse("cplis:po_list"), {"year": 2026})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cplis:po_list"), {"year": 2026})
    assert response.content.decode().count("£100.00") == paid
    return len(queries)


def _paid_so_far() -> int:
    return PaymentLine.objects.count()


def _a_run(world: World) -> PaymentRun:
    return PaymentRun.objects.first() or finalised(world)


def test_the_list_reads_spend_in_the_same_queries_for_2_or_20_orders(world: World) -> None:
    assert _list_queries(world, 2) == _list_queries(world, 20)


def test_a_run_finalised_through_the_services_fills_the_spend(world: World) -> None:
    # Paid on schedule: last week's run pays the CPLI's blocks from 05/10 to 15/11.
    on_schedule(world)
    approved = approved_run(world)
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    assert order.spend_to_date == Decimal("0.00")
    run_finalise(by=world.payments_officer, run=approved)
    (order,) = purchase_orders_of_client(world.carer, world.person.pk, year=2026)
    assert order.spend_to_date == Decimal("1357.44")
    assert order.remaining == order.value - Decimal("1357.44")
