"""The demo's contracts: each council's catalogue of service levels, and a contract document for
each of its clients with a provider, published, agreed, rejected and terminated through the
services, so the demo holds only states the product reaches."""

from __future__ import annotations

import functools
import random
from datetime import date, timedelta
from decimal import Decimal

from carebridge.accounts.models import User
from carebridge.contracts import services
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import ContractDocument, ServiceLevel
from carebridge.core import calendar
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.demo.credentials import DEMO_PASSWORD
from carebridge.organisations.models import Council, Service
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser

# (name, unit, usual rate): the kinds of care councils buy from home-care providers.
CATALOGUE = (
    ("Home Care - Single Assist Fixed Rate (Hour)", Unit.HOURS, Decimal("16.16")),
    ("Home Care - Double Assist", Unit.HOURS, Decimal("32.32")),
    ("Night Sits", Unit.NIGHTS, Decimal("98.50")),
    ("Live in Care", Unit.WEEKS, Decimal("875.00")),
    ("Short Break - Nightly", Unit.NIGHTS, Decimal("112.40")),
)


def _catalogue(tally: Tally, council: Council, broker: User) -> list[ServiceLevel]:
    levels = []
    for name, unit, _rate in CATALOGUE:
        level = ServiceLevel.objects.filter(council=council, name=name).first()
        if level is None:
            level = services.service_level_create(council=council, name=name, unit=unit, by=broker)
            tally.made("service levels")
        else:
            tally.found("service levels")
        levels.append(level)
    return levels


def demo_contracts(tally: Tally, council: Council, broker: User, ss_ref_prefix: str) -> None:
    """A document for every client of the council, shared out among its providers' services:
    most agreed, some awaiting an answer, a few rejected and issued again, and a few agreed ones
    terminated since."""
    levels = _catalogue(tally, council, broker)
    rates = {name: rate for name, _unit, rate in CATALOGUE}
    people = list(
        ServiceUser.objects.filter(council=council, ss_ref__startswith=ss_ref_prefix).order_by(
            "ss_ref"
        )
    )
    sites = list(
        Service.objects.filter(provider__in=providers_of_council(council.pk))
        .select_related("provider")
        .order_by("provider__name", "name")
    )
    if not people or not sites:
        return
    known = set(
        ContractDocument.objects.filter(council=council).values_list(
            "care_package_reference", flat=True
        )
    )
    today = calendar.today()
    terminations = 0
    for number, person in enumerate(people):
        if number % 10 == 9:
            continue  # not everyone the council supports has care from these providers
        reference = f"CP-{person.ss_ref}"
        if reference in known:
            tally.found("contract documents")
            continue
        rng = random.Random(f"{council.slug}-{person.ss_ref}")
        site = sites[number % len(sites)]
        signer = User.objects.filter(provider=site.provider, role=Role.SUPER_USER_SCHEDULED).first()
        start = today - timedelta(days=rng.randrange(7, 400))
        chosen = [levels[0], *rng.sample(levels[1:], k=1 + number % 3)]
        lines = [_line(level, rates[level.name], start, rng) for level in chosen]
        publish = functools.partial(
            services.contract_document_publish,
            council=council,
            service=site,
            service_user=person,
            care_package_reference=reference,
            lines=lines,
            by=broker,
        )
        document = publish()
        tally.made("contract documents")
        tally.made("CPLIs", len(lines))
        if signer is None or number % 7 == 0:
            continue  # published: awaiting the provider's answer
        if number % 11 == 3:
            services.contract_document_reject(
                document=document,
                by=signer,
                password=DEMO_PASSWORD,
                notes="The rate does not match our framework price list.",
            )
            document = publish(replaces=document)  # issued again, as it was
            tally.made("contract documents")
            tally.made("CPLIs", len(lines))
        services.contract_document_agree(document=document, by=signer, password=DEMO_PASSWORD)
        # A termination needs a line still running after its last day of care.
        if number % 6 == 4 and any(line.end_date is None for line in lines):
            last_day = max(start, today + timedelta(days=rng.randrange(-14, 42)))
            _terminate(tally, document, broker, signer, last_day, step=terminations)
            terminations += 1


def _line(level: ServiceLevel, rate: Decimal, start: date, rng: random.Random) -> services.Line:
    quantity = _quantity(level.unit, rng)
    return services.Line(
        service_level=level,
        quantity=quantity,
        rate=rate,
        pricing_basis=PricingBasis.SPOT if rng.random() < 0.7 else PricingBasis.BLOCK,
        start_date=start,
        end_date=None if rng.random() < 0.8 else start + timedelta(days=rng.randrange(60, 500)),
        visits=visits_a_week(level.unit, quantity),
    )


def _terminate(
    tally: Tally, order: ContractDocument, broker: User, signer: User, last_day: date, *, step: int
) -> None:
    """Terminate an agreed order. One in three terminations waits for the provider's answer, one
    is rejected and issued again with a corrected last day, and one is agreed."""
    termination = services.contract_document_terminate(
        document=order,
        end_date=last_day,
        reason="The client has moved into residential care.",
        by=broker,
    )
    tally.made("terminations")
    if step % 3 == 0:
        return  # published: awaiting the provider's answer
    if step % 3 == 2:
        services.contract_document_reject(
            document=termination,
            by=signer,
            password=DEMO_PASSWORD,
            notes="The family asked for care to continue for one more week.",
        )
        termination = services.contract_document_terminate(
            document=order,
            end_date=last_day + timedelta(days=7),
            reason="The client has moved into residential care (last day corrected).",
            by=broker,
            replaces=termination,
        )
        tally.made("terminations")
    services.contract_document_agree(document=termination, by=signer, password=DEMO_PASSWORD)


# Hours a week and the visits they are delivered in: half-hour calls for the smaller packages,
# three-quarter-hour calls for the larger ones, as home care is usually planned.
_VISITS_FOR_HOURS = {
    Decimal("3.5"): 7,
    Decimal("5.25"): 7,
    Decimal("7"): 14,
    Decimal("10.5"): 14,
    Decimal("14"): 28,
    Decimal("21"): 28,
}


def visits_a_week(unit: str, quantity: Decimal) -> int:
    """How many visits a week a demo line is delivered in: one a night for night sits, none for
    live-in care (the carer lives there), and calls of half an hour or more for hours."""
    if unit == Unit.HOURS:
        return _VISITS_FOR_HOURS.get(quantity, int(quantity * 2))
    if unit == Unit.NIGHTS:
        return int(quantity)
    return 0


def _quantity(unit: str, rng: random.Random) -> Decimal:
    if unit == Unit.HOURS:
        return Decimal(rng.choice(("3.5", "5.25", "7", "10.5", "14", "21")))
    if unit == Unit.NIGHTS:
        return Decimal(rng.choice(("1", "2", "3", "7")))
    return Decimal("1")
