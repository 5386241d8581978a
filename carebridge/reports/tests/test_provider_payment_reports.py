"""The provider's payment reports (Stockport section 15, Norfolk section 4): Pending scheduled
payments, Remittance advice and Pending payments exceptions, for a provider working for two
councils (`make_two_council_provider`: Ashcombe weekly, Fenmarsh four-weekly) under the frozen
clock of Monday 16 November 2026. Both councils' CPLIs are 10 hours a week at £18.50, £185.00 a
week, from 21 September 2026; scheduled blocks are 4 weeks (2 in advance, 2 in arrears), from
7 September, 5 October, 2 November... Every figure is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.actuals.models import Actual
from carebridge.actuals.tests import conftest as actuals_world
from carebridge.actuals.tests.conftest import open_periods
from carebridge.contracts import services as contracts
from carebridge.core.calendar import today
from carebridge.payments import services as payments
from carebridge.payments.tests.pay_support import period_at
from carebridge.reports.base import REGISTRY
from tests.provpay_support import (
    confirm_four_weeks,
    csv_rows,
    download,
    downloads_audited,
    finalise,
    more_clients,
    on_schedule,
    other_providers_client,
    page,
    page_cells,
    pdf_text,
    url,
    with_vat,
    xlsx_rows,
)
from tests.support import TwoCouncilProvider, client_for, make_two_council_provider, make_user

pytestmark = pytest.mark.django_db

clock = actuals_world.clock  # Monday 16 November 2026, 10:00

SCHEDULED = "pending-scheduled-payments"
REMITTANCE = "remittance-advice"
EXCEPTIONS = "pending-payment-exceptions"
ASHCOMBE = "Ashcombe Borough Council"
FENMARSH = "Fenmarsh County Council"
D = Decimal
ZERO = D("0.00")


def _d(day: int, month: int, year: int = 2026) -> date:
    return date(year, month, day)


def _rows(response: Any) -> list[tuple[Any, ...]]:
    return [row.cells for row in response.context["table"].rows]


def _totals(response: Any) -> list[str]:
    return [text for text, _numeric in response.context["totals"] if text]


@pytest.fixture
def two(clock) -> TwoCouncilProvider:
    return make_two_council_provider()


def _reader(two: TwoCouncilProvider, role: str = "read_only"):
    return make_user(provider=two.provider, role=role)


# --- Pending scheduled payments ---------------------------------------------------------------


@pytest.fixture
def scheduled(two) -> TwoCouncilProvider:
    """Both councils pay on schedule; Fenmarsh's service level carries 20% VAT; Ashcombe has
    prepared (not finalised) its run for the week of 9 November, which pays every block due by
    15 November: 7 September's two weeks from 21 September and the two blocks after, £1,850."""
    on_schedule(two.weekly)
    on_schedule(two.four_weekly)
    with_vat(two.four_weekly_level)
    payments.run_prepare(
        by=two.weekly_officer, period=period_at(two.weekly, _d(9, 11)), payment_date=today()
    )
    return two


def _scheduled_row(two, council, period, run, covers, excl, vat) -> tuple[Any, ...]:
    weekly = council == ASHCOMBE
    person = two.weekly_person if weekly else two.four_weekly_person
    contract = two.weekly_contract if weekly else two.four_weekly_contract
    return (
        council,
        *period,
        run,
        f"{person.first_name} {person.last_name}",
        person.ss_ref,
        contract.reference,
        "Home Care - Double Assist",
        *covers,
        D(excl),
        D(vat),
        D(excl) + D(vat),
    )


def test_pending_scheduled_payments_are_each_councils_next_runs_per_cpli_in_period_order(
    scheduled,
):
    two = scheduled
    got = _rows(page(_reader(two), SCHEDULED))

    new = "Not yet prepared"
    a, f = ASHCOMBE, FENMARSH
    # Fenmarsh has no run: its next (19 October's period, the first not paid) pays every block
    # due by 15 November, as Ashcombe's prepared run does; then one 4-week block a period,
    # each in the period its two weeks in arrears end in, to the last period starting by
    # 31 March 2027 (Ashcombe's 29 March, Fenmarsh's 8 March).
    assert got == [
        _scheduled_row(two, f, (_d(19, 10), _d(15, 11)), new, (_d(21, 9), _d(29, 11)), "1850.00", "370.00"),
        _scheduled_row(two, a, (_d(9, 11), _d(15, 11)), "PR20261109", (_d(21, 9), _d(29, 11)), "1850.00", "0.00"),
        _scheduled_row(two, f, (_d(16, 11), _d(13, 12)), new, (_d(30, 11), _d(27, 12)), "740.00", "148.00"),
        _scheduled_row(two, a, (_d(7, 12), _d(13, 12)), new, (_d(30, 11), _d(27, 12)), "740.00", "0.00"),
        _scheduled_row(two, f, (_d(14, 12), _d(10, 1, 2027)), new, (_d(28, 12), _d(24, 1, 2027)), "740.00", "148.00"),
        _scheduled_row(two, a, (_d(4, 1, 2027), _d(10, 1, 2027)), new, (_d(28, 12), _d(24, 1, 2027)), "740.00", "0.00"),
        _scheduled_row(two, f, (_d(11, 1, 2027), _d(7, 2, 2027)), new, (_d(25, 1, 2027), _d(21, 2, 2027)), "740.00", "148.00"),
        _scheduled_row(two, a, (_d(1, 2, 2027), _d(7, 2, 2027)), new, (_d(25, 1, 2027), _d(21, 2, 2027)), "740.00", "0.00"),
        _scheduled_row(two, f, (_d(8, 2, 2027), _d(7, 3, 2027)), new, (_d(22, 2, 2027), _d(21, 3, 2027)), "740.00", "148.00"),
        _scheduled_row(two, a, (_d(1, 3, 2027), _d(7, 3, 2027)), new, (_d(22, 2, 2027), _d(21, 3, 2027)), "740.00", "0.00"),
        _scheduled_row(two, f, (_d(8, 3, 2027), _d(4, 4, 2027)), new, (_d(22, 3, 2027), _d(18, 4, 2027)), "740.00", "148.00"),
        _scheduled_row(two, a, (_d(29, 3, 2027), _d(4, 4, 2027)), new, (_d(22, 3, 2027), _d(18, 4, 2027)), "740.00", "0.00"),
    ]  # fmt: skip


def test_pending_scheduled_payments_total_to_the_penny(scheduled):
    response = page(_reader(scheduled), SCHEDULED)
    # Each council: £1,850 + 5 blocks of £740 = £5,550; Fenmarsh's VAT a fifth of its £5,550.
    assert _totals(response) == ["Total", "£11,100.00", "£1,110.00", "£12,210.00"]
    notes = response.context["table"].notes
    assert f"{ASHCOMBE}: Paid every 4 weeks: 2 in advance and 2 in arrears." in notes


def test_a_finalised_runs_period_is_no_longer_pending(scheduled):
    two = scheduled
    finalise(two, four_weekly=False, day=_d(9, 11), payment_date=today())
    got = _rows(page(_reader(two), SCHEDULED, council=two.weekly.pk))
    assert [(row[1], row[3], row[10]) for row in got] == [
        (_d(7, 12), "Not yet prepared", D("740.00")),
        (_d(4, 1, 2027), "Not yet prepared", D("740.00")),
        (_d(1, 2, 2027), "Not yet prepared", D("740.00")),
        (_d(1, 3, 2027), "Not yet prepared", D("740.00")),
        (_d(29, 3, 2027), "Not yet prepared", D("740.00")),
    ]


def test_each_cpli_of_a_client_is_its_own_row(scheduled):
    two = scheduled
    level = contracts.service_level_create(
        council=two.four_weekly, name="Night Sit", unit="hours", by=two.four_weekly_broker
    )
    document = contracts.contract_document_publish(
        council=two.four_weekly,
        service=two.service,
        service_user=two.four_weekly_person,
        care_package_reference="CP-NIGHTS",
        lines=[
            contracts.Line(
                service_level=level,
                quantity=D("2"),
                rate=D("25.00"),
                pricing_basis="spot",
                start_date=_d(16, 11),
                end_date=None,
                visits=0,
            )
        ],
        by=two.four_weekly_broker,
    )
    contracts.contract_document_agree(
        document=document, by=two.carer, password="Harbour-Lantern-42"
    )
    got = _rows(page(_reader(two), SCHEDULED, council=two.four_weekly.pk))
    # The night sits (2 hours at £25, £50 a week, from 16 November, no VAT): their two weeks of
    # the block from 2 November are due by 15 November, so paid by the next run, 19 October's
    # period's (£100); the block from 30 November by 16 November's period's (£200), each a row
    # of its own beside the first CPLI's.
    by_period = [(row[1], row[7], row[8], row[9], row[10], row[11]) for row in got][:4]
    assert by_period == [
        (_d(19, 10), "Home Care - Double Assist", _d(21, 9), _d(29, 11), D("1850.00"), D("370.00")),
        (_d(19, 10), "Night Sit", _d(16, 11), _d(29, 11), D("100.00"), ZERO),
        (_d(16, 11), "Home Care - Double Assist", _d(30, 11), _d(27, 12), D("740.00"), D("148.00")),
        (_d(16, 11), "Night Sit", _d(30, 11), _d(27, 12), D("200.00"), ZERO),
    ]  # fmt: skip


def test_pending_scheduled_payments_show_none_of_another_providers_work(scheduled):
    two = scheduled
    signer, _cpli = other_providers_client(two)
    got = _rows(page(_reader(two), SCHEDULED, council=two.weekly.pk))
    assert {row[4] for row in got} == {
        f"{two.weekly_person.first_name} {two.weekly_person.last_name}"
    }
    theirs = _rows(page(signer, SCHEDULED, council=two.weekly.pk))
    # Quillon's 4 hours at £18.50 (£74.00 a week) appears on its own report only.
    assert {row[4] for row in theirs} == {"Olive Quarry"}
    assert D("296.00") in {row[10] for row in theirs}


def test_one_council_chosen_shows_that_councils_periods_only(scheduled):
    two = scheduled
    response = page(_reader(two), SCHEDULED, council=two.four_weekly.pk)
    assert {row[0] for row in _rows(response)} == {FENMARSH}
    assert _totals(response) == ["Total", "£5,550.00", "£1,110.00", "£6,660.00"]


def test_super_user_actuals_is_shown_no_pending_scheduled_payments(scheduled):
    two = scheduled
    assert REGISTRY[SCHEDULED].hidden_from == frozenset({"super_user_actuals"})
    browser = client_for(two.carer)  # the two-council provider's Super User (Actuals)
    assert browser.get(url(SCHEDULED)).status_code == 403
    for fmt in ("csv", "xlsx", "pdf"):
        assert browser.get(url(SCHEDULED, fmt)).status_code == 403
    index = browser.get("/reports/").content.decode()
    assert "Pending scheduled payments" not in index and "Remittance advice" in index


# --- Remittance advice ------------------------------------------------------------------------


@pytest.fixture
def paid(two) -> TwoCouncilProvider:
    """Ashcombe pays on schedule (no VAT) and Fenmarsh self-bills (20% VAT). Ashcombe's run for
    the week of 9 November is finalised, paying on Monday 16 November its three blocks (the
    two weeks from 21 September, £370; the blocks from 5 October and 2 November, £740 each);
    Fenmarsh's run for 19 October to 15 November pays the four weeks' confirmed actuals on
    Friday 20 November (£185.00 + £37.00 VAT a week): with them the four weeks from
    21 September, whose period the fixture only marked paid (no run paid its actuals), eight
    weeks in all."""
    on_schedule(two.weekly)
    with_vat(two.four_weekly_level)
    finalise(two, four_weekly=False, day=_d(9, 11), payment_date=_d(16, 11))
    confirm_four_weeks(two, _d(19, 10))
    finalise(two, four_weekly=True, day=_d(19, 10), payment_date=_d(20, 11))
    return two


def _remittance_rows(two) -> list[tuple[Any, ...]]:
    a = two.weekly_person
    f = two.four_weekly_person
    ashcombe = (ASHCOMBE, "PR20261109", _d(16, 11), f"{a.first_name} {a.last_name}", a.ss_ref)
    fenmarsh = (FENMARSH, "PR20261019", _d(20, 11), f"{f.first_name} {f.last_name}", f.ss_ref)
    level = "Home Care - Double Assist"
    week = (D("185.00"), D("37.00"), D("222.00"))
    return [
        # The newest payment first: Fenmarsh's of 20 November, a line a week.
        *[
            (*fenmarsh, level, f"Actuals, week of {monday:%d/%m/%Y}", monday,
             monday + timedelta(days=6), *week)
            for monday in (_d(21, 9) + timedelta(weeks=n) for n in range(8))
        ],
        (*ashcombe, level, "Scheduled payment 21/09/2026 to 04/10/2026", _d(21, 9), _d(4, 10),
         D("370.00"), ZERO, D("370.00")),
        (*ashcombe, level, "Scheduled payment 05/10/2026 to 01/11/2026", _d(5, 10), _d(1, 11),
         D("740.00"), ZERO, D("740.00")),
        (*ashcombe, level, "Scheduled payment 02/11/2026 to 29/11/2026", _d(2, 11), _d(29, 11),
         D("740.00"), ZERO, D("740.00")),
    ]  # fmt: skip


def test_remittance_advice_lists_every_finalised_payments_lines_newest_first(paid):
    response = page(_reader(paid), REMITTANCE)
    assert _rows(response) == _remittance_rows(paid)
    # 8 x £185 = £1,480 and £1,850 Excl VAT; 8 x £37 = £296 VAT.
    assert _totals(response) == ["Total", "£3,330.00", "£296.00", "£3,626.00"]


def test_remittance_advice_shows_none_of_another_providers_payments(two):
    on_schedule(two.weekly)
    signer, _cpli = other_providers_client(two)
    finalise(two, four_weekly=False, day=_d(9, 11), payment_date=_d(16, 11))
    ours = _rows(page(_reader(two), REMITTANCE))
    assert len(ours) == 3 and "Olive Quarry" not in {row[3] for row in ours}
    theirs = _rows(page(signer, REMITTANCE))
    # Quillon's 4 hours at £18.50 a week in the same run: £148, £296 and £296.
    assert [(row[3], row[9]) for row in theirs] == [
        ("Olive Quarry", D("148.00")),
        ("Olive Quarry", D("296.00")),
        ("Olive Quarry", D("296.00")),
    ]


def test_remittance_advice_filters_by_council_and_by_payment_dates(paid):
    reader = _reader(paid)
    only = _rows(page(reader, REMITTANCE, council=paid.weekly.pk))
    assert {row[0] for row in only} == {ASHCOMBE} and len(only) == 3
    dates = {"year": "", "starts_0": 17, "starts_1": 11, "starts_2": 2026}
    dates |= {"ends_0": 30, "ends_1": 11, "ends_2": 2026}
    later = page(reader, REMITTANCE, **dates)
    assert [row[1] for row in _rows(later)] == ["PR20261019"] * 8
    assert _totals(later) == ["Total", "£1,480.00", "£296.00", "£1,776.00"]
    before = {"year": "", "starts_0": 1, "starts_1": 10, "starts_2": 2026}
    before |= {"ends_0": 15, "ends_1": 11, "ends_2": 2026}
    assert _rows(page(reader, REMITTANCE, **before)) == []
    this_year = page(reader, REMITTANCE, year=2026)
    assert len(_rows(this_year)) == 11


def test_remittance_advice_asks_for_a_year_or_dates_not_both_nor_neither(paid):
    browser = client_for(_reader(paid))
    both = browser.get(url(REMITTANCE, year=2026, starts_0=1, starts_1=11, starts_2=2026))
    assert "Choose a financial year or" in both.content.decode()
    assert "table" not in both.context
    neither = browser.get(url(REMITTANCE, year=""))
    assert "Enter the first payment date" in neither.content.decode()
    refused = browser.get(url(REMITTANCE, "csv", year=""))
    assert refused.status_code == 400


# --- Pending payments exceptions --------------------------------------------------------------


@pytest.fixture
def excepted(paid) -> TwoCouncilProvider:
    """After both runs: Ashcombe ends the order on Wednesday 18 November, so its paid block from
    2 November (£740) is now worth two weeks and three days: £185 + £185 + £79.29 (£185 x 3/7),
    £449.29: an exception of -£290.71. Fenmarsh's week of 2 November was paid at 10 hours and is
    now 12 (as a dispute's amendment leaves it): £222.00, VAT £44.40, an exception of £37.00 and
    £7.40 VAT."""
    two = paid
    contracts.contract_document_terminate(
        document=two.weekly_cpli.document,
        end_date=_d(18, 11),
        reason="The client has moved into residential care.",
        by=two.weekly_broker,
    )
    actual = Actual.objects.get(cpli=two.four_weekly_cpli, week_start=_d(2, 11))
    Actual.objects.filter(pk=actual.pk).update(cost=D("222.00"))
    payments.payment_exceptions_follow_actuals(by=two.carer, actual_ids=[actual.pk])
    return two


def _exception_rows(two, in_run: str | None = None) -> list[tuple[Any, ...]]:
    a, f = two.weekly_person, two.four_weekly_person
    service = two.service.name
    level = "Home Care - Double Assist"
    return [
        (ASHCOMBE, f"{a.first_name} {a.last_name}", a.ss_ref, service, level, _d(2, 11),
         _d(29, 11), "Scheduled payment 02/11/2026 to 29/11/2026: the line's dates changed "
         "after it was paid", _d(16, 11), in_run, D("-290.71"), ZERO, D("-290.71")),
        (FENMARSH, f"{f.first_name} {f.last_name}", f.ss_ref, service, level, _d(2, 11),
         _d(8, 11), "Actuals for the week of 02/11/2026 changed after they were paid",
         _d(16, 11), None, D("37.00"), D("7.40"), D("44.40")),
    ]  # fmt: skip


def test_pending_exceptions_are_each_councils_adjustments_with_their_totals(excepted):
    response = page(_reader(excepted), EXCEPTIONS)
    assert _rows(response) == _exception_rows(excepted)
    # -£290.71 + £37.00 = -£253.71; VAT £7.40; -£290.71 + £44.40 = -£246.31.
    assert _totals(response) == ["Total", "-£253.71", "£7.40", "-£246.31"]


def test_an_exception_on_a_prepared_run_names_it_and_once_finalised_is_gone(excepted, clock):
    two = excepted
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    open_periods()
    run = payments.run_prepare(
        by=two.weekly_officer, period=period_at(two.weekly, _d(16, 11)), payment_date=today()
    )
    reader = _reader(two)
    assert _rows(page(reader, EXCEPTIONS)) == _exception_rows(two, in_run=run.reference)
    payments.run_approve(by=make_user(council=two.weekly, role="payments_officer"), run=run)
    payments.run_finalise(by=two.weekly_officer, run=run)
    assert [row[0] for row in _rows(page(reader, EXCEPTIONS))] == [FENMARSH]
    # The run recovers nothing yet: its balance, negative, is carried forward, a line for no
    # one client on its remittance advice, after the client's.
    person = two.weekly_person
    newest = [(r[1], r[2], r[3], r[6], r[11]) for r in _rows(page(reader, REMITTANCE))[:2]]
    assert newest == [
        ("PR20261116", _d(23, 11), f"{person.first_name} {person.last_name}",
         "Payment exception: Scheduled payment 02/11/2026 to 29/11/2026: the line's dates "
         "changed after it was paid", D("-290.71")),
        ("PR20261116", _d(23, 11), "Not for one client", "Balance carried forward to the next run",
         D("290.71")),
    ]  # fmt: skip


def test_pending_exceptions_show_one_council_and_none_of_another_providers(excepted):
    two = excepted
    only = _rows(page(_reader(two), EXCEPTIONS, council=two.four_weekly.pk))
    assert [row[0] for row in only] == [FENMARSH]
    stranger, _cpli = other_providers_client(two)  # another provider at Ashcombe
    assert _rows(page(stranger, EXCEPTIONS)) == []


# --- Every format carries the same rows, and every download is audited -----------------------

# Each report's scenario, and how many of its rows are each council's: (Ashcombe, Fenmarsh).
SCENARIOS = [(SCHEDULED, "scheduled", (6, 6)), (REMITTANCE, "paid", (3, 8)), (EXCEPTIONS, "excepted", (1, 1))]  # fmt: skip


def _plain(text: str) -> str:
    """A page cell as CSV carries it: money without the pound sign or thousands' commas."""
    return text.replace("£", "").replace(",", "") if "£" in text else text


def _from_sheet(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float | int):
        return f"{value:.2f}"
    return str(value)


@pytest.mark.parametrize(("slug", "scenario", "counts"), SCENARIOS)
def test_the_page_csv_workbook_and_pdf_carry_the_same_rows_and_totals(
    request, slug, scenario, counts
):
    two = request.getfixturevalue(scenario)
    reader = _reader(two)
    shown = page_cells(page(reader, slug))
    assert len(shown) == sum(counts) + 1  # and the totals row
    browser = client_for(reader)

    csv_got = csv_rows(download(browser, slug, "csv"))
    assert csv_got[1:] == [[_plain(text) for text in row] for row in shown]

    sheet = xlsx_rows(download(browser, slug, "xlsx"))
    assert sheet[0] == csv_got[0]
    assert [[_from_sheet(value) for value in row] for row in sheet[1:]] == csv_got[1:]

    text = " ".join(t for t in pdf_text(download(browser, slug, "pdf")) if t.strip())
    for row in shown:
        assert " ".join(cell for cell in row if cell) in text

    ashcombe, fenmarsh = counts
    assert downloads_audited() == [
        (council.pk, {"report": slug, "format": fmt, "count": count})
        for council, count in ((two.weekly, ashcombe), (two.four_weekly, fenmarsh))
        for fmt in ("csv", "pdf", "xlsx")
    ]


# --- Who may use them -------------------------------------------------------------------------


def test_only_the_reports_roles_may_use_them_and_super_user_actuals_not_scheduled_payments(two):
    allowed = {
        "super_user_scheduled": {SCHEDULED, REMITTANCE, EXCEPTIONS},
        "reports": {SCHEDULED, REMITTANCE, EXCEPTIONS},
        "read_only": {SCHEDULED, REMITTANCE, EXCEPTIONS},
        "super_user_actuals": {REMITTANCE, EXCEPTIONS},
        "payments": set(),
        "administration": set(),
        "invoice_only": set(),
    }
    users = {role: _reader(two, role) for role in allowed}
    for role, user in users.items():
        browser = client_for(user)
        for slug in (SCHEDULED, REMITTANCE, EXCEPTIONS):
            expected = 200 if slug in allowed[role] else 403
            assert browser.get(url(slug)).status_code == expected, (role, slug)
            assert browser.get(url(slug, "csv")).status_code == expected, (role, slug)
    officer = client_for(two.weekly_officer)  # a council's payments officer
    for slug in (SCHEDULED, REMITTANCE, EXCEPTIONS):
        assert officer.get(url(slug)).status_code == 403
        assert officer.get(url(slug, "xlsx")).status_code == 403


# --- A fixed number of queries, whatever the size ---------------------------------------------


def _queries(user, slug: str, **query: object) -> tuple[int, int]:
    """The page's queries and its rows."""
    with CaptureQueriesContext(connection) as captured:
        response = page(user, slug, **query)
    return len(captured), len(_rows(response))


def test_pending_scheduled_payments_take_the_same_queries_for_three_times_the_clients(
    scheduled, django_assert_num_queries
):
    two = scheduled
    reader = _reader(two)
    few, rows = _queries(reader, SCHEDULED)
    more_clients(two, 2)
    more_clients(two, 2, four_weekly=True)
    payments.run_prepare(
        by=two.weekly_officer, period=period_at(two.weekly, _d(9, 11)), payment_date=today()
    )
    with django_assert_num_queries(few):
        response = page(reader, SCHEDULED)
    assert len(_rows(response)) == 3 * rows == 36


def test_remittance_advice_takes_the_same_queries_for_many_more_lines(
    two, clock, django_assert_num_queries
):
    on_schedule(two.weekly)
    finalise(two, four_weekly=False, day=_d(9, 11), payment_date=_d(16, 11))
    reader = _reader(two)
    few, rows = _queries(reader, REMITTANCE)
    more_clients(two, 3)
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    open_periods()
    finalise(two, four_weekly=False, day=_d(16, 11), payment_date=_d(23, 11))
    with django_assert_num_queries(few):
        response = page(reader, REMITTANCE)
    # The three new clients' three blocks each, paid by the second run.
    assert (rows, len(_rows(response))) == (3, 12)


def _terminate(cpli, by) -> None:
    contracts.contract_document_terminate(
        document=cpli.document, end_date=_d(18, 11), reason="Moved away.", by=by
    )


def test_pending_exceptions_take_the_same_queries_for_three_times_the_exceptions(
    two, django_assert_num_queries
):
    on_schedule(two.weekly)
    extra = more_clients(two, 2)
    finalise(two, four_weekly=False, day=_d(9, 11), payment_date=_d(16, 11))
    reader = _reader(two)
    _terminate(two.weekly_cpli, two.weekly_broker)
    few, rows = _queries(reader, EXCEPTIONS)
    for cpli in extra:
        _terminate(cpli, two.weekly_broker)
    with django_assert_num_queries(few):
        response = page(reader, EXCEPTIONS)
    assert (rows, len(_rows(response))) == (1, 3)
