"""Payments' source of spend to date (payments.spend.finalised_spend): the total of finalised
lines per client and provider whose days start in the financial year, in one query."""

from datetime import date
from decimal import Decimal

import pytest

from carebridge.actuals.models import Period
from carebridge.actuals.tests.conftest import World
from carebridge.core.calendar import now
from carebridge.payments.choices import LineSource
from carebridge.payments.models import PaymentException, PaymentLine, PaymentRun
from carebridge.payments.spend import finalised_spend
from carebridge.payments.tests.paid_lines import run_of, scheduled_line
from carebridge.payments.tests.runs_support import second_officer

pytestmark = pytest.mark.django_db


def a_run(world: World, n: int = 0) -> PaymentRun:
    period = Period.objects.filter(council=world.council).order_by("start_date")[n]
    return run_of(period, by=world.payments_officer, approver=second_officer(world))


def exception_line(run: PaymentRun, world: World, amount: str) -> PaymentLine:
    """A payment exception for the world's CPLI (an amended week), paid by the run."""
    cpli = world.cpli
    exception = PaymentException.objects.create(
        council=world.council,
        provider=world.provider,
        service_id=cpli.service_id,
        service_user_id=cpli.service_user_id,
        cpli=cpli,
        covers_from=date(2026, 10, 12),
        covers_to=date(2026, 10, 18),
        reason="Actual amended after payment",
        excl_vat=Decimal(amount),
        vat=Decimal("0.00"),
        total=Decimal(amount),
        created_at=now(),
    )
    return PaymentLine.objects.create(
        run=run,
        council=world.council,
        provider=world.provider,
        source=LineSource.EXCEPTION,
        service_id=cpli.service_id,
        service_user_id=cpli.service_user_id,
        cpli=cpli,
        exception=exception,
        covers_from=exception.covers_from,
        covers_to=exception.covers_to,
        description=exception.reason,
        excl_vat=exception.excl_vat,
        vat=exception.vat,
        total=exception.total,
    )


def pair(world: World) -> tuple[int, int]:
    return (world.person.pk, world.provider.pk)


def test_a_line_counts_in_the_year_its_days_start(world: World) -> None:
    run = a_run(world)
    scheduled_line(run, world.cpli, covers_from=date(2027, 3, 31), excl_vat="10.00")
    scheduled_line(run, world.cpli, covers_from=date(2027, 4, 1), excl_vat="20.00")
    scheduled_line(run, world.cpli, covers_from=date(2026, 4, 1), excl_vat="40.00")
    assert finalised_spend([pair(world)], 2026) == {pair(world): Decimal("50.00")}
    assert finalised_spend([pair(world)], 2027) == {pair(world): Decimal("20.00")}
    assert finalised_spend([pair(world)], 2025) == {}


def test_the_total_includes_vat_and_a_recovery_lowers_it(world: World) -> None:
    run = a_run(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="100.00", vat="20.00")
    exception_line(a_run(world, 1), world, "-33.33")
    assert finalised_spend([pair(world)], 2026) == {pair(world): Decimal("86.67")}


def test_a_balance_carried_forward_names_no_client_and_counts_for_none(world: World) -> None:
    run = a_run(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="100.00")
    PaymentLine.objects.create(
        run=run,
        council=world.council,
        provider=world.provider,
        source=LineSource.CARRIED_FORWARD,
        covers_from=date(2026, 10, 5),
        covers_to=date(2026, 10, 11),
        description="Balance carried forward",
        excl_vat=Decimal("-100.00"),
        vat=Decimal("0.00"),
        total=Decimal("-100.00"),
    )
    assert finalised_spend([pair(world)], 2026) == {pair(world): Decimal("100.00")}


def test_a_pair_not_asked_for_is_left_out_even_when_its_client_and_provider_are(
    world: World,
) -> None:
    (other,) = world.agree(world.line("3"), service=world.other_service)
    run = a_run(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="1.00")
    scheduled_line(run, other, covers_from=date(2026, 10, 5), excl_vat="2.00")
    # Asked for (client, provider) and (client, other provider) but not the other's client:
    # both are the world's client here, so both pairs come back, each with its own lines.
    asked = [pair(world), (world.person.pk, world.other_provider.pk)]
    assert finalised_spend(asked, 2026) == {
        pair(world): Decimal("1.00"),
        (world.person.pk, world.other_provider.pk): Decimal("2.00"),
    }
    assert finalised_spend([pair(world)], 2026) == {pair(world): Decimal("1.00")}


def test_a_service_chosen_counts_only_its_lines(world: World) -> None:
    run = a_run(world)
    scheduled_line(run, world.cpli, covers_from=date(2026, 10, 5), excl_vat="5.00")
    assert finalised_spend([pair(world)], 2026, world.service.pk) == {pair(world): Decimal("5.00")}
    assert finalised_spend([pair(world)], 2026, world.other_service.pk) == {}


def test_it_reads_any_number_of_pairs_in_one_query(world: World, django_assert_num_queries) -> None:
    pairs = [(n, world.provider.pk) for n in range(1, 200)]
    with django_assert_num_queries(1):
        finalised_spend(pairs, 2026)
    with django_assert_num_queries(0):
        assert finalised_spend([], 2026) == {}
