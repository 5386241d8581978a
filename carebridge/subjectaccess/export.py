"""The subject access export: a zip, built in a temporary file on disk (never whole in memory),
holding data.json (every record class, written row by row) and records.pdf, the same content
for the person to read."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from carebridge.core.calendar import now
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.subjectaccess.models import SubjectAccessRequest
from carebridge.subjectaccess.records import RECORD_CLASSES, Row

# A value longer than this is cut in the PDF's table (data.json keeps all of it).
PDF_VALUE_MAX = 3000
# How many flowables wait to be laid out at most: enough for a heading kept with its next row.
LOOKAHEAD = 20


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


class _StreamedDocument(SimpleDocTemplate):
    """A document whose story is drawn from a generator a few flowables at a time: platypus
    lays out a list it consumes from the front, so the list is topped up to LOOKAHEAD as it
    empties (a row split over two pages adds its parts back for a moment) instead of holding a
    person's years of actuals at once. What is drawn goes on to the canvas's compressed page
    streams, which reportlab keeps until it saves the file."""

    def __init__(self, out: IO[bytes], flowables: Iterator[Flowable], **kwargs: Any) -> None:
        super().__init__(out, **kwargs)
        self._source = flowables
        self._story: list[Flowable] = []
        self.most_waiting = 0

    def filterFlowables(self, flowables: list[Flowable]) -> None:
        """Platypus' hook before each flowable is laid out (also called for its own list of
        flowables left hanging at a page's end, which is left alone)."""
        if flowables is self._story:
            while len(flowables) < LOOKAHEAD:
                following = next(self._source, None)
                if following is None:
                    break
                flowables.append(following)
            self.most_waiting = max(self.most_waiting, len(flowables))

    def build_streamed(self) -> None:
        first = next(self._source, None)
        if first is not None:
            self._story.append(first)
            self.build(self._story)


def _story(request: SubjectAccessRequest, styles: Any) -> Iterator[Flowable]:
    """The PDF's flowables in order, each class's rows read as they are laid out."""
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    yield Paragraph(escape(f"Records held about {request.service_user.full_name}"), styles["Title"])
    yield Paragraph(
        escape(
            f"{request.council.name}: subject access request {request.pk}, received "
            f"{guide_date(request.received_on)}, exported {guide_datetime(now())}."
        ),
        body,
    )
    for record_class in RECORD_CLASSES:
        yield Paragraph(escape(record_class.title), styles["Heading2"])
        n = 0
        for row in record_class.rows(request):
            yield _row_table(row, small)
            yield Spacer(1, 3 * mm)
            n += 1
        if not n:
            yield Paragraph("None held.", body)


def _write_pdf(request: SubjectAccessRequest, out: IO[bytes]) -> _StreamedDocument:
    """records.pdf, written to `out`; the document, which says how many flowables waited."""
    document = _StreamedDocument(
        out,
        _story(request, getSampleStyleSheet()),
        pagesize=A4,
        title=f"Subject access request {request.pk}",
        author=request.council.name,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
    )
    document.build_streamed()
    return document


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
