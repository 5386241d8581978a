"""Builders for the Commissioned v Actuals tests: the moment their clock is frozen at, the lines
and posted weeks they add to the shared provider working for two councils (tests/support.py),
made through the product's own services.

With the clock at Monday 16 November 2026, the two councils' periods start on Monday
21 September 2026: Ashcombe (weekly) has opened a period a week since, nothing posted; Fenmarsh
(4-weekly) has its first period, 21 September to 18 October, posted at 10 hours a week,
confirmed and paid, and its second, 19 October to 15 November, open. Each council has one
client with one CPLI of 10 hours a week at £18.50 from 21 September."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.rules import Entry
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.organisations.models import Council, Service
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from tests.support import PASSWORD

NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)  # a Monday, in London too (GMT)
PERIODS_FROM = date(2026, 9, 21)
RATE = Decimal("18.50")

_numbers = iter(range(1, 10**6))


def dated(name: str, day: date) -> dict[str, str]:
    """A GOV.UK date input's three fields, as the browser sends them."""
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def query(starts: date, ends: date, council: Council | None = None) -> dict[str, str]:
    return {
        "council": str(council.pk) if council else "",
        **dated("starts", starts),
        **dated("ends", ends),
    }


def new_client(council: Council, broker: User, ss_ref: str, last_name: str) -> ServiceUser:
    return people.service_user_create(
        council=council,
        by=broker,
        ss_ref=ss_ref,
        first_name="Rosa",
        last_name=last_name,
        date_of_birth=date(1941, 3, 9),
    )


def agree_line(
    *,
    council: Council,
    broker: User,
    signer: User,
    service: Service,
    person: ServiceUser,
    level: ServiceLevel,
    quantity: str,
    start: date = PERIODS_FROM,
    end: date | None = None,
    reference: str = "",
) -> Cpli:
    """An order of one line for the client, published by the council and agreed."""
    document = contracts.contract_document_publish(
        council=council,
        service=service,
        service_user=person,
        care_package_reference=reference or f"CP-CVA-{next(_numbers)}",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal(quantity),
                rate=RATE,
                pricing_basis=PricingBasis.SPOT,
                start_date=start,
                end_date=end,
                visits=0,
            )
        ],
        by=broker,
    )
    contracts.contract_document_agree(document=document, by=signer, password=PASSWORD)
    return document.cplis.get()


def post(user: User, cpli: Cpli, week: date, actual: str, **fields: Any) -> None:
    """The provider saves one week of a line, as the Add/Edit page would (with the comment the
    rules ask for when anything other than the plan was delivered)."""
    for name in ("frustrated", "missed", "extra"):
        if name in fields:
            fields[name] = Decimal(fields[name])
            fields.setdefault("comments", "Agreed with the social worker")
    entry = Entry(actual=Decimal(actual), **fields)
    try:
        actuals.actuals_save(user, [actuals.Item(cpli.pk, week, entry, (cpli.pk, week))])
    except actuals.ActualsInvalid as refused:
        raise AssertionError(refused.errors) from refused
