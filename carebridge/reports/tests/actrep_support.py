"""Builders for the Actuals and payments reports' tests: the two-council provider at a frozen
clock (Monday 16 November 2026, 10:00 GMT, the actuals tests' NOW), its actuals entered and
confirmed at chosen moments, and more providers with a line at a council. Everything is made
through the product's own services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from typing import Any

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import NOW, Clock
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from carebridge.organisations import services as org
from carebridge.organisations.models import Council
from carebridge.people import services as people
from tests.support import PASSWORD, TwoCouncilProvider, make_contract, make_provider, make_user

_numbers = count(1)


def moment(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2026, given in UTC (London is UTC+1 until 25 October, UTC after)."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def enter(two: TwoCouncilProvider, council: Council, week: date, entry: Entry) -> Actual:
    """The provider's actual for its line at `council` in the week, saved by its carer."""
    line = two.weekly_cpli if council == two.weekly else two.four_weekly_cpli
    actuals.actuals_save(two.carer, [actuals.Item(line.pk, week, entry, (line.pk, week))])
    return Actual.objects.get(cpli=line, week_start=week)


def planned(two: TwoCouncilProvider, council: Council, week: date) -> Actual:
    """The week as planned: 10 hours in 10 visits."""
    return enter(two, council, week, Entry(actual=Decimal("10"), visits=10))


def confirm_at(clock: Clock, two: TwoCouncilProvider, starts: date, at: datetime) -> None:
    """The provider enters the weekly council's week as planned and confirms its period at
    `at`; the clock goes back to NOW."""
    clock.set(at)
    period = Period.objects.get(council=two.weekly, start_date=starts)
    planned(two, two.weekly, starts)
    actuals.actuals_confirm(two.carer, period)
    clock.set(NOW)


def provider_with_line(two: TwoCouncilProvider, council: Council, **line: Any) -> Any:
    """Another provider with a contract and one agreed line of 7 hours at `council` (from the
    two-council provider's first period, unless `start_date` is given)."""
    n = next(_numbers)
    provider = make_provider(f"Provider {n:03d} Care")
    make_contract(council, provider, start_date=two.periods_from)
    user = make_user(provider=provider, role="super_user_actuals")
    service = org.service_create(provider=provider, name=f"Service {n:03d}", postcode="M1 1AA")
    broker = two.weekly_broker if council == two.weekly else two.four_weekly_broker
    person = people.service_user_create(
        council=council,
        by=broker,
        ss_ref=f"XR{n:04d}",
        first_name="Jo",
        last_name=f"Client{n}",
        date_of_birth=date(1941, 1, 1),
    )
    level = two.weekly_level if council == two.weekly else two.four_weekly_level
    document = contracts.contract_document_publish(
        council=council,
        service=service,
        service_user=person,
        care_package_reference=f"CP-R{n}",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal("7"),
                rate=Decimal("18.50"),
                pricing_basis=PricingBasis.SPOT,
                start_date=line.get("start_date", two.periods_from),
                end_date=line.get("end_date"),
                visits=7,
            )
        ],
        by=broker,
    )
    contracts.contract_document_agree(document=document, by=user, password=PASSWORD)
    return provider
