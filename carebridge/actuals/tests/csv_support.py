"""What the CSV tests share: the guide's columns, files made and read as a spreadsheet would,
and the export and import as a provider's user does them."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.actuals import csvio
from carebridge.actuals.tests.conftest import (
    FIRST_PERIOD,
    THIS_WEEK,
    weeks_ago,
)
from carebridge.organisations import services as org
from carebridge.people import services as people
from tests.support import client_for

BASIC = list(csvio.BASIC_COLUMNS)
WITH_REASONS = list(csvio.REASON_COLUMNS)
LAST_WEEK = weeks_ago(1)
LAST_SUNDAY = THIS_WEEK - timedelta(days=1)


def export_text(user, start=FIRST_PERIOD, end=LAST_SUNDAY, service_id=None) -> str:
    """The export of the one council the user's provider works for (the world's council)."""
    (council_id,) = {council_id for council_id, _name in csvio.councils_of(user)}
    return "".join(
        csvio.export_csv(user, council_id=council_id, start=start, end=end, service_id=service_id)
    )


def last_week_of(world) -> str:
    """The export page's choice of last week's period at the world's council."""
    return f"{world.council.pk}_{LAST_WEEK.isoformat()}_{LAST_SUNDAY.isoformat()}"


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def row_for(
    world,
    week,
    actual="14",
    *,
    frustrated="0",
    missed="0",
    extra="0",
    visits="14",
    comments="",
    ss_ref=None,
    service=None,
    level=None,
    reasons=None,
) -> list[str]:
    cells = [
        service or world.service.name,
        level or world.hours.name,
        ss_ref or world.person.ss_ref,
        f"{week:%Y/%m/%d}",
        actual,
        frustrated,
        missed,
        extra,
        visits,
        comments,
    ]
    return cells + list(reasons) if reasons is not None else cells


def upload(user, data: bytes, name="actuals.csv"):
    return client_for(user).post(
        reverse("actuals:bulk_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def problems_of(text: str, user) -> list[str]:
    with pytest.raises(csvio.CsvImportFailed) as failed:
        csvio.import_rows(user, text)
    return failed.value.messages


def another_client(world, ss_ref, first_name="Rachel", last_name="Green"):
    return people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=ss_ref,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date(1950, 1, 1),
    )


def with_reasons(world):
    org.rulebook_update(council=world.council, by=None, actuals_csv_layout="with_reasons")


def excel_opens(data: bytes) -> list[list[str]]:
    """The cells Excel (English, UK) shows for a downloaded CSV file: UTF-8 only when the file
    starts with a byte order mark, else Windows-1252; year/month/day dates as day/month/year."""
    bom = b"\xef\xbb\xbf"
    text = data[3:].decode("utf-8") if data.startswith(bom) else data.decode("cp1252", "replace")
    rows = table(text)
    for row in rows[1:]:
        year, month, day = row[3].split("/")
        row[3] = f"{day}/{month}/{year}"
    return rows


def excel_saves(rows: list[list[str]], encoding: str) -> bytes:
    """What Excel writes: CRLF line ends, and "CSV UTF-8" (with a byte order mark) or
    "CSV (Comma delimited)" (Windows-1252)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    return ("\ufeff" + text).encode("utf-8") if encoding == "utf-8" else text.encode(encoding)
