"""The council's spend against commitment and prompt payment per quarter reports: figures
worked by hand from the CPLIs' rates and the runs' lines, a provider of two councils seen from
each, a fixed number of queries, the page and its downloads (audited) and who may open them.

The clock is the actuals tests' (Monday 16 November 2026); the world's council starts its weeks
on Monday, and its CPLI is 14 hours a week at £16.16 (£226.24) from Monday 5 October 2026."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.models import Actual, Confirmation
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.actuals.tests.conftest import NOW, World
from carebridge.audit.models import Event
from carebridge.organisations.models import Contract
from carebridge.payments import services
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests.conftest import clients, create, enter, on_invoice, period_of
from carebridge.payments.tests.paid_lines import run_of
from carebridge.reports.catalogue.prompt_payment_quarters import chart as prompt_chart
from carebridge.reports.tests.spend_support import (
    a_run,
    actual_line,
    cpli_line,
    invoice_line,
    table_of,
)
from tests.support import client_for, make_two_council_provider, make_user

pytestmark = pytest.mark.django_db

# The actuals tests' fixtures, shared here.
clock = actuals_world.clock
world = actuals_world.world

SPEND = "spend-against-commitment"
PROMPT = "prompt-payment-quarters"
D = Decimal


def contract_of(world: World) -> Contract:
    return Contract.objects.get(council=world.council, provider=world.provider)


def officer(world: World):
    return world.payments_officer


# --- Spend against commitment -----------------------------------------------------------------


@pytest.fixture
def spent(world: World) -> World:
    """The world's hours CPLI and a night sits CPLI (2 nights a week at £95.50 from Monday 1 to
    Wednesday 10 March 2027), with finalised lines for both, and lines that must not count."""
    world.agree(
        world.line(
            "2", level=world.nights, rate="95.50", start=date(2027, 3, 1), end=date(2027, 3, 10)
        )
    )
    nights = world.cpli.service_user.cplis.get(service_level=world.nights)
    contract = contract_of(world)
    run = a_run(world.council, by=world.payments_officer)
    cpli_line(run, world.cpli, contract, covers_from=date(2026, 10, 5), excl_vat="904.96")
    # A recovery for an amended week lowers what was paid.
    cpli_line(
        run,
        world.cpli,
        contract,
        covers_from=date(2026, 10, 12),
        excl_vat="-33.33",
        source=LineSource.EXCEPTION,
    )
    cpli_line(run, nights, contract, covers_from=date(2027, 3, 1), excl_vat="191.00", vat="38.20")
    # Days starting in the next financial year count in that year, not this one.
    cpli_line(run, world.cpli, contract, covers_from=date(2027, 4, 5), excl_vat="500.00")
    # A run not yet finalised has paid nothing.
    prepared = a_run(world.council, by=world.payments_officer, n=1, status=RunStatus.PREPARED)
    cpli_line(prepared, world.cpli, contract, covers_from=date(2026, 10, 19), excl_vat="226.24")
    return world


def test_the_commitment_paid_and_remaining_are_right_to_the_penny_per_service_level(
    spent: World,
) -> None:
    table, rows = table_of(SPEND, officer(spent), year=2026, provider=None)
    reference = contract_of(spent).reference
    # Hours: 25 whole weeks of £226.24 from 5 October, and 29 to 31 March as 3/7 of a week
    # (£96.96): £5,752.96; paid £904.96 less £33.33. Night sits: 1 to 7 March (£191.00) and
    # 8 to 10 March as 3/7 of £191.00 (£81.857 to £81.86): £272.86.
    assert rows == [
        (
            "Diamond Home Care",
            reference,
            "Home Care - Single Assist Fixed Rate",
            D("5752.96"),
            D("871.63"),
            D("0.00"),
            D("4881.33"),
            D("15.2"),
        ),
        (
            "Diamond Home Care",
            reference,
            "Night Sits",
            D("272.86"),
            D("191.00"),
            D("38.20"),
            D("81.86"),
            D("70.0"),
        ),
    ]
    assert table.totals == (
        "Total",
        None,
        None,
        D("6025.82"),
        D("1062.63"),
        D("38.20"),
        D("4963.19"),
        D("17.6"),
    )
    assert {row.council_id for row in table.rows} == {spent.council.pk}


def test_the_provider_filter_keeps_one_providers_rows(spent: World) -> None:
    # Zephyrine: 7 hours a week at £16.16 (£113.12) from 5 October: 25 weeks and 3/7 of one.
    spent.agree(spent.line("7"), service=spent.other_service)
    _table, rows = table_of(SPEND, officer(spent), year=2026, provider=None)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("Diamond Home Care", "Home Care - Single Assist Fixed Rate", D("5752.96")),
        ("Diamond Home Care", "Night Sits", D("272.86")),
        ("Zephyrine Domiciliary Services", "Home Care - Single Assist Fixed Rate", D("2876.48")),
    ]
    _table, rows = table_of(SPEND, officer(spent), year=2026, provider=spent.other_provider.pk)
    assert [r[0] for r in rows] == ["Zephyrine Domiciliary Services"]


def test_another_councils_officer_sees_none_of_it(spent: World) -> None:
    _table, rows = table_of(SPEND, spent.other_officer, year=2026, provider=None)
    assert rows == []


def test_a_provider_of_two_councils_is_seen_from_each_council_with_its_own_figures(clock) -> None:
    two = make_two_council_provider()
    run = a_run(two.four_weekly, by=two.four_weekly_officer)
    cpli_line(
        run,
        two.four_weekly_cpli,
        two.four_weekly_contract,
        covers_from=date(2026, 9, 21),
        excl_vat="740.00",
    )
    # Both lines are 10 hours at £18.50 (£185.00) from Monday 21 September 2026: 27 whole weeks
    # and 29 to 31 March as 3/7 of a week (£79.29): £5,074.29.
    four_weekly, rows = table_of(SPEND, two.four_weekly_officer, year=2026, provider=None)
    assert rows == [
        (
            "Larchfield Home Care",
            two.four_weekly_contract.reference,
            "Home Care - Double Assist",
            D("5074.29"),
            D("740.00"),
            D("0.00"),
            D("4334.29"),
            D("14.6"),
        )
    ]
    assert [row.council_id for row in four_weekly.rows] == [two.four_weekly.pk]
    weekly, rows = table_of(SPEND, two.weekly_officer, year=2026, provider=None)
    assert rows == [
        (
            "Larchfield Home Care",
            two.weekly_contract.reference,
            "Home Care - Double Assist",
            D("5074.29"),
            D("0.00"),
            D("0.00"),
            D("5074.29"),
            D("0.0"),
        )
    ]
    assert [row.council_id for row in weekly.rows] == [two.weekly.pk]
    assert "Ashcombe Borough Council's rules" in weekly.notes[0]


def queries_of(slug: str, user, **filters) -> int:
    with CaptureQueriesContext(connection) as captured:
        table_of(slug, user, **filters)
    return len(captured.captured_queries)


def test_spend_takes_the_same_queries_for_one_client_as_for_six(spent: World) -> None:
    small = queries_of(SPEND, officer(spent), year=2026, provider=None)
    contract = contract_of(spent)
    run = a_run(spent.council, by=spent.payments_officer, n=2)
    for cpli in clients(spent, 5):
        cpli_line(run, cpli, contract, covers_from=date(2026, 10, 26), excl_vat="100.00")
    assert queries_of(SPEND, officer(spent), year=2026, provider=None) == small


def test_the_chart_draws_commitment_and_paid_per_service_level(spent: World) -> None:
    from carebridge.reports.catalogue.spend_commitment import chart

    table, _rows = table_of(SPEND, officer(spent), year=2026, provider=None)
    drawn = chart(table)
    assert drawn is not None
    assert [bar.title for bar in drawn.bars] == [
        "Home Care - Single Assist Fixed Rate: commitment 5.8 thousand pounds",
        "Home Care - Single Assist Fixed Rate: paid excl vat 0.9 thousand pounds",
        "Night Sits: commitment 0.3 thousand pounds",
        "Night Sits: paid excl vat 0.2 thousand pounds",
    ]
    assert "committed £5,752.96, paid £871.63" in drawn.description


# --- Prompt payment per quarter ---------------------------------------------------------------


def invoices(world: World, count: int) -> list[Invoice]:
    """`count` Unsubmitted invoices of last week, one client's week each."""
    enter(world, *((cpli, "10") for cpli in clients(world, count)))
    lines = pre_invoice(world.carer, world.service, period_of(world))
    return [create(world, [line.actual_id], reference=f"PP-{line.actual_id}") for line in lines]


def submit(world: World, clock, invoice: Invoice, at: datetime) -> Invoice:
    clock.set(at)
    return services.invoice_submit(by=world.carer, invoice=invoice)


def test_day_30_is_within_30_days_and_day_31_late_each_in_the_quarter_it_was_paid(
    world: World, clock
) -> None:
    on_invoice(world)
    a, b, c, d = invoices(world, 4)
    for invoice in (a, b):
        submit(world, clock, invoice, NOW)  # received Monday 16 November 2026
    for invoice in (c, d):
        submit(world, clock, invoice, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    _pay_each(
        world,
        (a, date(2026, 12, 10), "100.00"),  # 24 days
        (b, date(2026, 12, 17), "226.24"),  # 31 days: late
        (c, date(2026, 12, 31), "50.00"),  # 29 days, the last day of Q3
        (d, date(2027, 1, 1), "60.00"),  # 30 days: on time, the first day of Q4
    )
    clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    table, rows = table_of(PROMPT, world.payments_officer, year=2026, provider=None)
    assert rows == [
        ("Q3 2026/27", "Diamond Home Care", "Invoice", 3, 2, D("66.7"), 1, D("28.0"), D("226.24")),
        (
            "Q4 2026/27 (so far)",
            "Diamond Home Care",
            "Invoice",
            1,
            1,
            D("100.0"),
            0,
            D("30.0"),
            D("0.00"),
        ),
    ]
    assert table.totals == ("Total", None, None, 4, 3, D("75.0"), 1, D("28.5"), D("226.24"))
    drawn = prompt_chart(table)
    assert drawn is not None
    assert [bar.title for bar in drawn.bars] == [
        "Q3 2026/27: paid 3",
        "Q3 2026/27: within 30 days 2",
        "Q4 2026/27 (so far): paid 1",
        "Q4 2026/27 (so far): within 30 days 1",
    ]
    assert "Q3 2026/27: 3 paid, 2 within 30 days (66.7%)" in drawn.description


def _pay_each(world: World, *payments: tuple[Invoice, date, str], first: int = 0) -> None:
    """Each invoice paid by a finalised run of a period of its own (a council pays a period
    once; `first` is the first period's place), on its day for its value."""
    for n, (invoice, on, value) in enumerate(payments, start=first):
        invoice = services.invoice_authorise(by=world.payments_officer, invoice=invoice)
        services.invoice_pay(by=None, invoice=invoice)
        Invoice.objects.filter(pk=invoice.pk).update(paid_on=on)
        run = a_run(world.council, by=world.payments_officer, n=n, payment_date=on)
        invoice_line(run, invoice, value)


def test_a_self_billed_period_is_received_at_its_last_confirmation_before_the_run(
    world: World, clock
) -> None:
    enter(world, (world.cpli, "14"))
    services_confirm(world)  # Monday 16 November 2026, 10:00
    period = period_of(world)
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    run = run_of(
        period,
        by=world.payments_officer,
        approver=make_user(council=world.council, role="payments_officer"),
        payment_date=date(2026, 12, 17),
    )
    actual_line(run, Actual.objects.get(cpli=world.cpli, period=period), "226.24")
    # Confirmed again after the run was finalised: for a later run, so not when it was received.
    Confirmation.objects.create(
        period=period,
        provider=world.provider,
        confirmed_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        confirmed_by=world.carer,
    )
    clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    _table, rows = table_of(PROMPT, world.payments_officer, year=2026, provider=None)
    assert rows == [
        (
            "Q3 2026/27",
            "Diamond Home Care",
            "Self-billed period",
            1,
            0,
            D("0.0"),
            1,
            D("31.0"),
            D("226.24"),
        )
    ]


def services_confirm(world: World) -> None:
    from carebridge.actuals import services as actuals

    actuals.actuals_confirm(world.carer, period_of(world))


def test_prompt_payment_of_a_provider_of_two_councils_is_each_councils_own(clock) -> None:
    two = make_two_council_provider()  # the paid period's actuals confirmed at 10:00, 16 November
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    run = run_of(
        two.paid_period,
        by=two.four_weekly_officer,
        approver=make_user(council=two.four_weekly, role="payments_officer"),
        payment_date=date(2026, 12, 16),
    )
    for actual in Actual.objects.filter(period=two.paid_period).order_by("week_start"):
        actual_line(run, actual, "185.00")
    clock.set(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
    table, rows = table_of(PROMPT, two.four_weekly_officer, year=2026, provider=None)
    assert rows == [
        (
            "Q3 2026/27",
            "Larchfield Home Care",
            "Self-billed period",
            1,
            1,
            D("100.0"),
            0,
            D("30.0"),
            D("0.00"),
        )
    ]
    assert [row.council_id for row in table.rows] == [two.four_weekly.pk]
    _table, rows = table_of(PROMPT, two.weekly_officer, year=2026, provider=None)
    assert rows == []


def test_prompt_payment_takes_the_same_queries_for_one_invoice_as_for_three(
    world: World, clock
) -> None:
    on_invoice(world)
    first, *more = invoices(world, 3)
    for invoice in (first, *more):
        submit(world, clock, invoice, NOW)
    _pay_each(world, (first, date(2026, 12, 1), "10.00"))
    small = queries_of(PROMPT, world.payments_officer, year=2026, provider=None)
    _pay_each(world, *((invoice, date(2026, 12, 2), "10.00") for invoice in more), first=1)
    assert queries_of(PROMPT, world.payments_officer, year=2026, provider=None) == small


# --- The pages, downloads and who may open them -------------------------------------------------


@pytest.mark.parametrize("slug", [SPEND, PROMPT])
def test_a_councils_officer_reads_the_page_and_each_download_is_audited(
    spent: World, slug: str
) -> None:
    browser = client_for(officer(spent))
    page = browser.get(reverse("reports:report", args=[slug]), {"year": "2026"})
    assert page.status_code == 200
    for fmt in ("csv", "xlsx", "pdf"):
        response = browser.get(reverse("reports:download", args=[slug, fmt]), {"year": "2026"})
        assert response.status_code == 200
        if fmt == "csv":
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
    downloads = Event.objects.filter(action="reports.report_downloaded", actor=officer(spent))
    assert sorted(e.detail["format"] for e in downloads) == ["csv", "pdf", "xlsx"]
    assert {e.detail["report"] for e in downloads} == {slug}


def test_the_spend_csv_carries_the_rows_and_totals(spent: World) -> None:
    browser = client_for(officer(spent))
    response = browser.get(reverse("reports:download", args=[SPEND, "csv"]), {"year": "2026"})
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[-1] == "Total,,,6025.82,1062.63,38.20,4963.19,17.6"
    assert lines[2].endswith("Night Sits,272.86,191.00,38.20,81.86,70.0")


@pytest.mark.parametrize("slug", [SPEND, PROMPT])
def test_a_provider_user_is_refused_the_page_and_the_downloads(world: World, slug: str) -> None:
    browser = client_for(world.carer)
    assert browser.get(reverse("reports:report", args=[slug])).status_code == 403
    assert browser.get(reverse("reports:download", args=[slug, "csv"])).status_code == 403
