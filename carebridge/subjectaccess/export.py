"""The subject access export: a zip, built in a temporary file on disk (never whole in memory),
holding data.json (every record class, written row by row) and records.pdf, the same content
for the person to read."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carebridge.core.calendar import now
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.subjectaccess.models import SubjectAccessRequest
from carebridge.subjectaccess.records import RECORD_CLASSES, Row

# A value longer than this is cut in the PDF's table (data.json keeps all of it).
PDF_VALUE_MAX = 3000


def _about(request: SubjectAccessRequest) -> dict[str, Any]:
    return {
        "council": request.council.name,
        "request": request.pk,
        "requester": request.get_requester_display(),
        "requester_name": request.requester_name,
        "received_on": request.received_on.isoformat(),
        "due_on": request.due_on.isoformat(),
        "exported_at": now().isoformat(),
    }


def _write_json(request: SubjectAccessRequest, out: IO[bytes]) -> dict[str, int]:
    """Row by row into the zip's entry; the count of each class, for the audit."""
    text = io.TextIOWrapper(out, encoding="utf-8")
    counts: dict[str, int] = {}
    text.write('{"about": ' + json.dumps(_about(request)))
    for record_class in RECORD_CLASSES:
        text.write(f', "{record_class.key}": [')
        n = 0
        for row in record_class.rows(request):
            text.write((", " if n else "") + json.dumps(row, default=str))
            n += 1
        text.write("]")
        counts[record_class.key] = n
    text.write("}\n")
    text.flush()
    text.detach()
    return counts


def _cell(value: Any, style: Any) -> Paragraph:
    if isinstance(value, dict | list):
        value = json.dumps(value, default=str)
    shown = "" if value is None else str(value)
    if len(shown) > PDF_VALUE_MAX:
        shown = shown[:PDF_VALUE_MAX] + " … (in full in data.json)"
    return Paragraph(escape(shown), style)


def _row_table(row: Row, style: Any) -> Table:
    table = Table(
        [[_cell(key.replace("_", " "), style), _cell(value, style)] for key, value in row.items()],
        colWidths=[50 * mm, 120 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table


def _write_pdf(request: SubjectAccessRequest, out: IO[bytes]) -> None:
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    person = request.service_user
    story: list[Any] = [
        Paragraph(escape(f"Records held about {person.full_name}"), styles["Title"]),
        Paragraph(
            escape(
                f"{request.council.name}: subject access request {request.pk}, received "
                f"{guide_date(request.received_on)}, exported {guide_datetime(now())}."
            ),
            body,
        ),
    ]
    for record_class in RECORD_CLASSES:
        story.append(Paragraph(escape(record_class.title), styles["Heading2"]))
        n = 0
        for row in record_class.rows(request):
            story += [_row_table(row, small), Spacer(1, 3 * mm)]
            n += 1
        if not n:
            story.append(Paragraph("None held.", body))
    SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Subject access request {request.pk}",
        author=request.council.name,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    ).build(story)


def export_zip(request: SubjectAccessRequest) -> tuple[IO[bytes], dict[str, int]]:
    """The zip in a temporary file (rewound, removed when closed) and each class's count."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it when sent
    try:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            with zipped.open("data.json", "w") as entry:
                counts = _write_json(request, entry)
            with tempfile.TemporaryFile() as pdf:
                _write_pdf(request, pdf)
                pdf.seek(0)
                with zipped.open("records.pdf", "w") as entry:
                    shutil.copyfileobj(pdf, entry)
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return archive, counts
