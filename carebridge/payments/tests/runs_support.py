"""Builders for payment-run tests (and the run pages' tests): a second payments officer, how the
council pays the world's provider, a confirmed week, and runs prepared, approved or finalised
through the product's own services (docs/decisions/0011-payment-runs.md).

The world is the payments tests' (`world`, `clock` fixtures): weekly periods from
5 October 2026, today Monday 16 November 2026, last week's period ended yesterday."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from carebridge.actuals.models import Period
from carebridge.actuals.tests.conftest import World, make_payment_rule
from carebridge.core.calendar import today
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.payments.tests.conftest import LAST_WEEK, confirm, enter, period_of
from tests.support import make_user

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.contracts.models import Cpli
    from carebridge.payments.models import PaymentRun


def second_officer(world: World) -> User:
    """Another payments officer of the world's council: the one who approves a run."""
    return make_user(council=world.council, role="payments_officer")


def pays(world: World, method: str) -> None:
    """The council pays the provider's (spot) contract by `method` (a PaymentMethod)."""
    make_payment_rule(world.council, ContractType.SPOT, payment_method=method)


def self_billing(world: World) -> None:
    pays(world, PaymentMethod.SELF_BILLING)


def on_schedule(world: World) -> None:
    pays(world, PaymentMethod.ON_SCHEDULE)


def confirmed_week(
    world: World, *rows: tuple[Cpli, str], week: date = LAST_WEEK, **fields: object
) -> Period:
    """Enter these actuals for the week (the world's CPLI at 14 hours if none given) and confirm
    its period as the provider; returns the period."""
    enter(world, *(rows or ((world.cpli, "14"),)), week=week, **fields)
    confirm(world, week)
    return period_of(world, week)


def payment_day() -> date:
    """A valid payment date: today (a Monday, a working day, in the tests' clock)."""
    return today()


def prepared_run(
    world: World,
    period: Period | None = None,
    *,
    by: User | None = None,
    payment_date: date | None = None,
) -> PaymentRun:
    """A run for the period (last week's by default) prepared by the world's payments officer."""
    from carebridge.payments.services import run_prepare

    return run_prepare(
        by=by or world.payments_officer,
        period=period or period_of(world),
        payment_date=payment_date or payment_day(),
    )


def approved_run(
    world: World,
    period: Period | None = None,
    *,
    approver: User | None = None,
    **prepare: object,
) -> PaymentRun:
    """A run prepared by the world's officer and approved by a second one."""
    from carebridge.payments.services import run_approve

    run = prepared_run(world, period, **prepare)  # type: ignore[arg-type]
    return run_approve(by=approver or second_officer(world), run=run)


def finalised_run(
    world: World,
    period: Period | None = None,
    *,
    approver: User | None = None,
    by: User | None = None,
    **prepare: object,
) -> PaymentRun:
    """A run prepared, approved by a second officer and finalised by the first."""
    from carebridge.payments.services import run_finalise

    run = approved_run(world, period, approver=approver, by=by, **prepare)
    return run_finalise(by=by or world.payments_officer, run=run)


def paid_total(**source: object) -> object:
    """What finalised runs have paid for a source (e.g. actual_id=..., cpli_id=...), to the
    penny."""
    from decimal import Decimal

    from django.db.models import Sum

    from carebridge.payments.choices import RunStatus
    from carebridge.payments.models import PaymentLine

    got = PaymentLine.objects.filter(run__status=RunStatus.FINALISED, **source).aggregate(
        t=Sum("excl_vat")
    )["t"]
    return got if got is not None else Decimal("0.00")


def confirmed(world: World, cpli: Cpli | None = None, actual: str = "14") -> Period:
    """Last week's actual for the CPLI (the world's by default), confirmed."""
    return confirmed_week(world, (cpli or world.cpli, actual), comments="As delivered")


def amend(
    world: World, actual: str, *, clock: Any, cpli: Cpli | None = None, week: date = LAST_WEEK
) -> None:
    """A minute later (so the row changed after any confirmation), the provider amends the
    week's actual for the CPLI (the world's by default)."""
    clock.move(minutes=1)
    enter(world, (cpli or world.cpli, actual), week=week, comments="Amended")
    clock.move(minutes=1)
