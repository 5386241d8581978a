"""The CPLI list as a spreadsheet (CSV or Excel), with the columns the page shows.

A client's name or a reference comes from people outside the organisation, so no text cell may
start a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from carebridge.contracts.models import Cpli
from carebridge.core.formats import guide_date

HEADERS = [
    "Client",
    "SS Ref",
    "Provider",
    "Service",
    "Service level",
    "Details",
    "Weekly cost",
    "Start date",
    "End date",
    "Care package reference",
    "Status",
]
MONEY_FORMAT = "£#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | Decimal | date | None


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading single quote."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def cpli_row(cpli: Cpli) -> list[Cell]:
    """One CPLI as the export's cells: text neutralised, money and dates as themselves."""
    return [
        neutralise(cpli.service_user.full_name),
        neutralise(cpli.service_user.ss_ref),
        neutralise(cpli.service.provider.name),
        neutralise(cpli.service.name),
        neutralise(cpli.service_level.name),
        neutralise(cpli.description),
        cpli.weekly_cost,
        cpli.start_date,
        cpli.end_date,
        neutralise(cpli.care_package_reference),
        cpli.shown_status_label,
    ]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return guide_date(value)
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def cplis_csv(cplis: Iterable[Cpli]) -> Iterator[str]:
    """The CSV, line by line, so a long list streams rather than being held in memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8 (names with accents, the pound sign)
    yield writer.writerow(HEADERS)
    for cpli in cplis:
        yield writer.writerow([_csv_cell(cell) for cell in cpli_row(cpli)])


def cplis_xlsx(cplis: Iterable[Cpli]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "CPLIs"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cpli in cplis:
        sheet.append(cpli_row(cpli))
        row = sheet.max_row
        sheet.cell(row=row, column=7).number_format = MONEY_FORMAT
        for column in (8, 9):
            sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    for letter, width in zip(
        "ABCDEFGHIJK", (28, 12, 24, 24, 36, 30, 12, 12, 12, 20, 18), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
