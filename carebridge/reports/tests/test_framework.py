"""The report framework itself (base, filters, render, views), through a report made for these
tests only: hand-made rows with formula-like text, a missing cell, money with pennies, hours,
counts, a share and dates, of two councils. Every figure below is worked out by hand from
ROWS, never by the code under test."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from openpyxl import load_workbook

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.organisations.models import Council
from carebridge.reports.base import REGISTRY, Column, Kind, Report, Row, Table, register
from carebridge.reports.filters import ReportFilters, council_field
from tests.support import client_for, make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

SLUG = "framework-test-report"
COUNCIL_SLUG = "framework-test-council-report"
COLUMNS = (
    Column("Council"),
    Column("Client"),
    Column("Week", Kind.DATE),
    Column("Paid", Kind.MONEY, total=True),
    Column("Hours", Kind.NUMBER, total=True),
    Column("Visits", Kind.COUNT, total=True),
    Column("On time", Kind.PERCENT),
)
# (council "A" or "B", client, week, paid, hours, visits, on time): two rows of A, three of B.
ROWS: list[tuple[str, str | None, date, Any, Any, Any, Any]] = [
    ("A", "=HYPERLINK(1)", date(2026, 4, 6), Decimal("0.10"), Decimal("1.5"), 3, Decimal("50.0")),
    ("A", "+44 161 496", date(2026, 4, 13), Decimal("0.20"), Decimal("2.25"), 4, Decimal("75.5")),
    ("B", "-Minus", date(2026, 4, 20), Decimal("1234.56"), Decimal("0.25"), 1, Decimal("100")),
    ("B", "@Ada", date(2026, 4, 27), Decimal("0.01"), Decimal("10"), 0, Decimal("0.0")),
    ("B", None, date(2026, 5, 4), None, None, None, None),
]
# By hand: 0.10 + 0.20 + 1234.56 + 0.01 = 1234.87; 1.5 + 2.25 + 0.25 + 10 = 14; 3+4+1+0 = 8.
FORMATS = ("csv", "xlsx", "pdf")
GIVEN_TOTALS = ("All", None, None, Decimal("99.99"), None, 42, Decimal("12.5"))


class Filters(ReportFilters):
    # Extra rows after the hand-made ones, "Filler 001" onwards, £1.00 and one visit each.
    # A first visit shows 100 of them, so its defaults span three pages.
    extra = forms.IntegerField(
        label="Extra rows", required=False, min_value=0, max_value=1000, initial=100
    )
    given = forms.BooleanField(label="Given totals", required=False)
    q = forms.CharField(label="Client", required=False, max_length=50)

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["council"] = council_field(user)


@dataclass
class World:
    a: Council
    b: Council
    provider_user: User
    officer: User  # a payments officer of council A

    def url(self, query: str = "", slug: str = SLUG, fmt: str = "") -> str:
        path = f"/reports/{slug}/download.{fmt}" if fmt else f"/reports/{slug}/"
        return f"{path}?{query}" if query else path


def _rows(world: World, filters: Mapping[str, Any], only: int | None) -> Iterator[Row]:
    councils = {"A": world.a.pk, "B": world.b.pk}
    for council, *cells in ROWS:
        if only is None or councils[council] == only:
            name = world.a.name if council == "A" else world.b.name
            yield Row((name, *cells), council_id=councils[council])
    for n in range(1, (filters.get("extra") or 0) + 1):
        filler = (f"Filler {n:03d}", date(2026, 6, 1), Decimal("1.00"), None, 1, None)
        yield Row((world.a.name, *filler), council_id=world.a.pk)


@pytest.fixture
def world() -> Iterator[World]:
    a, b = make_council("Ashcombe Borough Council"), make_council("Brindle County Council")
    provider = make_provider("Harebell Home Care")
    make_contract(a, provider)
    make_contract(b, provider)
    made = World(
        a=a,
        b=b,
        provider_user=make_user(provider=provider, role="super_user_scheduled"),
        officer=make_user(council=a, role="payments_officer"),
    )

    def build(user: User, filters: Mapping[str, Any]) -> Table:
        given = GIVEN_TOTALS if filters.get("given") else None
        only = filters.get("council") if user.provider_id else user.council_id
        return Table(COLUMNS, _rows(made, filters, only), totals=given, notes=["Test rules."])

    reports = [
        Report(SLUG, "Framework test", "Hand-made rows.", "provider", "Tests", Filters, build),
        Report(COUNCIL_SLUG, "Council test", "Its rows.", "council", "Tests", Filters, build),
    ]
    for report in reports:
        register(report)
    try:
        yield made
    finally:
        for report in reports:
            REGISTRY.pop(report.slug, None)


def _get(user: User, url: str) -> Any:
    return client_for(user).get(url)


def _csv(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _values(cells: Any) -> list[Any]:
    """A worksheet row's values; a date cell (which openpyxl reads as a datetime at midnight)
    as its day."""
    return [c.value.date() if isinstance(c.value, datetime) else c.value for c in cells]


def _pdf_text(content: bytes) -> list[str]:
    """The text shown on the PDF's pages, one string per `Tj`: ReportLab writes each page's
    content stream ASCII85- and Flate-encoded, its text in WinAnsi (the project has neither
    pypdf nor pdfminer, so this reads ReportLab's own output only)."""
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)~>endstream", content, re.S):
        page = zlib.decompress(base64.a85decode(stream))
        for text in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", page, re.S):
            text = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), text)
            shown.append(re.sub(rb"\\(.)", rb"\1", text).decode("cp1252"))
    return shown


def _cells(page: str) -> list[list[str]]:
    """The body rows of the page's table, each cell's text."""
    body = re.search(r'<tbody class="govuk-table__body">(.*?)</tbody>', page, re.S)
    assert body is not None
    return [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def _footer(page: str) -> list[str]:
    foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S)
    assert foot is not None
    return re.findall(r"<strong>(.*?)</strong>", foot.group(1))


def _events(action: str) -> list[tuple[int | None, dict[str, Any]]]:
    return sorted((event.council_id, event.detail) for event in Event.objects.filter(action=action))


# --- The page ---------------------------------------------------------------------------------


def test_the_page_totals_money_to_the_penny_and_shows_each_kind_of_cell(world):
    page = _get(world.provider_user, world.url("extra=0")).content.decode()

    assert _cells(page)[0] == [
        "Ashcombe Borough Council", "=HYPERLINK(1)", "06/04/2026", "£0.10", "1.5", "3", "50.0%"
    ]  # fmt: skip
    assert _cells(page)[4] == ["Brindle County Council", "", "04/05/2026", "", "", "", ""]
    assert _footer(page) == ["Total", "", "", "£1,234.87", "14", "8", ""]
    assert "5 rows" in page and "Test rules." in page


def test_the_page_shows_the_totals_a_table_gives_rather_than_sums(world):
    page = _get(world.provider_user, world.url("extra=0&given=on")).content.decode()

    assert _footer(page) == ["All", "", "", "£99.99", "", "42", "12.5%"]


def test_a_provider_sees_one_councils_rows_when_it_chooses_that_council(world):
    page = _get(world.provider_user, world.url(f"extra=0&council={world.b.pk}")).content.decode()

    assert [row[1] for row in _cells(page)] == ["-Minus", "@Ada", ""]
    assert _footer(page) == ["Total", "", "", "£1,234.57", "10.25", "1", ""]


def test_page_two_shows_rows_51_on_and_the_totals_of_every_row(world):
    page = _get(world.provider_user, world.url("extra=100&page=2")).content.decode()

    clients = [row[1] for row in _cells(page)]
    # Rows 1 to 5 are the hand-made ones, so row 51 is Filler 046 and row 100 Filler 095.
    assert clients[0] == "Filler 046" and clients[-1] == "Filler 095" and len(clients) == 50
    # 1234.87 + 100 fillers at £1.00; 8 visits + 100.
    assert _footer(page) == ["Total", "", "", "£1,334.87", "14", "108", ""]
    assert "105 rows" in page and "The totals are of every row" in page


def test_the_next_page_of_a_first_visit_keeps_the_default_filters(world):
    first = _get(world.provider_user, world.url()).content.decode()
    link = re.search(r'href="(\?[^"]*)" rel="next"', first)
    assert link is not None and "105 rows" in first

    second = _get(world.provider_user, world.url() + link.group(1).replace("&amp;", "&"))

    assert _cells(second.content.decode())[0][1] == "Filler 046"


def test_invalid_filters_show_the_error_summary_on_the_page_and_refuse_the_download(world):
    page = _get(world.provider_user, world.url("extra=lots"))
    download = _get(world.provider_user, world.url("extra=lots", fmt="csv"))

    assert page.status_code == 200
    assert 'class="govuk-error-summary"' in page.content.decode()
    assert "<tbody" not in page.content.decode()
    assert download.status_code == 400
    assert "Extra rows" in download.content.decode() or "extra" in download.content.decode()
    assert not Event.objects.filter(action__startswith="reports.").exists()


@pytest.mark.parametrize("query", ["q=%00", "q=Ada%00Lovelace", "extra=%00", "council=%00"])
def test_a_nul_in_the_query_string_is_ignored_as_the_middleware_does_and_nothing_fails(
    world, query
):
    page = _get(world.provider_user, world.url(query))
    downloads = [_get(world.provider_user, world.url(query, fmt=fmt)) for fmt in FORMATS]

    # The parameter with the NUL is dropped: the first visit's 100 fillers and 5 rows.
    assert page.status_code == 200 and "105 rows" in page.content.decode()
    assert [response.status_code for response in downloads] == [200, 200, 200]


@pytest.mark.parametrize(
    "query",
    ["q=" + "x" * 100_000, "extra=" + "9" * 5000, "extra=-1", "council=999999999999999999999"],
    ids=["huge-text", "huge-number", "negative", "huge-choice"],
)
def test_a_huge_value_is_an_error_on_the_page_and_a_refused_download(world, query):
    page = _get(world.provider_user, world.url(query))
    downloads = [_get(world.provider_user, world.url(query, fmt=fmt)) for fmt in FORMATS]

    assert page.status_code == 200 and 'class="govuk-error-summary"' in page.content.decode()
    assert [response.status_code for response in downloads] == [400, 400, 400]


def test_too_many_query_parameters_are_refused(world):
    query = "&".join(f"f{n}=1" for n in range(1100))

    for fmt in ("", *FORMATS):
        assert _get(world.provider_user, world.url(query, fmt=fmt)).status_code == 400


# --- Who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/reports/no-such-report/", "/reports/no-such-report/download.csv"]
)
def test_an_unknown_report_is_not_found(world, url):
    assert _get(world.provider_user, url).status_code == 404


@pytest.mark.parametrize("fmt", ["docx", "CSV", "csv.exe", "json"])
def test_an_unknown_format_is_not_found(world, fmt):
    assert _get(world.provider_user, world.url("extra=0", fmt=fmt)).status_code == 404


def test_a_provider_user_may_not_open_a_council_report_nor_a_council_officer_a_providers(world):
    for url in (world.url(slug=COUNCIL_SLUG), world.url(slug=COUNCIL_SLUG, fmt="pdf")):
        assert _get(world.provider_user, url).status_code == 403
    for url in (world.url(), world.url(fmt="xlsx")):
        assert _get(world.officer, url).status_code == 403
    assert not Event.objects.filter(action__startswith="reports.").exists()
    assert _get(world.officer, world.url("extra=0", slug=COUNCIL_SLUG)).status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(world):
    response = Client().get(world.url("extra=0", fmt="csv"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The downloads ----------------------------------------------------------------------------

CSV_ROWS = [
    ["Council", "Client", "Week", "Paid", "Hours", "Visits", "On time"],
    ["Ashcombe Borough Council", "'=HYPERLINK(1)", "06/04/2026", "0.10", "1.5", "3", "50.0"],
    ["Ashcombe Borough Council", "'+44 161 496", "13/04/2026", "0.20", "2.25", "4", "75.5"],
    ["Brindle County Council", "'-Minus", "20/04/2026", "1234.56", "0.25", "1", "100.0"],
    ["Brindle County Council", "'@Ada", "27/04/2026", "0.01", "10", "0", "0.0"],
    ["Brindle County Council", "", "04/05/2026", "", "", "", ""],
    ["Total", "", "", "1234.87", "14.00", "8", ""],
]


def test_the_csv_carries_every_row_formula_safe_and_the_totals_last(world):
    response = _get(world.provider_user, world.url("extra=0", fmt="csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        rf'attachment; filename="{SLUG}-\d{{4}}-\d{{2}}-\d{{2}}\.csv"',
        response["Content-Disposition"],
    )
    assert _csv(response) == CSV_ROWS


def test_the_csv_carries_the_totals_a_table_gives(world):
    rows = _csv(_get(world.provider_user, world.url("extra=0&given=on", fmt="csv")))

    assert rows[-1] == ["All", "", "", "99.99", "", "42", "12.5"]


def test_the_workbook_has_the_same_rows_in_typed_cells_formula_safe(world):
    response = _get(world.provider_user, world.url("extra=0", fmt="xlsx"))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows())

    assert [cell.value for cell in rows[0]] == CSV_ROWS[0]
    first = rows[1]
    assert _values(first) == [
        "Ashcombe Borough Council", "'=HYPERLINK(1)", date(2026, 4, 6), 0.1, 1.5, 3, 0.5
    ]  # fmt: skip
    assert first[2].is_date and first[2].number_format == "DD/MM/YYYY"
    assert first[3].number_format == "£#,##0.00" and first[6].number_format == "0.0%"
    assert first[5].number_format == "#,##0"
    assert [cell.value for cell in rows[2]][1] == "'+44 161 496"
    assert _values(rows[3])[1:4] == ["'-Minus", date(2026, 4, 20), 1234.56]
    assert [cell.value for cell in rows[4]][1] == "'@Ada"
    assert _values(rows[5]) == [
        "Brindle County Council", None, date(2026, 5, 4), None, None, None, None
    ]  # fmt: skip
    total = [cell.value for cell in rows[6]]
    assert total == ["Total", None, None, 1234.87, 14, 8, None]
    assert rows[6][3].font.bold and rows[6][3].number_format == "£#,##0.00"
    assert len(rows) == 7
    about = dict(
        row[:2]
        for row in load_workbook(io.BytesIO(content)).worksheets[1].iter_rows(values_only=True)
        if len(row) > 1
    )
    assert about["Rules"] == "Test rules." and about["Extra rows"] == "0"


def test_the_pdf_carries_the_same_rows_and_totals_as_the_page_shows_them(world):
    response = _get(world.provider_user, world.url("extra=0", fmt="pdf"))
    content = response.content

    assert response["Content-Type"] == "application/pdf" and content.startswith(b"%PDF-")
    assert content.count(b"/Type /Page\n") == 1
    text = _pdf_text(content)
    assert text[0] == "Framework test"
    table = text[text.index("Council") :]
    assert table[:7] == ["Council", "Client", "Week", "Paid", "Hours", "Visits", "On time"]
    # The hand-made rows as the page shows them (a PDF runs nothing: no quote is needed).
    assert table[7:14] == [
        "Ashcombe Borough Council", "=HYPERLINK(1)", "06/04/2026", "£0.10", "1.5", "3", "50.0%"
    ]  # fmt: skip
    assert "-Minus" in table and "@Ada" in table and "£1,234.56" in table
    assert table[-4:] == ["Total", "£1,234.87", "14", "8"]


def test_a_long_pdf_runs_over_several_pages_with_its_totals_on_the_last(world):
    content = _get(world.provider_user, world.url("extra=300", fmt="pdf")).content

    assert content.count(b"/Type /Page\n") > 1
    text = _pdf_text(content)
    assert "Filler 300" in text
    # 1234.87 + 300 fillers at £1.00; 8 + 300 visits.
    assert text[-4:] == ["Total", "£1,534.87", "14", "308"]


# --- The audit --------------------------------------------------------------------------------


def test_every_page_view_is_audited_per_council_with_its_rows(world):
    _get(world.provider_user, world.url("extra=0"))

    assert _events("reports.report_viewed") == [
        (world.a.pk, {"report": SLUG, "count": 2}),
        (world.b.pk, {"report": SLUG, "count": 3}),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_every_download_is_audited_per_council_with_its_rows_and_format(world, fmt):
    _get(world.provider_user, world.url("extra=10", fmt=fmt))

    assert _events("reports.report_downloaded") == [
        (world.a.pk, {"report": SLUG, "format": fmt, "count": 12}),
        (world.b.pk, {"report": SLUG, "format": fmt, "count": 3}),
    ]


def test_a_csv_download_is_audited_once_it_has_been_sent(world):
    response = _get(world.provider_user, world.url(f"extra=0&council={world.a.pk}", fmt="csv"))
    assert not Event.objects.filter(action="reports.report_downloaded").exists()

    assert len(_csv(response)) == 1 + 2 + 1

    assert _events("reports.report_downloaded") == [
        (world.a.pk, {"report": SLUG, "format": "csv", "count": 2})
    ]


def test_a_council_report_is_audited_in_the_officers_council(world):
    _get(world.officer, world.url("extra=0", slug=COUNCIL_SLUG))

    assert _events("reports.report_viewed") == [
        (world.a.pk, {"report": COUNCIL_SLUG, "count": 2}),
    ]
