"""A contract document as a PDF, built from exactly the content its fingerprint covers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carebridge.contracts.choices import DocumentKind, DocumentStatus, PricingBasis, Unit
from carebridge.contracts.content import document_content
from carebridge.contracts.models import ContractDocument
from carebridge.core.formats import guide_date, guide_datetime, money, round_money


def _day(iso: str | None) -> str:
    return guide_date(date.fromisoformat(iso)) if iso else "Ongoing"


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _quantity(text: str) -> str:
    return f"{Decimal(text).normalize():f}"


def _para(text: str, style: Any) -> Paragraph:
    return Paragraph(escape(text), style)


def document_pdf(document: ContractDocument, *, compress: bool = True) -> bytes:
    """The same document (content and answer) always gives the same bytes."""
    content = document_content(document)
    styles = getSampleStyleSheet()
    body, heading = styles["BodyText"], styles["Title"]
    buffer = BytesIO()
    title = f"{_label(DocumentKind, content['kind'])} {content['reference']}"
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author=content["council"],
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        invariant=1,
        pageCompression=1 if compress else 0,
    )
    story: list[Any] = [_para(title, heading), Spacer(1, 4 * mm)]
    story += _summary(document, content, body)
    story += [_lines_table(content, body), Spacer(1, 6 * mm)]
    story += _answer(document, body)
    pdf.build(story)
    return buffer.getvalue()


def _summary(document: ContractDocument, content: dict[str, Any], body: Any) -> list[Any]:
    """What a termination terminates and why, then the facts: council, client, provider..."""
    facts = [
        ("Council", content["council"]),
        ("Client", content["client"]),
        ("SS Ref", content["ss_ref"]),
        ("Care package reference", content["care_package_reference"]),
        ("Provider", document.provider.name),
        ("Service", content["service"]),
    ]
    story: list[Any] = []
    if content["kind"] == DocumentKind.TERMINATION:
        story += [
            _para(
                f"This document terminates Individual Service Order {content['terminates']}. "
                f"The last day of care is {_day(content['end_date'])}: each line below ends on "
                "its last day shown.",
                body,
            ),
            _para(f"Reason: {content['reason']}", body),
            Spacer(1, 4 * mm),
        ]
    summary = Table(
        [[_para(key, body), _para(value, body)] for key, value in facts],
        colWidths=[60 * mm, None],
    )
    summary.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [*story, summary, Spacer(1, 6 * mm)]


def _lines_table(content: dict[str, Any], body: Any) -> Table:
    """One row a line, and the total weekly cost."""
    header = [
        "Service level",
        "Quantity a week",
        "Visits a week",
        "Unit",
        "Rate",
        "Pricing basis",
        "Weekly cost",
        "Start",
        "Last day" if content["kind"] == DocumentKind.TERMINATION else "End",
    ]
    rows: list[list[Any]] = [[_para(h, body) for h in header]]
    total = Decimal("0")
    for line in content["lines"]:
        total += Decimal(line["weekly_cost"])
        rows.append(_line_row(line, body))
    rows.append(["Total weekly cost", "", "", "", "", "", money(total), "", ""])
    lines = Table(
        rows,
        colWidths=[
            70 * mm,
            25 * mm,
            18 * mm,
            22 * mm,
            22 * mm,
            25 * mm,
            27 * mm,
            23 * mm,
            23 * mm,
        ],
        repeatRows=1,
    )
    lines.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 1), (2, -1), "RIGHT"),
                ("ALIGN", (4, 1), (4, -1), "RIGHT"),
                ("ALIGN", (6, 1), (6, -1), "RIGHT"),
            ]
        )
    )
    return lines


def _line_row(line: dict[str, Any], body: Any) -> list[Any]:
    quantity: Any = _quantity(line["quantity"])
    cost: Any = money(Decimal(line["weekly_cost"]))
    # A short break is bought by the year: nights taken as the client needs them.
    if "yearly_allocation" in line:
        allocation = Decimal(line["yearly_allocation"])
        quantity = _para(f"Up to {_quantity(line['yearly_allocation'])} a year", body)
        cost = _para(f"{money(round_money(allocation * Decimal(line['rate'])))} a year", body)
    return [
        _para(line["service_level"], body),
        quantity,
        str(line.get("visits", "")),
        _label(Unit, line["unit"]),
        money(Decimal(line["rate"])),
        _label(PricingBasis, line["pricing_basis"]),
        cost,
        _day(line["start_date"]),
        _day(line["end_date"]),
    ]


def _answer(document: ContractDocument, body: Any) -> list[Any]:
    """The document's status, and who agreed (with the signature's hash) or rejected it, when."""
    story = [_para(f"Status: {_label(DocumentStatus, document.status)}", body)]
    if document.status == DocumentStatus.AGREED and document.answered_by is not None:
        story.append(
            _para(
                f"Agreed by {document.answered_by.full_name} "
                f"at {guide_datetime(document.answered_at)}",
                body,
            )
        )
        story.append(_para(f"Signature hash (SHA-256): {document.signed_hash}", body))
    elif document.status == DocumentStatus.REJECTED and document.answered_by is not None:
        story.append(
            _para(
                f"Rejected by {document.answered_by.full_name} "
                f"at {guide_datetime(document.answered_at)}: {document.answer_notes}",
                body,
            )
        )
    return story
