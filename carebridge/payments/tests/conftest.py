"""The actuals tests' world (a council, its provider with an agreed order, a second provider and
council, a frozen clock), with the council paying the provider's spot contract on invoice, and
builders for a service's confirmed actuals in last week's period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Period
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.actuals.tests.conftest import World, item, make_payment_rule, weeks_ago
from carebridge.contracts.models import Cpli
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.payments import services
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.people import services as people

# The actuals tests' fixtures, shared here.
clock = actuals_world.clock
world = actuals_world.world

LAST_WEEK = weeks_ago(1)
_numbers = iter(range(1, 10**6))


def period_of(world: World, week: date = LAST_WEEK) -> Period:
    return Period.objects.get(council=world.council, start_date__lte=week, end_date__gte=week)


def on_invoice(world: World) -> None:
    make_payment_rule(world.council, ContractType.SPOT, payment_method=PaymentMethod.ON_INVOICE)


def clients(world: World, count: int, quantity: str = "10") -> list[Cpli]:
    """`count` more clients of the world's service, each with one agreed CPLI."""
    made = []
    for _ in range(count):
        n = next(_numbers)
        person = people.service_user_create(
            council=world.council,
            by=world.broker,
            ss_ref=f"PX{n:05d}",
            first_name="Client",
            last_name=f"Number{n}",
            date_of_birth=date(1940, 1, 1),
        )
        made += world.agree(world.line(quantity), person=person)
    return made


def enter(world: World, *rows: tuple[Cpli, str], week: date = LAST_WEEK, **fields) -> None:
    """Save these actuals for the week, as the world's carer."""
    actuals.actuals_save(world.carer, [item(cpli, week, actual, **fields) for cpli, actual in rows])


def confirm(world: World, week: date = LAST_WEEK) -> None:
    actuals.actuals_confirm(world.carer, period_of(world, week))


def create(world: World, actual_ids=None, *, reference: str = "INV-1", by=None, **fields):
    period = fields.pop("period", None) or period_of(world)
    if actual_ids is None:
        actual_ids = [line.actual_id for line in pre_invoice(world.carer, world.service, period)]
    return services.invoice_create(
        by=by or world.carer,
        service=fields.pop("service", world.service),
        period=period,
        reference=reference,
        invoice_date=fields.pop("invoice_date", weeks_ago(0)),
        actual_ids=actual_ids,
        **fields,
    )


def total(invoice: Invoice) -> Decimal:
    return sum(invoice.lines.values_list("amount", flat=True), Decimal("0"))


@pytest.fixture
def paying(world: World) -> World:
    """The world, with its council paying the provider on invoice."""
    on_invoice(world)
    return world
