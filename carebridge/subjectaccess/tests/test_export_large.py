"""A person with years of actuals: the export completes, the PDF holds every row, and the PDF
builder lays the rows out as they are read instead of holding them all first."""

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from carebridge.core.calendar import today
from carebridge.subjectaccess import export, services
from carebridge.subjectaccess.records import RECORD_CLASSES, RecordClass

pytestmark = pytest.mark.django_db

# Five years of weekly actuals at three CPLIs: far more rows than a page of the story at once.
WEEKS = 260
CPLIS = 3


def _years_of_actuals(_request) -> Iterator[dict]:
    """Rows as the actuals class gives them (the audit log's snapshot of each Actual)."""
    first = date(2021, 11, 1)
    for cpli in range(1, CPLIS + 1):
        for week in range(WEEKS):
            yield {
                "id": cpli * 1000 + week,
                "cpli_id": cpli,
                "week_start": (first + timedelta(weeks=week)).isoformat(),
                "planned": "14.00",
                "actual": "13.50",
                "missed": "0.50",
                "missed_reason": "client_unavailable",
                "comments": f"Row {cpli}-{week}: visit cut short, daughter present",
            }


@pytest.fixture
def sar(officer, person):
    request = services.subject_access_request_create(
        by=officer,
        service_user=person,
        requester="person",
        requester_name="Maisy Goddard",
        received_on=today(),
    )
    return services.subject_access_identity_verify(
        by=officer, request=request, verified_on=today(), method="Passport"
    )


@pytest.fixture
def many_actuals(monkeypatch):
    classes = tuple(
        RecordClass(c.key, c.title, _years_of_actuals) if c.key == "actuals" else c
        for c in RECORD_CLASSES
    )
    monkeypatch.setattr(export, "RECORD_CLASSES", classes)


def test_it_exports_years_of_actuals_laying_out_the_rows_as_they_are_read(
    sar, many_actuals, monkeypatch
):
    built = []
    write_pdf = export._write_pdf
    monkeypatch.setattr(export, "_write_pdf", lambda *a: built.append(write_pdf(*a)) or built[0])
    archive, counts = export.export_zip(sar)
    with archive, zipfile.ZipFile(archive) as zipped:
        data = json.loads(zipped.read("data.json"))
        reader = PdfReader(io.BytesIO(zipped.read("records.pdf")))
    assert counts["actuals"] == WEEKS * CPLIS == len(data["actuals"])
    assert len(reader.pages) > 60
    text = " ".join(page.extract_text() for page in reader.pages[-4:])
    assert f"Row {CPLIS}-{WEEKS - 1}:" in text
    assert "Who changed or viewed their records" in text
    # Never more than a few flowables waiting: the rows were not gathered before the layout.
    assert 0 < built[0].most_waiting <= export.LOOKAHEAD + 2
