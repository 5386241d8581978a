"""An invoice as a CSV file and as a PDF, for its provider and (once submitted) its council; each
download is audited, as its lines name the provider's clients.

A client's name or a reference comes from people outside the organisation, so no CSV text cell
may start a formula when the file is opened in a spreadsheet (`contracts.exports.neutralise`)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carebridge.contracts.exports import neutralise
from carebridge.core.formats import guide_date, guide_datetime, money, round_money
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.payments import selectors, services
from carebridge.payments.access import invoice_for
from carebridge.payments.models import Invoice, InvoiceLine

CSV_HEADERS = [
    "Invoice reference",
    "Kind",
    "Status",
    "Council",
    "Provider",
    "Service",
    "Period start",
    "Period end",
    "Invoice date",
    "Client",
    "SS Ref",
    "Service level",
    "Week",
    "Description",
    "Quantity",
    "Rate",
    "Amount",
    "VAT rate",
    "VAT",
    "Over exception",
]
LINE_HEADERS = [
    "Client",
    "SS Ref",
    "Service level",
    "Week",
    "Quantity",
    "Rate",
    "Amount",
    "VAT rate",
    "Over exception",
]


def _line_vat(line: InvoiceLine) -> Decimal:
    # Rounded once at the line, as selectors.invoice_totals adds them up.
    return round_money(line.amount * line.vat_rate / 100)


def _who(line: InvoiceLine) -> tuple[str, str, str, date | None]:
    """Client, SS Ref, service level and week; a one-off claim's item has only its description."""
    if line.actual is None:
        return line.description, "", "", None
    person = line.actual.service_user
    level = line.cpli.service_level.name if line.cpli is not None else ""
    return person.full_name, person.ss_ref, level, line.actual.week_start


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _csv_rows(invoice: Invoice, lines: list[InvoiceLine]) -> list[list[str]]:
    head = [
        neutralise(invoice.reference),
        invoice.get_kind_display(),
        invoice.get_status_display(),
        neutralise(invoice.council.name),
        neutralise(invoice.provider.name),
        neutralise(invoice.service.name),
        guide_date(invoice.period.start_date),
        guide_date(invoice.period.end_date),
        guide_date(invoice.invoice_date),
    ]
    rows = []
    for line in lines:
        client, ss_ref, level, week = _who(line)
        rows.append(
            [
                *head,
                neutralise(client if line.actual is not None else ""),
                neutralise(ss_ref),
                neutralise(level),
                guide_date(week),
                neutralise(line.description),
                _plain(line.quantity),
                f"{line.rate:.2f}",
                f"{line.amount:.2f}",
                _plain(line.vat_rate),
                f"{_line_vat(line):.2f}",
                "Yes" if line.over_exception else "No",
            ]
        )
    return rows


def invoice_csv_text(invoice: Invoice, lines: list[InvoiceLine]) -> str:
    """The invoice as CSV: one row per line, each with the invoice's own details."""
    out = io.StringIO()
    out.write("\ufeff")  # so Excel reads the file as UTF-8 (names with accents, the pound sign)
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    writer.writerows(_csv_rows(invoice, lines))
    return out.getvalue()


def _file_name(invoice: Invoice, extension: str) -> str:
    # The reference is the provider's own text: only safe characters reach the header.
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", invoice.reference).strip("-.") or str(invoice.pk)
    return f"invoice-{safe}.{extension}"


def _para(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text), style)


def _summary(invoice: Invoice, body: Any) -> Table:
    rows = [
        ("Council", invoice.council.name),
        ("Provider", invoice.provider.name),
        ("Service", invoice.service.name),
        (
            "Period",
            f"{guide_date(invoice.period.start_date)} to {guide_date(invoice.period.end_date)}",
        ),
        ("Invoice date", guide_date(invoice.invoice_date)),
        ("Status", invoice.get_status_display()),
        ("Created", guide_datetime(invoice.created_at)),
    ]
    if invoice.corrects is not None:
        rows.append(("Corrects", invoice.corrects.reference))
    table = Table(
        [[_para(key, body), _para(value, body)] for key, value in rows], colWidths=[45 * mm, None]
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines_table(lines: list[InvoiceLine], body: Any) -> Table:
    data: list[list[Any]] = [[_para(text, body) for text in LINE_HEADERS]]
    for line in lines:
        client, ss_ref, level, week = _who(line)
        data.append(
            [
                _para(client, body),
                _para(ss_ref, body),
                _para(level, body),
                guide_date(week),
                _plain(line.quantity),
                money(line.rate),
                money(line.amount),
                f"{_plain(line.vat_rate)}%",
                "Yes" if line.over_exception else "",
            ]
        )
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("ALIGN", (4, 1), (7, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def invoice_pdf_bytes(invoice: Invoice, lines: list[InvoiceLine]) -> bytes:
    """The invoice as a PDF: its details, its lines, and Excl VAT, VAT and Total."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = f"{invoice.get_kind_display()} {invoice.reference}"
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author=invoice.provider.name,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    excl, vat, total = selectors.invoice_totals(invoice)
    totals = Table(
        [["Excl VAT", money(excl)], ["VAT", money(vat)], ["Total", money(total)]],
        colWidths=[45 * mm, 40 * mm],
        hAlign="LEFT",
    )
    totals.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    pdf.build(
        [
            _para(title, styles["Title"]),
            _summary(invoice, body),
            Spacer(1, 6 * mm),
            _lines_table(lines, body),
            Spacer(1, 6 * mm),
            totals,
        ]
    )
    return buffer.getvalue()


def _downloaded(request: HttpRequest, pk: int, fmt: str) -> tuple[Invoice, list[InvoiceLine]]:
    user = acting_user(request)
    require_function(user, Function.INVOICES)
    invoice = invoice_for(user, pk)
    services.invoice_viewed(
        invoice=invoice, by=user, downloaded=fmt, ip=request.META.get("REMOTE_ADDR")
    )
    return invoice, list(selectors.invoice_lines(invoice))


@require_GET
def invoice_csv(request: HttpRequest, pk: int) -> HttpResponse:
    invoice, lines = _downloaded(request, pk, "csv")
    response = HttpResponse(
        invoice_csv_text(invoice, lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_file_name(invoice, "csv")}"'
    return response


@require_GET
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice, lines = _downloaded(request, pk, "pdf")
    response = HttpResponse(invoice_pdf_bytes(invoice, lines), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(invoice, "pdf")}"'
    return response
