"""The CPLI list as a spreadsheet (CSV or Excel), with the columns the page shows; `table_csv`
and `table_xlsx` write any list's rows the same way (the council's review of a provider's
actuals uses them too).

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
from openpyxl.utils import get_column_letter

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

Cell = str | int | Decimal | date | None


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
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def table_csv(headers: list[str], rows: Iterable[list[Cell]]) -> Iterator[str]:
    """A table as CSV, line by line, so a long list streams rather than being held in memory.
    The caller's rows have their text already neutralised (`neutralise`)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8 (names with accents, the pound sign)
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_csv_cell(cell) for cell in row])


def table_xlsx(
    title: str,
    headers: list[str],
    rows: Iterable[list[Cell]],
    *,
    widths: tuple[int, ...],
    money_columns: tuple[int, ...] = (),
) -> bytes:
    """A table as an Excel sheet with typed cells: numbers as numbers (the 1-based
    `money_columns` in pounds), dates as dates; the caller's text already neutralised."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(values)
        row = sheet.max_row
        for column in money_columns:
            sheet.cell(row=row, column=column).number_format = MONEY_FORMAT
        for column, value in enumerate(values, start=1):
            if isinstance(value, date):
                sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def cplis_csv(cplis: Iterable[Cpli]) -> Iterator[str]:
    return table_csv(HEADERS, (cpli_row(cpli) for cpli in cplis))


def cplis_xlsx(cplis: Iterable[Cpli]) -> bytes:
    return table_xlsx(
        "CPLIs",
        HEADERS,
        (cpli_row(cpli) for cpli in cplis),
        widths=(28, 12, 24, 24, 36, 30, 12, 12, 12, 20, 18),
        money_columns=(7,),
    )
