"""Issue 19's provider journey in real Chromium: a provider reconciles a remittance with
Commissioned v Actuals and downloads both, with axe (WCAG 2.2 AA) on every page.

The world is the payments tests' (Monday 16 November 2026, weekly periods from 5 October), with
the council self-billing: its runs pay the actuals the provider confirms. Monica Geller's CPLI is
14 hours a week at £16.16 (£226.24 a week); Ross Geller's, agreed here, 10 hours (£161.60).

  Week of 2 November: Monica 14 hours £226.24; Ross 10 hours £161.60.
  Week of 9 November: Monica 12 hours, 2 missed (provider unable to deliver: not paid) £193.92;
                      Ross 10 hours £161.60.

Both periods are confirmed and last week's run (PR20261109, paid today) pays the four weeks:
£743.36 in all, of which Monica's CPLI £226.24 + £193.92 = £420.16. Commissioned v Actuals for
the weeks beginning 2 to 9 November posts the same costs: £420.16 for Monica's CPLI, £743.36 in
all, with its plan of 2 x £226.24 + 2 x £161.60 = £775.68 and Monica's two missed hours
(-£32.32) as the only difference."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from carebridge.actuals.tests.conftest import World, weeks_ago
from carebridge.organisations.models import Council
from carebridge.payments.models import PaymentRun
from carebridge.payments.tests.conftest import clock, confirm, enter, world
from carebridge.payments.tests.runs_support import confirmed_week, finalised_run, self_billing
from carebridge.people import services as people
from tests.browser.conftest import axe_check, new_context
from tests.browser.pages import fill_date, log_in
from tests.browser.reports_support import (
    as_dicts,
    body_rows,
    download,
    header,
    open_report,
    report_events,
    show,
    totals_row,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["clock", "world"]  # the payments tests' fixtures, used by name

COUNCIL = "Ashdown Vale Council"
REFERENCE = "PR20261109"
PAID_ON = "16/11/2026"
LEVEL = "Home Care - Single Assist Fixed Rate"
WEEK_ONE, WEEK_TWO = weeks_ago(2), weeks_ago(1)  # Mondays 2 and 9 November 2026
MONICA_PAID = "420.16"  # 226.24 + 193.92
ALL_PAID = "743.36"  # 420.16 + 2 x 161.60


def _paid_by_a_run(world: World) -> tuple[str, PaymentRun]:
    """Ross agreed, both weeks posted and confirmed, last week's run finalised; Ross's CPLI
    reference."""
    self_billing(world)
    ross = people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref="RG456",
        first_name="Ross",
        last_name="Geller",
        date_of_birth=date(1947, 10, 18),
    )
    (ross_cpli,) = world.agree(world.line("10"), person=ross)
    confirmed_week(world, (world.cpli, "14"), (ross_cpli, "10"), week=WEEK_ONE)
    enter(world, (world.cpli, "12"), week=WEEK_TWO, missed="2", comments="Carer off sick")
    enter(world, (ross_cpli, "10"), week=WEEK_TWO)
    confirm(world, WEEK_TWO)
    run = finalised_run(world)
    assert (run.reference, run.payment_date) == (REFERENCE, date(2026, 11, 16))
    return ross_cpli.care_package_reference, run


def _remittance_line(client: str, ss_ref: str, week: str, ends: str, paid: str) -> list[str]:
    return [
        COUNCIL,
        REFERENCE,
        PAID_ON,
        client,
        ss_ref,
        LEVEL,
        f"Actuals, week of {week}",
        week,
        ends,
        f"£{paid}",
        "£0.00",
        f"£{paid}",
    ]


REMITTANCE = [
    _remittance_line("Monica Geller", "MG123", "02/11/2026", "08/11/2026", "226.24"),
    _remittance_line("Monica Geller", "MG123", "09/11/2026", "15/11/2026", "193.92"),
    _remittance_line("Ross Geller", "RG456", "02/11/2026", "08/11/2026", "161.60"),
    _remittance_line("Ross Geller", "RG456", "09/11/2026", "15/11/2026", "161.60"),
]


def _reads_the_remittance(page: Any) -> None:
    """Remittance advice, filtered to the council and today's payment date: the run's four
    lines and their total."""
    open_report(page, "Remittance advice")
    page.get_by_label("Council").select_option(label=COUNCIL)
    page.get_by_label("Financial year of the payment date").select_option(
        label="Between the dates below"
    )
    fill_date(page, "Paid from", date(2026, 11, 16))
    fill_date(page, "Paid to", date(2026, 11, 16))
    show(page)
    expect(page.get_by_role("heading", level=2, name="4 rows")).to_be_visible()
    assert sorted(body_rows(page)) == REMITTANCE
    assert totals_row(page)[-3:] == [f"£{ALL_PAID}", "£0.00", f"£{ALL_PAID}"]
    axe_check(page)


def _downloads_the_remittance_csv(page: Any) -> None:
    name, raw = download(page, "Download as CSV")
    # The export names the council its Council filter chose (issue 21).
    council = Council.objects.get(name=COUNCIL)
    assert name == f"remittance-advice-{council.slug}-2026-11-16.csv"
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == [
        "Council",
        "Run reference",
        "Payment date",
        "Client",
        "SS Ref",
        "Service level",
        "Paid for",
        "From",
        "To",
        "Excl VAT",
        "VAT",
        "Total",
    ]
    # The CSV carries plain numbers: the page's rows without their pound signs.
    plain = [[cell.removeprefix("£") for cell in row] for row in REMITTANCE]
    assert sorted(lines[1:-1]) == plain
    assert lines[-1] == ["Total", *[""] * 8, ALL_PAID, "0.00", ALL_PAID]
    monica = [Decimal(row[-1]) for row in lines[1:-1] if row[3] == "Monica Geller"]
    assert sum(monica) == Decimal(MONICA_PAID)


def _reconciles_with_commissioned_v_actuals(page: Any, ross_reference: str) -> None:
    """The same weeks' plans and posted costs: Monica's CPLI posted what the remittance paid."""
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Reports").click()
    axe_check(page)
    page.locator("main").get_by_role("link", name="Commissioned v Actuals", exact=True).click()
    axe_check(page)
    page.get_by_label("Council").select_option(label=COUNCIL)
    fill_date(page, "From", WEEK_ONE)
    fill_date(page, "To", WEEK_TWO)
    show(page)
    expect(page.get_by_role("heading", level=2, name="4 rows")).to_be_visible()
    rows = as_dicts(page)
    monica = [row for row in rows if row["Client"] == "Monica Geller"]
    assert [
        (r["Week beginning"], r["Pl"], r["Actual"], r["Msd"], r["Difference"], r["Cost"])
        for r in monica
    ] == [
        ("02/11/2026", "14", "14", "0", "0", "£226.24"),
        ("09/11/2026", "14", "12", "2", "-2", "£193.92"),
    ]
    assert monica[1]["Reasons"] == "Missed: Provider unable to deliver"
    assert monica[1]["Cost difference"] == "-£32.32"
    # One CPLI each: Monica's posted costs are what the remittance paid for her.
    assert len({r["CPLI"] for r in monica}) == 1
    assert sum(Decimal(r["Cost"].removeprefix("£")) for r in monica) == Decimal(MONICA_PAID)
    assert {r["CPLI"].split(" / ")[0] for r in rows if r["Client"] == "Ross Geller"} == {
        ross_reference
    }
    names = header(page)
    totals = dict(zip(names, totals_row(page), strict=True))
    assert (totals["Planned cost"], totals["Cost"], totals["Cost difference"]) == (
        "£775.68",
        f"£{ALL_PAID}",
        "-£32.32",
    )
    axe_check(page)


def _downloads_commissioned_v_actuals_excel(page: Any) -> None:
    """The Excel workbook: typed cells (dates, numbers, money) and the same total."""
    name, raw = download(page, "Download as Excel")
    council = Council.objects.get(name=COUNCIL)  # the report's Council filter (issue 21)
    assert name == f"commissioned-v-actuals-{council.slug}-2026-11-16.xlsx"
    sheet = load_workbook(io.BytesIO(raw))["Report"]
    rows = list(sheet.iter_rows(values_only=False))
    names = [cell.value for cell in rows[0]]
    week, client, cost = names.index("Week beginning"), names.index("Client"), names.index("Cost")
    lines, last = rows[1:-1], rows[-1]
    assert len(lines) == 4
    monica = [row for row in lines if row[client].value == "Monica Geller"]
    # Dates are real dates (openpyxl reads them back as datetimes at midnight).
    assert all(isinstance(row[week].value, datetime) for row in lines)
    assert [row[week].value.date() for row in monica] == [WEEK_ONE, WEEK_TWO]
    assert {row[week].number_format for row in lines} == {"DD/MM/YYYY"}
    assert {row[cost].number_format for row in lines} == {"£#,##0.00"}
    assert all(isinstance(row[cost].value, int | float) for row in lines)
    assert sum(Decimal(str(row[cost].value)) for row in monica) == Decimal(MONICA_PAID)
    assert last[0].value == "Total"
    assert Decimal(str(last[cost].value)) == Decimal(ALL_PAID)


def test_a_provider_reconciles_a_remittance_with_commissioned_v_actuals_and_downloads_both(
    chromium: Any, live_server: Any, world: World
) -> None:
    ross_reference, _run = _paid_by_a_run(world)
    reader = world.carer  # the provider's Super User (Actuals)
    context = new_context(chromium)
    page = context.new_page()
    log_in(page, live_server.url, reader.email)

    _reads_the_remittance(page)
    _downloads_the_remittance_csv(page)
    _reconciles_with_commissioned_v_actuals(page, ross_reference)
    _downloads_commissioned_v_actuals_excel(page)
    context.close()

    # Each page shown and each download is in the provider's log, with the rows it carried
    # (the first visit shows this financial year's payments: the same four lines).
    assert report_events(reader, "remittance-advice") == [
        ("reports.report_viewed", None, 4),
        ("reports.report_viewed", None, 4),
        ("reports.report_downloaded", "csv", 4),
    ]
    cva = report_events(reader, "commissioned-v-actuals")
    assert cva[-2:] == [
        ("reports.report_viewed", None, 4),
        ("reports.report_downloaded", "xlsx", 4),
    ]
