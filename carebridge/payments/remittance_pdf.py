"""A remittance advice as a PDF and as CSV: what one finalised run paid one provider, per client
and CPLI, with Excl VAT, VAT and Total (Stockport section 15's "Remittance Advice Provider
Payments"). The PDF is built like an invoice's (views/downloads.py, whose helpers it shares);
the CSV's text cells are made formula-safe (`contracts.exports.neutralise`), as clients' names
and references come from outside the organisation."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from carebridge.contracts.exports import Cell, neutralise, table_csv
from carebridge.core.formats import guide_date, money
from carebridge.payments.models import PaymentLine
from carebridge.payments.selectors.remittances import Remittance
from carebridge.payments.views.downloads import _para

CSV_HEADERS = [
    "Council",
    "Provider",
    "Run reference",
    "Payment date",
    "Client",
    "SS Ref",
    "Service level",
    "Contract",
    "Paid for",
    "From",
    "To",
    "Excl VAT",
    "VAT",
    "Total",
]
LINE_HEADERS = ["Service level", "Paid for", "From", "To", "Excl VAT", "VAT", "Total"]


def _level(line: PaymentLine) -> str:
    return line.cpli.service_level.name if line.cpli is not None else ""


def remittance_csv_rows(remittance: Remittance) -> Iterator[list[Cell]]:
    """One row per line, each with the run's own details; money and dates as themselves."""
    run = remittance.run
    head: list[Cell] = [
        neutralise(run.council.name),
        neutralise(remittance.provider.name),
        neutralise(run.reference),
        run.payment_date,
    ]
    for client in remittance.clients:
        for line in client.lines:
            yield [
                *head,
                neutralise(client.label),
                neutralise(client.ss_ref),
                neutralise(_level(line)),
                neutralise(line.contract.reference if line.contract is not None else ""),
                neutralise(line.description),
                line.covers_from,
                line.covers_to,
                line.excl_vat,
                line.vat,
                line.total,
            ]


def remittance_csv(remittance: Remittance) -> Iterator[str]:
    return table_csv(CSV_HEADERS, remittance_csv_rows(remittance))


def _summary(remittance: Remittance, body: Any) -> Table:
    run = remittance.run
    rows = [
        ("Council", run.council.name),
        ("Provider", remittance.provider.name),
        ("Run reference", run.reference),
        ("Payment date", guide_date(run.payment_date)),
        (
            "Billing period",
            f"{guide_date(run.period.start_date)} to {guide_date(run.period.end_date)}",
        ),
    ]
    table = Table(
        [[_para(key, body), _para(value, body)] for key, value in rows], colWidths=[45 * mm, None]
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _client_table(remittance: Remittance, body: Any, heading: Any) -> list[Any]:
    parts: list[Any] = []
    for client in remittance.clients:
        title = f"{client.label} ({client.ss_ref})" if client.ss_ref else client.label
        data: list[list[Any]] = [[_para(text, body) for text in LINE_HEADERS]]
        for line in client.lines:
            data.append(
                [
                    _para(_level(line), body),
                    _para(line.description, body),
                    guide_date(line.covers_from),
                    guide_date(line.covers_to),
                    money(line.excl_vat),
                    money(line.vat),
                    money(line.total),
                ]
            )
        data.append(
            [
                "",
                _para("Client total", body),
                "",
                "",
                *map(money, (client.excl_vat, client.vat, client.total)),
            ]
        )
        table = Table(
            data, repeatRows=1, colWidths=[60 * mm, 80 * mm, 25 * mm, 25 * mm, None, None, None]
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("ALIGN", (4, 1), (6, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        parts += [_para(title, heading), table, Spacer(1, 4 * mm)]
    return parts


def remittance_pdf_bytes(remittance: Remittance) -> bytes:
    """The remittance as a PDF: the run's details, each client's lines, and the totals."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = f"Remittance advice {remittance.run.reference}"
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author=remittance.run.council.name,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    totals = Table(
        [
            ["Excl VAT", money(remittance.excl_vat)],
            ["VAT", money(remittance.vat)],
            ["Total", money(remittance.total)],
        ],
        colWidths=[45 * mm, 40 * mm],
        hAlign="LEFT",
    )
    totals.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    pdf.build(
        [
            _para(title, styles["Title"]),
            _summary(remittance, body),
            Spacer(1, 6 * mm),
            *_client_table(remittance, body, styles["Heading3"]),
            Spacer(1, 6 * mm),
            totals,
        ]
    )
    return buffer.getvalue()
