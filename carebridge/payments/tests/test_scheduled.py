"""The provider's scheduled payments (Stockport section 13): each billing period Finalised (paid
by a finalised run) or Current (in a run not yet finalised, or projected for the periods to
come, to the end of the financial year), per client with Excl VAT, VAT and Total, contract and
period; each council's periods under its own rules; Super User (Actuals) has no access."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.tests.conftest import World, open_periods
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.services import rulebook_update
from carebridge.payments.choices import LineSource
from carebridge.payments.models import PaymentLine
from carebridge.payments.selectors.scheduled import period_key
from carebridge.payments.tests.conftest import clients, period_of
from carebridge.payments.tests.pay_support import other_council_too, with_vat
from carebridge.payments.tests.runs_support import finalised_run, on_schedule, prepared_run
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db

URL = reverse("payments:scheduled_list")
# The world's CPLI: 14 hours a week at £16.16 from Monday 5 October 2026.
WEEK = Decimal("226.24")
BLOCK = 4 * WEEK  # the rulebook's default: 4 weeks a block, 2 in advance and 2 in arrears


def _page(user, **query):
    response = client_for(user).get(URL, query)
    assert response.status_code == 200
    return response.context["page"]


def _summary(page) -> list[tuple[date, str, bool, Decimal]]:
    return [(p.start, p.status, p.projected, p.total) for p in page.periods]


def test_periods_to_come_show_each_block_in_the_period_whose_run_pays_it(world):
    on_schedule(world)
    page = _page(world.read_only)
    # No run yet: the first run (5 October's period) pays the first block's two weeks in
    # arrears; then each 4-week block is paid by the period in which its 2 weeks in arrears end,
    # to the last period starting in the financial year 2026/27.
    assert _summary(page) == [
        (date(2026, 10, 5), "Current", True, 2 * WEEK),
        (date(2026, 10, 26), "Current", True, BLOCK),
        (date(2026, 11, 23), "Current", True, BLOCK),
        (date(2026, 12, 21), "Current", True, BLOCK),
        (date(2027, 1, 18), "Current", True, BLOCK),
        (date(2027, 2, 15), "Current", True, BLOCK),
        (date(2027, 3, 15), "Current", True, BLOCK),
    ]
    assert page.total == 2 * WEEK + 6 * BLOCK == Decimal("5882.24")
    row = page.periods[2].clients[0]
    assert (row.client, row.ss_ref) == ("Monica Geller", "MG123")
    assert (row.covers_from, row.covers_to) == (date(2026, 11, 16), date(2026, 12, 13))


def test_a_finalised_run_shows_its_period_finalised_and_the_projection_starts_after_it(world):
    on_schedule(world)
    run = finalised_run(world)
    page = _page(world.read_only)
    first = page.periods[0]
    assert (first.start, first.status, first.projected) == (date(2026, 11, 9), "Finalised", False)
    assert first.reference == run.reference and first.payment_date == run.payment_date
    # The run paid both blocks due by 15 November: 5 October to 15 November, six weeks.
    assert first.total == 6 * WEEK
    assert (first.clients[0].covers_from, first.clients[0].covers_to) == (
        date(2026, 10, 5),
        date(2026, 11, 15),
    )
    assert [(p.start, p.status) for p in page.periods[1:3]] == [
        (date(2026, 11, 23), "Current"),
        (date(2026, 12, 21), "Current"),
    ]
    body = client_for(world.read_only).get(URL).content.decode()
    assert "Finalised" in body and f"Paid by run {run.reference}" in body


def test_a_run_not_yet_finalised_is_current_with_its_reference(world):
    on_schedule(world)
    run = prepared_run(world)
    first = _page(world.read_only).periods[0]
    assert (first.status, first.projected, first.reference) == ("Current", False, run.reference)


def test_the_projection_is_what_each_run_then_pays_to_the_penny(world, clock):
    on_schedule(world)
    finalised_run(world)
    (ending,) = world.agree(world.line("10", end=date(2026, 11, 25)), person=clients_person(world))
    periods = {p.start: p for p in _page(world.read_only).periods}
    # The new line starts in a block already paid for Monica: the next run (16 November's
    # period) pays its blocks due so far, 5 October to 15 November.
    catch_up = periods[date(2026, 11, 16)]
    assert {r.client: r.excl_vat for r in catch_up.clients} == {
        "Client Ending": 6 * Decimal("161.60")
    }
    # Then Monica's block, and the new line's: a full week and 3 days, pro rata by days.
    projected = periods[date(2026, 11, 23)]
    assert {r.client: r.excl_vat for r in projected.clients} == {
        "Monica Geller": BLOCK,
        "Client Ending": Decimal("161.60") + Decimal("69.26"),
    }
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    open_periods()
    for start, period in ((date(2026, 11, 16), catch_up), (date(2026, 11, 23), projected)):
        run = finalised_run(world, period_of(world, start), payment_date=today())
        lines = PaymentLine.objects.filter(run=run, source=LineSource.SCHEDULE)
        assert sum(line.excl_vat for line in lines) == period.excl_vat
        assert sum(line.total for line in lines) == period.total
        assert ending.pk in {line.cpli_id for line in lines}


def clients_person(world: World):
    from carebridge.people import services as people

    return people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref="EN001",
        first_name="Client",
        last_name="Ending",
        date_of_birth=date(1950, 1, 1),
    )


def test_vat_is_the_service_levels_rate_rounded_once_per_line(world):
    on_schedule(world)
    with_vat(world.hours, "17.5")
    period = _page(world.read_only).periods[1]
    # £904.96 at 17.5% is £158.368: £158.37.
    assert (period.excl_vat, period.vat, period.total) == (
        BLOCK,
        Decimal("158.37"),
        BLOCK + Decimal("158.37"),
    )


def test_a_council_that_does_not_pay_on_schedule_shows_nothing(world):
    page = _page(world.read_only)  # the world's council self-bills (no payment rule)
    assert page.periods == []
    assert "No scheduled payments match" in client_for(world.read_only).get(URL).content.decode()


def test_super_user_actuals_and_council_users_have_no_access(world):
    on_schedule(world)
    assert client_for(world.carer).get(URL).status_code == 403  # Super User (Actuals)
    assert client_for(world.payments_officer).get(URL).status_code == 403
    assert client_for(world.broker).get(URL).status_code == 403
    assert (
        client_for(make_user(provider=world.provider, role="payments")).get(URL).status_code == 403
    )
    scheduled = make_user(provider=world.provider, role="super_user_scheduled")
    assert _page(scheduled).total == Decimal("5882.24")


def test_another_provider_sees_none_of_the_providers_payments(world):
    on_schedule(world)
    finalised_run(world)
    reader = make_user(provider=world.other_provider, role="read_only")
    assert _page(reader).periods == []


def test_a_provider_of_two_councils_sees_each_councils_periods_under_its_rules(world):
    on_schedule(world)
    second = other_council_too(world, method=PaymentMethod.ON_SCHEDULE)
    rulebook_update(
        council=second.council, by=None, scheduled_payment_weeks=2, scheduled_weeks_in_advance=1
    )
    page = _page(world.read_only)
    ours = [p for p in page.periods if p.council_id == world.council.pk]
    theirs = [p for p in page.periods if p.council_id == second.council.pk]
    assert len(ours) == 7
    assert ours[0].rules == "Paid every 4 weeks: 2 in advance and 2 in arrears"
    assert theirs[0].rules == "Paid every 2 weeks: 1 in advance and 1 in arrears"
    # 10 hours at £20: the first run pays one week in arrears, then every other week two.
    assert [(p.start, p.total) for p in theirs[:3]] == [
        (date(2026, 10, 5), Decimal("200.00")),
        (date(2026, 10, 12), Decimal("400.00")),
        (date(2026, 10, 26), Decimal("400.00")),
    ]
    body = client_for(world.read_only).get(URL).content.decode()
    assert f"{second.council.name} – 05/10/2026 to 11/10/2026" in body
    assert "Paid every 2 weeks: 1 in advance and 1 in arrears" in body


def test_the_filters_choose_a_contract_a_billing_period_and_a_financial_year(world):
    on_schedule(world)
    second = other_council_too(world, method=PaymentMethod.ON_SCHEDULE)
    contract = second.council.contracts.get(provider=world.provider)
    only = _page(world.read_only, contract=contract.pk)
    assert {p.council_id for p in only.periods} == {second.council.pk}
    key = period_key(world.council.pk, date(2026, 11, 23))
    one = _page(world.read_only, period=key)
    assert [(p.council_id, p.start) for p in one.periods] == [
        (world.council.pk, date(2026, 11, 23))
    ]
    # Next year's periods: the blocks from April 2027, not this year's.
    next_year = _page(world.read_only, year=2027)
    assert next_year.periods[0].start == date(2027, 4, 12)
    assert all(p.start >= date(2027, 4, 1) for p in next_year.periods)
    # A billing period of another year is not a choice of this one: the filter is ignored.
    assert len(_page(world.read_only, year=2027, period=key).periods) == len(next_year.periods)


def test_each_view_is_audited_with_its_rows_per_council(world):
    on_schedule(world)
    _page(world.read_only)
    (event,) = Event.objects.filter(actor=world.read_only, action="payments.scheduled_viewed")
    assert event.council_id == world.council.pk
    assert event.detail["count"] == 7


def _queries(user) -> int:
    reader = client_for(user)
    reader.get(URL)  # the session's first request writes it; the second is measured
    with CaptureQueriesContext(connection) as captured:
        assert reader.get(URL).status_code == 200
    return len(captured)


def test_the_page_takes_the_same_queries_for_1_and_6_clients_and_with_runs(world):
    on_schedule(world)
    other_council_too(world, method=PaymentMethod.ON_SCHEDULE)
    few = _queries(world.read_only)
    clients(world, 5)
    finalised_run(world)
    assert _queries(world.read_only) == few
