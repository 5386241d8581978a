"""Builders shared by the actuals tests (and the actuals page tests): a council whose weekly
periods start on Mondays, a provider with an agreed Individual Service Order whose CPLIs are
active, a second provider and a second council for the access checks, and a clock the tests move.
Everything is made through the product's own services."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest

from carebridge.accounts.models import User
from carebridge.actuals import services
from carebridge.actuals.models import Actual
from carebridge.actuals.rules import Entry
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis, Unit
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.core.calendar import today
from carebridge.organisations import services as org
from carebridge.organisations.choices import MissedReason
from carebridge.organisations.models import Council, PaymentRule, Provider, Service
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from tests.support import PASSWORD, make_contract, make_council, make_provider, make_user

# Monday 16 November 2026, 10:00 in London (GMT): this week is in progress, last week has ended
# and its actuals are due by close of business on Tuesday 17 November.
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 16)
# The councils' first actuals period: every later one follows on from it.
FIRST_PERIOD = date(2026, 10, 5)
RATE = Decimal("16.16")


def weeks_ago(n: int) -> date:
    """The Monday n weeks before this week: weeks_ago(1) is last week."""
    return THIS_WEEK - timedelta(weeks=n)


class Clock:
    """The one "now" of a test; `move` it forward to let time pass between two actions."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def move(self, **delta: float) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def clock():
    """Freezes the clock at NOW; the test moves it with clock.move(minutes=1) or clock.set()."""
    moment = Clock(NOW)
    with mock.patch("django.utils.timezone.now", side_effect=moment):
        yield moment


def open_periods(on: date | None = None) -> int:
    """What the scheduled task does each day: open every council's periods up to today's."""
    return services.periods_open(on or today())


@dataclass
class World:
    council: Council
    provider: Provider
    service: Service
    person: ServiceUser
    broker: User
    carer: User  # the provider's Super User (Actuals)
    read_only: User
    payments_officer: User  # the council's
    other_provider: Provider
    other_service: Service
    stranger: User  # a Super User (Actuals) of the other provider
    other_council: Council
    other_officer: User  # a payments officer of the other council
    hours: ServiceLevel
    nights: ServiceLevel
    short_break: ServiceLevel
    cpli: Cpli  # 14 hours a week at £16.16 from the first period, active

    def agree(
        self,
        *lines: contracts.Line,
        service: Service | None = None,
        person: ServiceUser | None = None,
        by: User | None = None,
        agreed: bool = True,
    ) -> list[Cpli]:
        """Publish an order with these lines for the provider's (or another) service and,
        unless agreed=False, agree it as its provider would: returns its CPLIs, in order."""
        service = service or self.service
        document = contracts.contract_document_publish(
            council=self.council,
            service=service,
            service_user=person or self.person,
            care_package_reference=f"CP-{next_number()}",
            lines=list(lines),
            by=self.broker,
        )
        if agreed:
            signer = by or (
                self.carer if service.provider_id == self.provider.pk else self.stranger
            )
            contracts.contract_document_agree(document=document, by=signer, password=PASSWORD)
        return list(document.cplis.order_by("pk"))

    def line(
        self,
        quantity: str | Decimal = "14",
        *,
        level: ServiceLevel | None = None,
        rate: str | Decimal = RATE,
        start: date = FIRST_PERIOD,
        end: date | None = None,
        visits: int = 0,
    ) -> contracts.Line:
        return contracts.Line(
            service_level=level or self.hours,
            quantity=Decimal(quantity),
            rate=Decimal(rate),
            pricing_basis=PricingBasis.SPOT,
            start_date=start,
            end_date=end,
            visits=visits,
        )

    def short_break_line(self, nights: str | Decimal = "14", **fields: Any) -> contracts.Line:
        """A short break: no quantity a week, up to `nights` nights a financial year."""
        fields.setdefault("level", self.short_break)
        fields.setdefault("rate", "80")
        line = self.line("0", **fields)
        return replace(line, yearly_allocation=Decimal(nights))


_numbers = iter(range(1, 10**6))


def next_number() -> int:
    return next(_numbers)


def set_level(level: ServiceLevel, **fields: Any) -> ServiceLevel:
    """Change a service level as the council would (e.g. hospital_retainer_weeks=6)."""
    changed = contracts.service_level_update(level=level, by=None, **fields)
    level.refresh_from_db()
    return changed


def make_payment_rule(council: Council, contract_type: str, **fields: Any) -> PaymentRule:
    """A council's payment rule for a contract type; what is not given takes the defaults."""
    defaults = {
        "aborted_visit_max_minutes": 30,
        "aborted_visit_paid_percent": 100,
        "night_cancellation_paid_percent": 25,
    }
    return org.payment_rule_set(
        council=council, contract_type=contract_type, by=None, **{**defaults, **fields}
    )


def entry(actual: str | Decimal, **fields: Any) -> Entry:
    """An Entry from strings, the way a form gives them: entry("13", missed="1", comments=...)."""
    for name in ("frustrated", "missed", "extra"):
        if name in fields:
            fields[name] = Decimal(fields[name])
    if fields.get("missed", 0) > 0:
        # A missed quantity needs a reason; a test that does not name one takes the reason paid
        # nothing by default, which is what every missed quantity cost before reasons.
        fields.setdefault("missed_reason", MissedReason.PROVIDER_FAILURE)
    return Entry(actual=Decimal(actual), **fields)


def item(cpli: Cpli, week: date, actual: str | Decimal, ref: object = None, **fields: Any):
    """One row for actuals_save; its reference is (CPLI, week) unless given."""
    return services.Item(
        cpli_id=cpli.pk,
        week_start=week,
        entry=entry(actual, **fields),
        ref=ref if ref is not None else (cpli.pk, week),
    )


@pytest.fixture
def world(clock) -> World:
    council = make_council("Ashdown Vale Council", actuals_periods_from=FIRST_PERIOD)
    other_council = make_council("Brackenfold Borough Council", actuals_periods_from=FIRST_PERIOD)
    provider = make_provider("Diamond Home Care")
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, provider)
    make_contract(council, other_provider)
    broker = make_user(council=council, role="broker")
    carer = make_user(provider=provider, role="super_user_actuals")
    level = contracts.service_level_create(
        council=council,
        name="Home Care - Single Assist Fixed Rate",
        unit=Unit.HOURS,
        by=broker,
    )
    world = World(
        council=council,
        provider=provider,
        service=org.service_create(
            provider=provider, name="Diamond Home Care - Marple", postcode="SK6 6AA"
        ),
        person=people.service_user_create(
            council=council,
            by=broker,
            ss_ref="MG123",
            first_name="Monica",
            last_name="Geller",
            date_of_birth=date(1940, 4, 23),
        ),
        broker=broker,
        carer=carer,
        read_only=make_user(provider=provider, role="read_only"),
        payments_officer=make_user(council=council, role="payments_officer"),
        other_provider=other_provider,
        other_service=org.service_create(
            provider=other_provider, name="Zephyrine Riverside", postcode="EC1A 1BB"
        ),
        stranger=make_user(provider=other_provider, role="super_user_actuals"),
        other_council=other_council,
        other_officer=make_user(council=other_council, role="payments_officer"),
        hours=level,
        nights=contracts.service_level_create(
            council=council, name="Night Sits", unit=Unit.NIGHTS, by=broker
        ),
        short_break=contracts.service_level_create(
            council=council, name="Short Break - Nightly", unit=Unit.NIGHTS, by=broker
        ),
        cpli=None,  # type: ignore[arg-type]
    )
    (world.cpli,) = world.agree(world.line("14", visits=14))
    open_periods()
    return world


@pytest.fixture
def nothing_written():
    """Asserts the test changed no actual and recorded no event about actuals."""
    actuals = list(Actual.objects.values_list("pk", "actual", "comments", "changed_at"))
    events = Event.objects.filter(action__startswith="actuals.").count()
    yield
    assert list(Actual.objects.values_list("pk", "actual", "comments", "changed_at")) == actuals
    assert Event.objects.filter(action__startswith="actuals.").count() == events


@pytest.fixture
def short_break(world):
    """A short break of 14 nights a financial year for the world's client, agreed."""
    (line,) = world.agree(world.short_break_line("14"))
    return line
