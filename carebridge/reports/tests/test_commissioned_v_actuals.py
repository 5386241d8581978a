"""Commissioned v Actuals: planned against posted per client, CPLI and week, with the
differences and their reasons; each council's weeks under its own rules, only the provider's own
rows, the same rows on the page and in every download, each download audited, a fixed number of
queries. The figures are worked by hand from cva_support's world (10 hours a week at £18.50)."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html import unescape
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from carebridge.actuals import services as actuals
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import Unit
from carebridge.organisations.choices import MissedReason
from carebridge.organisations.models import Rulebook
from carebridge.reports.base import Totals
from carebridge.reports.catalogue.commissioned_v_actuals import build, default_dates
from carebridge.reports.tests.cva_support import NOW, agree_line, new_client, post, query
from tests.support import (
    TwoCouncilProvider,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db

SLUG = "commissioned-v-actuals"
# Fenmarsh's paid period: four weeks beginning on these Mondays.
PAID_WEEKS = [date(2026, 9, 21), date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 12)]
ASHCOMBE = "Ashcombe Borough Council"
FENMARSH = "Fenmarsh County Council"
# Column positions in a row's cells.
COUNCIL, WEEK, CLIENT, SS_REF, SERVICE, LEVEL, CPLI, UNIT = range(8)
PL, ACTUAL, FRSTD, MSD, XTR, DIFFERENCE, PLANNED_COST, COST, COST_DIFFERENCE, REASONS = range(8, 18)


def rows_of(user: Any, starts: date, ends: date, council: int | None = None) -> list[tuple]:
    table = build(user, {"starts": starts, "ends": ends, "council": council})
    return [row.cells for row in table.rows]


def brief(cells: tuple) -> tuple:
    """What a row says of one week: council, week, SS Ref, Pl, Actual, difference, reasons."""
    return (
        cells[COUNCIL],
        cells[WEEK],
        cells[SS_REF],
        cells[PL],
        cells[ACTUAL],
        cells[DIFFERENCE],
        cells[REASONS],
    )


D = Decimal


@pytest.fixture
def two(db: None) -> Iterator[TwoCouncilProvider]:
    """The shared provider of two councils, made and read with the clock at NOW."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield make_two_council_provider()


# --- Each council's weeks under its own rules ------------------------------------------------


def test_a_provider_of_two_councils_gets_each_councils_weeks_posted_or_not(two):
    rows = rows_of(two.carer, date(2026, 9, 21), date(2026, 10, 18))

    assert [brief(r) for r in rows] == [
        *[(ASHCOMBE, week, "AS1001", D("10"), None, D("-10"), "Not posted") for week in PAID_WEEKS],
        *[(FENMARSH, week, "FM2002", D("10"), D("10"), D("0"), "") for week in PAID_WEEKS],
    ]
    # Nothing posted at Ashcombe: its plan at £18.50 an hour, and nothing paid yet.
    assert {(r[PLANNED_COST], r[COST], r[COST_DIFFERENCE]) for r in rows[:4]} == {
        (D("185.00"), None, D("-185.00"))
    }
    # Fenmarsh's weeks were posted as planned and paid as planned.
    assert {(r[PLANNED_COST], r[COST], r[COST_DIFFERENCE]) for r in rows[4:]} == {
        (D("185.00"), D("185.00"), D("0.00"))
    }


def test_the_totals_add_both_councils_weeks(two):
    table = build(
        two.carer, {"starts": date(2026, 9, 21), "ends": date(2026, 10, 18), "council": None}
    )
    totals = Totals(table)
    list(totals.through(table.rows))

    cells = totals.cells()
    assert cells is not None
    # 8 weeks of 10 planned; 4 of 10 posted; 40 short; 8 x £185 planned, 4 x £185 posted.
    assert cells[PL : COST_DIFFERENCE + 1] == (
        D("80"),
        D("40"),
        D("0"),
        D("0"),
        D("0"),
        D("-40"),
        D("1480.00"),
        D("740.00"),
        D("-740.00"),
    )
    assert totals.rows_by_council == {two.weekly.pk: 4, two.four_weekly.pk: 4}


def test_the_council_filter_keeps_one_councils_rows_and_its_rules_note(two):
    table = build(
        two.carer,
        {"starts": date(2026, 9, 21), "ends": date(2026, 10, 18), "council": two.four_weekly.pk},
    )

    assert {row.cells[COUNCIL] for row in table.rows} == {FENMARSH}
    assert table.notes[0] == (
        f"{FENMARSH}: 4-weekly periods, weeks beginning on Monday; its rows follow its own rules."
    )
    assert not any(ASHCOMBE in note for note in table.notes)


def test_a_week_is_in_the_report_when_it_begins_in_the_dates(two):
    # From Wednesday 23 September to Monday 5 October: the weeks beginning 28 September and 5
    # October; the week beginning 21 September began before the first date.
    rows = rows_of(two.carer, date(2026, 9, 23), date(2026, 10, 5), council=two.weekly.pk)

    assert [r[WEEK] for r in rows] == [date(2026, 9, 28), date(2026, 10, 5)]


def test_a_council_whose_weeks_begin_on_sunday_gets_its_own_weeks(two):
    sundale = make_council(
        "Sundale District Council", actuals_week_start=6, actuals_periods_from=date(2026, 9, 20)
    )
    make_contract(sundale, two.provider, start_date=date(2026, 9, 20))
    broker = make_user(council=sundale, role="broker")
    level = contracts.service_level_create(
        council=sundale, name="Home Care - Single Assist", unit=Unit.HOURS, by=broker
    )
    person = new_client(sundale, broker, "SD4004", "Achebe")
    line = agree_line(
        council=sundale,
        broker=broker,
        signer=two.carer,
        service=two.service,
        person=person,
        level=level,
        quantity="6",
        start=date(2026, 9, 20),
    )
    actuals.periods_open(date(2026, 11, 16))
    post(two.carer, line, date(2026, 10, 4), "6")

    # Monday 28 September to Sunday 11 October: Ashcombe's weeks begin on the two Mondays,
    # Sundale's on the two Sundays (its week beginning Sunday 27 September began the day before).
    rows = rows_of(two.carer, date(2026, 9, 28), date(2026, 10, 11))
    weeks = [(r[COUNCIL], r[WEEK], r[ACTUAL], r[REASONS]) for r in rows if r[COUNCIL] != FENMARSH]

    assert weeks == [
        (ASHCOMBE, date(2026, 9, 28), None, "Not posted"),
        (ASHCOMBE, date(2026, 10, 5), None, "Not posted"),
        ("Sundale District Council", date(2026, 10, 4), D("6"), ""),
        ("Sundale District Council", date(2026, 10, 11), None, "Not posted"),
    ]


def test_lines_in_more_than_one_unit_total_only_their_costs(two):
    # A night sitting line beside the hours: 10 hours and 3 nights make no "13".
    level = contracts.service_level_create(
        council=two.weekly, name="Night Sitting", unit=Unit.NIGHTS, by=two.weekly_broker
    )
    person = new_client(two.weekly, two.weekly_broker, "AS5005", "Okafor")
    agree_line(
        council=two.weekly,
        broker=two.weekly_broker,
        signer=two.carer,
        service=two.service,
        person=person,
        level=level,
        quantity="3",
    )
    table = build(
        two.carer,
        {"starts": date(2026, 9, 21), "ends": date(2026, 10, 18), "council": two.weekly.pk},
    )
    totals = Totals(table)
    list(totals.through(table.rows))

    cells = totals.cells()
    assert cells is not None
    assert cells[PL:PLANNED_COST] == (None,) * 6
    assert cells[PLANNED_COST] is not None
    assert "only the costs are totalled" in table.notes[-1]


# --- Differences and their reasons ------------------------------------------------------------


def test_a_posted_week_with_missed_and_extra_shows_its_difference_and_reasons(two):
    week = date(2026, 11, 9)  # Ashcombe's open period, ended
    # 10 planned, 2 missed (the provider could not deliver), 1.5 extra: 10 - 2 + 1.5 = 9.5.
    post(
        two.carer,
        two.weekly_cpli,
        week,
        "9.5",
        missed="2",
        missed_reason=MissedReason.PROVIDER_FAILURE,
        extra="1.5",
        variation_code="VC-77",
    )

    (row,) = rows_of(two.carer, week, week, council=two.weekly.pk)

    assert row[PL : DIFFERENCE + 1] == (D("10"), D("9.5"), D("0"), D("2"), D("1.5"), D("-0.5"))
    # Paid 9.5 hours at £18.50 (none of a provider's missed hours is paid): £175.75.
    assert row[PLANNED_COST : COST_DIFFERENCE + 1] == (D("185.00"), D("175.75"), D("-9.25"))
    assert row[REASONS] == "Missed: Provider unable to deliver; Extra: variation code VC-77"


def test_missed_hours_paid_under_the_councils_rule_show_no_cost_difference(two):
    week = date(2026, 10, 26)  # Fenmarsh's open period
    post(
        two.carer,
        two.four_weekly_cpli,
        week,
        "8",
        missed="2",
        missed_reason=MissedReason.NON_ENGAGEMENT,
    )

    (row,) = rows_of(two.carer, week, week, council=two.four_weekly.pk)

    # 8 delivered and 2 missed for non-engagement, which the default rule pays in full.
    assert row[DIFFERENCE] == D("-2")
    assert row[COST] == D("185.00")
    assert row[COST_DIFFERENCE] == D("0.00")
    assert row[REASONS] == "Missed: Non-engagement by the person"


def test_a_planned_week_with_nothing_posted_shows_minus_the_plan_and_not_posted(two):
    # A second Ashcombe client whose 7 hours a week end on Wednesday 4 November: three of the
    # week's seven days, so 3 hours planned (to the quarter hour), £55.50.
    person = new_client(two.weekly, two.weekly_broker, "AS3003", "Okafor")
    line = agree_line(
        council=two.weekly,
        broker=two.weekly_broker,
        signer=two.carer,
        service=two.service,
        person=person,
        level=two.weekly_level,
        quantity="7",
        end=date(2026, 11, 4),
        reference="CP-OKAFOR",
    )

    rows = rows_of(two.carer, date(2026, 10, 26), date(2026, 11, 9), council=two.weekly.pk)
    mine = [r for r in rows if r[SS_REF] == "AS3003"]

    assert [(r[WEEK], r[PL], r[DIFFERENCE], r[PLANNED_COST], r[REASONS]) for r in mine] == [
        (date(2026, 10, 26), D("7"), D("-7"), D("129.50"), "Not posted"),
        (date(2026, 11, 2), D("3.00"), D("-3.00"), D("55.50"), "Not posted"),
    ]
    assert mine[0][CPLI] == f"CP-OKAFOR / CPLI {line.pk}"


def test_the_week_in_progress_is_planned_but_not_yet_due(two):
    (row,) = rows_of(two.carer, date(2026, 11, 16), date(2026, 11, 16), council=two.weekly.pk)

    assert row[DIFFERENCE] == D("-10")
    assert row[REASONS] == "Not posted: the week has not ended yet"


# --- Only the provider's own rows ----------------------------------------------------------------


def test_another_providers_rows_never_appear(two):
    other = make_provider("Zephyrine Domiciliary Services")
    make_contract(two.weekly, other, start_date=date(2026, 9, 21))
    from carebridge.organisations import services as org

    other_service = org.service_create(
        provider=other, name="Zephyrine Riverside", postcode="M2 2BB"
    )
    other_user = make_user(provider=other, role="super_user_actuals")
    person = new_client(two.weekly, two.weekly_broker, "ZZ9999", "Quince")
    line = agree_line(
        council=two.weekly,
        broker=two.weekly_broker,
        signer=other_user,
        service=other_service,
        person=person,
        level=two.weekly_level,
        quantity="5",
    )
    post(other_user, line, date(2026, 11, 9), "5")

    mine = rows_of(two.carer, date(2026, 9, 21), date(2026, 11, 9))
    theirs = rows_of(other_user, date(2026, 9, 21), date(2026, 11, 9))

    assert "ZZ9999" not in {r[SS_REF] for r in mine}
    assert {r[SS_REF] for r in theirs} == {"ZZ9999"}
    # Eight weeks beginning 21 September to 9 November; the last posted as planned.
    assert len(theirs) == 8
    assert brief(theirs[-1]) == (ASHCOMBE, date(2026, 11, 9), "ZZ9999", D("5"), D("5"), D("0"), "")


# --- The first visit's dates ---------------------------------------------------------------------


def test_the_first_visit_shows_the_last_four_ended_weeks_from_each_councils_period_start():
    four_weekly = Rulebook(
        actuals_period="four_weekly", actuals_week_start=0, actuals_periods_from=date(2026, 9, 28)
    )
    sundays = Rulebook(
        actuals_period="weekly", actuals_week_start=6, actuals_periods_from=date(2026, 9, 27)
    )
    # Wednesday 11 November. The 4-weekly council's last ended week began Monday 2 November;
    # four weeks back from it is 12 October, in its period of 28 September to 25 October. The
    # Sunday council's last ended week began Sunday 1 November and ended Saturday 7 November.
    assert default_dates([four_weekly, sundays], date(2026, 11, 11)) == (
        date(2026, 9, 28),
        date(2026, 11, 8),
    )


def test_the_page_on_a_first_visit_covers_the_last_four_weeks(two):
    response = client_for(two.carer).get(reverse("reports:report", args=[SLUG]))

    assert response.status_code == 200
    text = response.content.decode()
    # Both councils' periods start on the Mondays of 19 October; the last ended week began on
    # 9 November: four weeks of each council's one client.
    assert "8 rows" in text
    assert "19/10/2026" in text and "09/11/2026" in text
    assert "12/10/2026" not in text and "16/11/2026" not in text
    # The filters show the dates the report was made for: 19 October to Sunday 15 November.
    inputs = dict(re.findall(r'name="((?:starts|ends)_[012])"[^>]*value="(\d+)"', text))
    assert inputs == {
        "starts_0": "19",
        "starts_1": "10",
        "starts_2": "2026",
        "ends_0": "15",
        "ends_1": "11",
        "ends_2": "2026",
    }


# --- The same rows on the page and in every file -----------------------------------------------

DATES = {"starts": date(2026, 9, 21), "ends": date(2026, 10, 18)}


def _page_rows(html: str) -> list[list[str]]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def _pdf_text(content: bytes) -> str:
    """The drawing operators of a ReportLab PDF, its streams decoded (ASCII85, then Flate)."""
    text = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            text.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue  # an image or a font: no text of the report's
    return "\n".join(text)


def test_the_page_csv_excel_and_pdf_carry_the_same_rows(two):
    post(
        two.carer,
        two.weekly_cpli,
        date(2026, 10, 12),
        "9.5",
        missed="2",
        missed_reason=MissedReason.PROVIDER_FAILURE,
        extra="1.5",
        variation_code="VC-77",
    )
    browser = client_for(two.carer)
    params = query(**DATES)
    expected = [
        *[(ASHCOMBE, "AS1001", "10", "", "-10", "Not posted") for _ in PAID_WEEKS[:3]],
        (
            ASHCOMBE,
            "AS1001",
            "10",
            "9.5",
            "-0.5",
            "Missed: Provider unable to deliver; Extra: variation code VC-77",
        ),
        *[(FENMARSH, "FM2002", "10", "10", "0", "") for _ in PAID_WEEKS],
    ]
    weeks = [d.strftime("%d/%m/%Y") for d in PAID_WEEKS] * 2

    page = browser.get(reverse("reports:report", args=[SLUG]), params)
    shown = _page_rows(page.content.decode())
    assert [
        (r[COUNCIL], r[SS_REF], r[PL], r[ACTUAL], r[DIFFERENCE], r[REASONS]) for r in shown
    ] == expected
    assert [r[WEEK] for r in shown] == weeks

    url = reverse("reports:download", args=[SLUG, "csv"])
    csv_response = browser.get(url, params)
    lines = list(
        csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")))
    )
    header, *body, total = lines
    assert header[PL] == "Pl" and header[REASONS] == "Reasons"
    as_csv = [(r[COUNCIL], r[SS_REF], r[PL], r[ACTUAL], r[DIFFERENCE], r[REASONS]) for r in body]
    assert as_csv == [
        (c, s, f"{D(p):.2f}", f"{D(a):.2f}" if a else "", f"{D(d):.2f}", why)
        for c, s, p, a, d, why in expected
    ]
    assert [r[WEEK] for r in body] == weeks
    assert total[0] == "Total" and total[PL] == "80.00" and total[COST] == "915.75"

    xlsx = browser.get(reverse("reports:download", args=[SLUG, "xlsx"]), params)
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["Report"]
    cells = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    *xlsx_body, xlsx_total = cells
    assert [
        (r[COUNCIL], r[SS_REF], r[PL], r[ACTUAL], r[DIFFERENCE], r[REASONS] or "")
        for r in xlsx_body
    ] == [
        (c, s, float(p), float(a) if a else None, float(d), why) for c, s, p, a, d, why in expected
    ]
    assert [r[WEEK].date() for r in xlsx_body] == PAID_WEEKS * 2
    assert xlsx_total[PL] == 80 and xlsx_total[COST] == pytest.approx(915.75)

    pdf = browser.get(reverse("reports:download", args=[SLUG, "pdf"]), params)
    assert pdf.content.startswith(b"%PDF")
    drawn = _pdf_text(pdf.content)
    assert drawn.count("(AS1001)") == 4 and drawn.count("(FM2002)") == 4
    assert "VC-77" in drawn and "(\\243915.75)" in drawn


def test_each_download_is_audited_with_its_rows_per_council(two):
    browser = client_for(two.carer)
    for fmt in ("csv", "xlsx", "pdf"):
        response = browser.get(reverse("reports:download", args=[SLUG, fmt]), query(**DATES))
        assert response.status_code == 200
        if fmt == "csv":
            b"".join(response.streaming_content)  # a CSV is audited once it has been sent

    events = Event.objects.filter(action="reports.report_downloaded")
    assert sorted((e.detail["format"], e.council_id, e.detail["count"]) for e in events) == sorted(
        (fmt, council.pk, 4)
        for fmt in ("csv", "xlsx", "pdf")
        for council in (two.weekly, two.four_weekly)
    )
    assert {e.detail["report"] for e in events} == {SLUG}
    assert {e.provider_id for e in events} == {two.provider.pk}


# --- Who may use it -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("super_user_actuals", 200),
        ("super_user_scheduled", 200),
        ("reports", 200),
        ("payments", 403),
    ],
)
def test_super_users_and_the_reports_role_may_use_it_and_payments_may_not(two, role, status):
    user = make_user(provider=two.provider, role=role)
    browser = client_for(user)

    assert browser.get(reverse("reports:report", args=[SLUG]), query(**DATES)).status_code == status
    download = browser.get(reverse("reports:download", args=[SLUG, "csv"]), query(**DATES))
    assert download.status_code == status


def test_a_council_officer_may_not_use_a_providers_report(two):
    response = client_for(two.weekly_broker).get(reverse("reports:report", args=[SLUG]))

    assert response.status_code == 403


# --- A fixed number of queries -----------------------------------------------------------------


def _more_clients(two: TwoCouncilProvider, n: int) -> None:
    for i in range(n):
        person = new_client(two.weekly, two.weekly_broker, f"AS9{i:03d}", f"Extra{i}")
        line = agree_line(
            council=two.weekly,
            broker=two.weekly_broker,
            signer=two.carer,
            service=two.service,
            person=person,
            level=two.weekly_level,
            quantity="4",
        )
        post(two.carer, line, date(2026, 10, 5), "4")


@pytest.mark.parametrize("extra_clients", [0, 6])
def test_the_report_reads_the_same_number_of_queries_whatever_its_size(
    two, extra_clients, django_assert_num_queries
):
    _more_clients(two, extra_clients)

    # The councils' rulebooks, the lines' units, then the lines with their posted weeks.
    with django_assert_num_queries(3):
        rows = rows_of(two.carer, date(2026, 9, 21), date(2026, 10, 18))

    assert len(rows) == 8 + 4 * extra_clients
