"""Builders for the tests of what the provider sees of getting paid (scheduled payments,
remittance advice, prompt payment): the world's provider working for a second council too, with
its own client, service level and rules, and runs finalised at either council.

The world is the payments tests' (`world`, `clock`): weekly periods from 5 October 2026, today
Monday 16 November 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from carebridge.accounts.models import User
from carebridge.actuals.models import Period
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    World,
    make_payment_rule,
    next_number,
    open_periods,
    set_level,
)
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.core.calendar import today
from carebridge.organisations.choices import ContractType
from carebridge.organisations.models import Council
from carebridge.payments.models import PaymentRun
from carebridge.payments.services import run_approve, run_finalise, run_prepare
from carebridge.people import services as people
from tests.support import PASSWORD, make_contract, make_user


@dataclass
class Second:
    """The world's provider's work for the world's other council."""

    council: Council
    officer: User  # a payments officer of the other council (the world's other_officer)
    approver: User
    level: ServiceLevel
    cpli: Cpli


def other_council_too(
    world: World, *, quantity: str = "10", rate: str = "20.00", method: str = ""
) -> Second:
    """The world's provider contracts with the other council too (its own client and service
    level, a CPLI agreed by the provider), paid by `method` when given."""
    council = world.other_council
    make_contract(council, world.provider, reference=f"OC{next_number():04d}")
    broker = make_user(council=council, role="broker")
    level = contracts.service_level_create(
        council=council, name="Supported Living - Core Hours", unit=Unit.HOURS, by=broker
    )
    person = people.service_user_create(
        council=council,
        by=broker,
        ss_ref="RG555",
        first_name="Rachel",
        last_name="Green",
        date_of_birth=date(1945, 5, 5),
    )
    document = contracts.contract_document_publish(
        council=council,
        service=world.service,
        service_user=person,
        care_package_reference=f"CP-{next_number()}",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal(quantity),
                rate=Decimal(rate),
                pricing_basis=PricingBasis.SPOT,
                start_date=FIRST_PERIOD,
                end_date=None,
                visits=0,
            )
        ],
        by=broker,
    )
    contracts.contract_document_agree(document=document, by=world.carer, password=PASSWORD)
    open_periods()
    if method:
        make_payment_rule(council, ContractType.SPOT, payment_method=method)
    return Second(
        council=council,
        officer=world.other_officer,
        approver=make_user(council=council, role="payments_officer"),
        level=level,
        cpli=document.cplis.get(),
    )


def period_at(council: Council, day: date) -> Period:
    return Period.objects.get(council=council, start_date__lte=day, end_date__gte=day)


def finalise_at(
    council: Council, officer: User, approver: User, day: date, *, payment_date: date | None = None
) -> PaymentRun:
    """The council's run for the period holding `day`, prepared, approved and finalised."""
    run = run_prepare(
        by=officer, period=period_at(council, day), payment_date=payment_date or today()
    )
    run = run_approve(by=approver, run=run)
    return run_finalise(by=officer, run=run)


def with_vat(level: ServiceLevel, percent: str = "20") -> ServiceLevel:
    return set_level(level, vat_rate=Decimal(percent))
