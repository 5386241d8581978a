"""The postcode table: each postcode's centre, loaded from a CSV file (the ONS Postcode
Directory or a plain postcode, latitude, longitude list), so that signposting can measure how far
a service is and the import can place a location that gives only its postcode."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.errors import Refused
from carebridge.frontdoor.models import Postcode
from carebridge.people.validators import normalise_postcode, postcode_is_valid

POSTCODE_COLUMNS = ("postcode", "pcds", "pcd", "pcd2")
LATITUDE_COLUMNS = ("latitude", "lat")
LONGITUDE_COLUMNS = ("longitude", "long", "lon", "lng")
POSTCODE_BATCH = 5000
MAX_PROBLEMS = 1000
# Great Britain, Northern Ireland, the Isle of Man and the Channel Islands, with a margin: a
# point outside is a swapped column or a placeholder (the ONS writes 99.999999 for "no grid
# reference").
UK_LATITUDE = (Decimal("49.0"), Decimal("61.5"))
UK_LONGITUDE = (Decimal("-9.0"), Decimal("2.5"))


class PostcodesRefused(Refused):
    """The postcode file was not loaded at all; `problems` lists the first bad rows and
    `rejected` counts them."""

    def __init__(self, message: str, problems: Sequence[str] = (), rejected: int = 0) -> None:
        super().__init__(message)
        self.problems = list(problems)
        self.rejected = rejected


@dataclass
class PostcodeLoad:
    """What a postcode load did: rows read, loaded and rejected (with the first problems)."""

    read: int = 0
    loaded: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)


def _column(header: list[str], names: Sequence[str]) -> int:
    lowered = [name.strip().lower() for name in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    raise PostcodesRefused(
        f"The file has no {names[0]} column (its first row must name the columns: "
        f"{' or '.join(names)})."
    )


def _point(lat_text: str, lon_text: str) -> tuple[Decimal, Decimal] | str:
    try:
        lat, lon = Decimal(lat_text.strip()), Decimal(lon_text.strip())
    except InvalidOperation:
        return "the latitude and longitude must be numbers"
    if not (lat.is_finite() and lon.is_finite()):
        return "the latitude and longitude must be numbers"
    if lat == Decimal("99.999999"):
        return "it has no coordinates (the ONS marks these 99.999999)"
    if not (UK_LATITUDE[0] <= lat <= UK_LATITUDE[1] and UK_LONGITUDE[0] <= lon <= UK_LONGITUDE[1]):
        return f"{lat_text.strip()}, {lon_text.strip()} is not in the United Kingdom"
    return lat.quantize(Decimal("0.000001")), lon.quantize(Decimal("0.000001"))


def _flush(batch: dict[str, tuple[Decimal, Decimal]]) -> None:
    Postcode.objects.bulk_create(
        [
            Postcode(postcode=code, latitude=lat, longitude=lon)
            for code, (lat, lon) in batch.items()
        ],
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["latitude", "longitude"],
        batch_size=1000,
    )
    batch.clear()


def postcodes_load(
    *, file: IO[str], by: User | None, strict: bool = False, batch_size: int = POSTCODE_BATCH
) -> PostcodeLoad:
    """Add or update postcodes from a CSV file (columns postcode, latitude, longitude, or the
    ONS Postcode Directory's pcds, lat, long), streamed and written in batches, in one
    transaction. A bad row is rejected and reported by its line number; `strict` refuses the
    whole file when any row is. Postcodes not in the file are left as they were."""
    reader = csv.reader(file)
    header = next(reader, None)
    if not header:
        raise PostcodesRefused("The file is empty.")
    columns = (
        _column(header, POSTCODE_COLUMNS),
        _column(header, LATITUDE_COLUMNS),
        _column(header, LONGITUDE_COLUMNS),
    )
    width = max(columns) + 1
    result = PostcodeLoad()
    batch: dict[str, tuple[Decimal, Decimal]] = {}

    def reject(line: int, message: str) -> None:
        result.rejected += 1
        if len(result.problems) < MAX_PROBLEMS:
            result.problems.append(f"Line {line}: {message}")

    with transaction.atomic():
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            result.read += 1
            line = reader.line_num
            if len(row) < width:
                reject(line, "it has too few columns")
                continue
            raw = row[columns[0]]
            if not postcode_is_valid(raw):
                reject(line, f"{raw.strip()!r} is not a postcode")
                continue
            point = _point(row[columns[1]], row[columns[2]])
            if isinstance(point, str):
                reject(line, f"{normalise_postcode(raw)}: {point}")
                continue
            batch[normalise_postcode(raw)] = point
            result.loaded += 1
            if len(batch) >= batch_size:
                _flush(batch)
        if strict and result.rejected:
            raise PostcodesRefused(
                f"{result.rejected} row{'s' if result.rejected != 1 else ''} could not be "
                "loaded, so none were (the load was strict).",
                result.problems,
                result.rejected,
            )
        _flush(batch)
        record(
            action="postcodes.loaded",
            by=by,
            detail={"read": result.read, "loaded": result.loaded, "rejected": result.rejected},
        )
    return result
