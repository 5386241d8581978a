"""A report's table as the page shows it and as CSV, Excel and PDF, from the same rows.

CSV streams row by row; Excel is written by openpyxl's write-only workbook (rows go to disk as
they come, so a county's year takes little memory) with typed cells: numbers as numbers, money
in pounds, dates as dates, shares as percentages; the PDF (ReportLab) carries the same rows and
totals under the same headings. Text in CSV and Excel is made formula-safe
(`contracts.exports.neutralise`): clients' names and references come from outside the council."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.html import escape as html_escape
from django.utils.safestring import SafeString, mark_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from carebridge.contracts.exports import neutralise
from carebridge.core.formats import guide_date, money
from carebridge.reports.base import Cell, Column, Kind, Row, Table, Totals

NUMBER_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.MONEY: "£#,##0.00",
    Kind.DATE: "DD/MM/YYYY",
    Kind.PERCENT: "0.0%",
    Kind.NUMBER: "#,##0.0#",
}


def shown(column: Column, value: Cell) -> str:
    """A cell as the page and the PDF show it: "£1,234.56", "1,234", "85.5%", "22/05/2018"."""
    if value is None:
        return ""
    kind = column.kind
    if kind is Kind.MONEY and isinstance(value, Decimal):
        return money(value)
    if kind is Kind.COUNT and isinstance(value, int):
        return f"{value:,}"
    if kind is Kind.PERCENT:
        return f"{Decimal(value):.1f}%"  # type: ignore[arg-type]
    if kind is Kind.NUMBER:
        return f"{Decimal(value):,.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    if isinstance(value, date):
        return guide_date(value)
    return str(value)


def plain(column: Column, value: Cell) -> str:
    """A cell as CSV carries it: numbers without separators or signs a program would trip on."""
    if value is None:
        return ""
    if column.kind is Kind.MONEY:
        return f"{Decimal(value):.2f}"  # type: ignore[arg-type]
    if column.kind is Kind.PERCENT:
        return f"{Decimal(value):.1f}"  # type: ignore[arg-type]
    if isinstance(value, date):
        return guide_date(value)
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table, totals: Totals) -> Iterator[str]:
    """The table as CSV, one line at a time; the totals row last, when there is one."""
    writer = csv.writer(_Echo())
    columns = table.columns
    yield "\ufeff"  # so Excel reads the file as UTF-8 (accents, the pound sign)
    yield writer.writerow([column.label for column in columns])
    for row in totals.through(table.rows):
        yield writer.writerow([plain(c, v) for c, v in zip(columns, row.cells, strict=True)])
    last = totals.cells()
    if last is not None:
        yield writer.writerow([plain(c, v) for c, v in zip(columns, last, strict=True)])


def _typed(sheet: object, column: Column, value: Cell, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, str):
        value = neutralise(value)
    elif column.kind is Kind.PERCENT and value is not None:
        value = Decimal(value) / 100  # type: ignore[arg-type]
    cell = WriteOnlyCell(sheet, value=value)
    if column.kind in NUMBER_FORMATS and value is not None and not isinstance(value, str):
        cell.number_format = NUMBER_FORMATS[column.kind]
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_file(
    title: str, table: Table, totals: Totals, about: Sequence[tuple[str, str]]
) -> tempfile.SpooledTemporaryFile[bytes]:
    """The table as an Excel workbook: the report on its first sheet, with what it covers (its
    filters, the council's rules it follows) on a second. Returned as a file positioned at 0."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Report")
    for i, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_typed(sheet, Column(c.label), c.label, bold=True) for c in table.columns])
    for row in totals.through(table.rows):
        sheet.append([_typed(sheet, c, v) for c, v in zip(table.columns, row.cells, strict=True)])
    last = totals.cells()
    if last is not None:
        sheet.append(
            [_typed(sheet, c, v, bold=True) for c, v in zip(table.columns, last, strict=True)]
        )
    info = workbook.create_sheet(title="About")
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 80
    text = Column("")
    info.append([_typed(info, text, title, bold=True)])
    for label, value in about:
        info.append([_typed(info, text, label), _typed(info, text, value)])
    # Handed to the response, which closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return out


_PDF_FONT, _PDF_SIZE, _PDF_PADDING = "Helvetica", 7, 6


def _pdf_cell(column: Column, value: Cell, width: float) -> str:
    """A cell's text, broken into lines that fit its column. Plain text with line breaks: a
    Paragraph per cell would do the same at many times the cost over a county's rows."""
    text = shown(column, value)
    if column.kind is not Kind.TEXT or stringWidth(text, _PDF_FONT, _PDF_SIZE) <= width:
        return text
    return "\n".join(simpleSplit(text, _PDF_FONT, _PDF_SIZE, width))


def pdf_bytes(title: str, table: Table, totals: Totals, about: Sequence[tuple[str, str]]) -> bytes:
    """The table as an A4 landscape PDF: the title, what it covers, then the rows under headings
    repeated on every page, and the totals in bold."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    columns = table.columns
    weight = sum(c.width for c in columns)
    widths = [document.width * c.width / weight for c in columns]
    room = [width - _PDF_PADDING * 2 for width in widths]
    data: list[list[object]] = [[Paragraph(f"<b>{escape(c.label)}</b>", small) for c in columns]]
    data += [
        [_pdf_cell(c, v, w) for c, v, w in zip(columns, row.cells, room, strict=True)]
        for row in totals.through(table.rows)
    ]
    last = totals.cells()
    if last is not None:
        data.append([shown(c, v) for c, v in zip(columns, last, strict=True)])
    if len(data) == 1:
        data.append([table.empty, *[""] * (len(columns) - 1)])
    grid = LongTable(data, colWidths=widths, repeatRows=1)
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), _PDF_FONT, _PDF_SIZE, _PDF_SIZE + 1.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
    ]
    for i, column in enumerate(columns):
        if column.numeric:
            commands.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
    if last is not None:
        commands.append(("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"))
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black))
    grid.setStyle(TableStyle(commands))
    story: list[object] = [Paragraph(escape(title), styles["Title"])]
    story += [Paragraph(f"<b>{escape(k)}:</b> {escape(v)}", styles["BodyText"]) for k, v in about]
    story += [Spacer(1, 4 * mm), grid]
    document.build(story)
    return out.getvalue()


def _cell(text: str, numeric: bool, *, strong: bool = False) -> str:
    css = "govuk-table__cell govuk-table__cell--numeric" if numeric else "govuk-table__cell"
    inner = f"<strong>{html_escape(text)}</strong>" if strong else html_escape(text)
    return f'<td class="{css}">{inner}</td>'


def page_rows(columns: Sequence[Column], rows: Sequence[Row]) -> list[list[tuple[str, bool]]]:
    """Rows as the page shows them: each cell's text and whether it is a number (right-aligned)."""
    return [
        [(shown(c, v), c.numeric) for c, v in zip(columns, row.cells, strict=True)] for row in rows
    ]


def table_html(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[tuple[str, bool]]],
    totals: Sequence[tuple[str, bool]] | None,
) -> SafeString:
    """The page's table (`page_rows` of the page's rows, and the totals of every row) in GOV.UK
    Frontend's markup. Built here rather than by the template's loops, which took most of a
    report page's time (a page of 50 rows in 18 columns is 900 cells); every text is escaped."""
    head = "".join(
        '<th scope="col" class="govuk-table__header'
        + (' govuk-table__header--numeric">' if c.numeric else '">')
        + html_escape(c.label)
        + "</th>"
        for c in columns
    )
    body = "".join(
        '<tr class="govuk-table__row">' + "".join(_cell(t, n) for t, n in row) + "</tr>"
        for row in rows
    )
    foot = ""
    if totals is not None:
        cells = "".join(_cell(t, n, strong=True) for t, n in totals)
        foot = f'<tfoot><tr class="govuk-table__row">{cells}</tr></tfoot>'
    return mark_safe(  # noqa: S308 (every text in it is escaped above)
        '<table class="govuk-table govuk-table--small-text-until-tablet">'
        f'<caption class="govuk-table__caption govuk-visually-hidden">{html_escape(title)}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{body}</tbody>{foot}</table>'
    )
