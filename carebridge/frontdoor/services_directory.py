"""Writes for the signposting directory: the Open Referral UK import, the postcode table, the
council's taxonomy mapping, its neighbouring areas, and e-mailing someone their list.

The import reads the whole feed first (a file, or the council's feed page by page), checks each
record on its own, and then writes the valid ones in one transaction: a failure part-way leaves
the directory as it was. Services no longer in a complete feed are deleted with their locations
(the feed is the source of truth and the audit log keeps what went); a service the feed still
lists but marks inactive, defunct or temporarily closed is kept with that status and never
signposted. A record that is malformed this time keeps its earlier version, so a typo in the
feed does not make a service disappear.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now, to_london
from carebridge.core.idempotency import once_per_key
from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.frontdoor import directory as oruk
from carebridge.frontdoor.directory import FeedError, ServiceRecord, SignpostNeed, Skipped
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryLocation,
    DirectoryService,
    FrontDoorSettings,
    NeighbouringArea,
    Postcode,
    TaxonomyMapping,
)
from carebridge.frontdoor.selectors_directory import Signpost
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import email_queue
from carebridge.organisations.models import Council, District
from carebridge.people.validators import normalise_postcode, postcode_is_valid

logger = logging.getLogger(__name__)

PER_PAGE = 100
MAX_PAGES = 200
TIMEOUT_SECONDS = 30
MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_FEED_BYTES = 200 * 1024 * 1024
BATCH = 500
# The import log keeps this many skipped records; the count is always whole.
MAX_LOGGED_ERRORS = 1000

SERVICE_FIELDS = (
    "name",
    "description",
    "organisation_name",
    "url",
    "email",
    "phone",
    "status",
    "minimum_age",
    "maximum_age",
    "opening_times",
    "last_modified",
    "taxonomy_terms",
    "outcomes",
)
LOCATION_FIELDS = ("name", "address", "postcode", "latitude", "longitude")


class ImportFailed(Exception):
    """The import changed nothing; its log says why."""

    def __init__(self, log: DirectoryImport, message: str) -> None:
        self.log = log
        self.message = message
        super().__init__(message)


# --- Reading a feed -----------------------------------------------------------------------------


def feed_url_refusal(url: str) -> str:
    """Why the import will not fetch this address, or "" when it will: the guard every address
    a council gives us goes through (https, on the internet, not this machine's network)."""
    refusal = url_refusal(url)
    return f"The feed's address cannot be used. {refusal}." if refusal else ""


def _fetch(url: str) -> bytes:
    refusal = feed_url_refusal(url)
    if refusal:
        raise FeedError(refusal)
    request = urllib.request.Request(  # noqa: S310 - open_url checks the address
        url, headers={"Accept": "application/json", "User-Agent": "Carebridge directory import"}
    )
    try:
        with open_url(request, timeout=TIMEOUT_SECONDS) as response:
            body: bytes = response.read(MAX_PAGE_BYTES + 1)
    except OutboundRefused as error:
        raise FeedError(f"The feed's address cannot be used. {error}.") from None
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise FeedError(
                f"The feed answered {error.code} {error.reason} for {url}: the import follows "
                "no redirect, so give the address it moved to."
            ) from None
        raise FeedError(f"The feed answered {error.code} {error.reason} for {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FeedError(f"The feed could not be reached at {url}: {reason}") from None
    if len(body) > MAX_PAGE_BYTES:
        raise FeedError(f"A page of the feed is larger than {MAX_PAGE_BYTES // 1024 // 1024} MB.")
    return body


def _json(body: bytes, where: str) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(f"{where} is not JSON: {error}") from None


def page_url(url: str, page: int, per_page: int = PER_PAGE) -> str:
    """The feed's address asking for one page (ORUK: ?page=N&per_page=M, pages from 1)."""
    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key not in ("page", "per_page")
    ]
    query += [("page", str(page)), ("per_page", str(per_page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class Feed:
    records: list[Any]
    complete: bool
    pages: int = 1


def read_feed_url(url: str) -> Feed:
    """Every record of the feed, following its pages; FeedError when it cannot be read whole."""
    records: list[Any] = []
    total_bytes = 0
    number = 1
    while True:
        body = _fetch(page_url(url, number))
        total_bytes += len(body)
        if total_bytes > MAX_FEED_BYTES:
            raise FeedError(f"The feed is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
        page = oruk.read_page(_json(body, f"Page {number} of the feed"))
        if page.envelope == "list":
            # A plain list has no pages: it is the whole feed.
            return Feed(records=page.records, complete=True, pages=1)
        if not page.records and number > 1 and (page.total_pages or 0) >= number:
            raise FeedError(
                f"Page {number} of {page.total_pages} was empty: the feed changed while it was "
                "read. Try again later."
            )
        records.extend(page.records)
        finished = (
            page.last is True
            or not page.records
            or (page.total_pages is not None and number >= page.total_pages)
            or (page.total_pages is None and page.last is None and len(page.records) < PER_PAGE)
        )
        if finished:
            return Feed(records=records, complete=True, pages=number)
        if number >= MAX_PAGES:
            raise FeedError(f"The feed has more than {MAX_PAGES} pages of {PER_PAGE} services.")
        number += 1


def read_feed_bytes(body: bytes) -> Feed:
    """The records of a feed saved as a file: a page is complete only when it is the only one."""
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(f"The file is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
    page = oruk.read_page(_json(body, "The file"))
    complete = page.envelope == "list" or (page.total_pages or 1) <= 1
    return Feed(records=page.records, complete=complete)


# --- Writing the directory ----------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mapping(council: Council) -> dict[oruk.TermKey, str]:
    return {
        (m.vocabulary, m.term_id): m.outcome
        for m in TaxonomyMapping.objects.filter(council=council)
    }


def _postcode_points(postcodes: Collection[str]) -> dict[str, tuple[Decimal, Decimal]]:
    points: dict[str, tuple[Decimal, Decimal]] = {}
    for chunk in _chunks(sorted(postcodes)):
        for code, lat, lon in Postcode.objects.filter(postcode__in=chunk).values_list(
            "postcode", "latitude", "longitude"
        ):
            points[code] = (lat, lon)
    return points


def _place_rows(
    service: ServiceRecord, points: dict[str, tuple[Decimal, Decimal]]
) -> list[tuple[Any, ...]]:
    rows = []
    for place in service.places:
        lat, lon = place.latitude, place.longitude
        if lat is None and place.postcode in points:
            # No coordinates in the feed: the centre of the location's postcode will do.
            lat, lon = points[place.postcode]
        rows.append((place.name, place.address, place.postcode, lat, lon))
    return rows


@dataclass
class _Counts:
    imported: int = 0
    updated: int = 0
    removed: int = 0
    removed_names: list[str] = field(default_factory=list)


def _apply(
    council: Council, services: list[ServiceRecord], skipped: list[Skipped], *, complete: bool
) -> _Counts:
    moment = now()
    mapping = _mapping(council)
    points = _postcode_points(
        {p.postcode for s in services for p in s.places if p.latitude is None and p.postcode}
    )
    existing = {s.source_id: s for s in DirectoryService.objects.filter(council=council)}
    old_places: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        DirectoryLocation.objects.filter(service__council=council)
        .order_by("service_id", "pk")
        .values_list("service_id", *LOCATION_FIELDS)
    ):
        old_places.setdefault(row[0], []).append(tuple(row[1:]))

    counts = _Counts()
    to_create: list[DirectoryService] = []
    to_update: list[DirectoryService] = []
    new_places: dict[str, list[tuple[Any, ...]]] = {}
    for record_ in services:
        terms = [term.as_json() for term in record_.terms]
        values = {
            "name": record_.name,
            "description": record_.description,
            "organisation_name": record_.organisation_name,
            "url": record_.url,
            "email": record_.email,
            "phone": record_.phone,
            "status": record_.status,
            "minimum_age": record_.minimum_age,
            "maximum_age": record_.maximum_age,
            "opening_times": record_.opening_times,
            "last_modified": record_.last_modified,
            "taxonomy_terms": terms,
            "outcomes": oruk.outcomes_for(terms, mapping),
        }
        places = _place_rows(record_, points)
        service = existing.get(record_.source_id)
        if service is None:
            to_create.append(
                DirectoryService(
                    council=council, source_id=record_.source_id, imported_at=moment, **values
                )
            )
            new_places[record_.source_id] = places
            continue
        unchanged = all(getattr(service, name) == value for name, value in values.items())
        if unchanged and old_places.get(service.pk, []) == places:
            continue
        for name, value in values.items():
            setattr(service, name, value)
        service.imported_at = moment
        to_update.append(service)
        new_places[record_.source_id] = places

    created = DirectoryService.objects.bulk_create(to_create, batch_size=BATCH)
    if any(service.pk is None for service in created):
        ids = dict(DirectoryService.objects.filter(council=council).values_list("source_id", "pk"))
        for service in created:
            service.pk = ids[service.source_id]
    DirectoryService.objects.bulk_update(
        to_update, [*SERVICE_FIELDS, "imported_at"], batch_size=BATCH
    )
    for chunk in _chunks([s.pk for s in to_update]):
        DirectoryLocation.objects.filter(service_id__in=chunk).delete()
    DirectoryLocation.objects.bulk_create(
        [
            DirectoryLocation(service=service, **dict(zip(LOCATION_FIELDS, row, strict=True)))
            for service in (*created, *to_update)
            for row in new_places[service.source_id]
        ],
        batch_size=BATCH,
    )
    counts.imported, counts.updated = len(created), len(to_update)

    if complete:
        kept = {s.source_id for s in services} | {s.source_id for s in skipped if s.source_id}
        gone = [s for source_id, s in existing.items() if source_id not in kept]
        for chunk in _chunks([s.pk for s in gone]):
            DirectoryService.objects.filter(pk__in=chunk).delete()
        counts.removed = len(gone)
        counts.removed_names = sorted(s.name for s in gone)
    return counts


def _source_label(source: str | Path | IO[bytes]) -> str:
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return source[:500]
    if isinstance(source, str | Path):
        return f"File {Path(source).name}"[:500]
    return f"Upload {Path(getattr(source, 'name', '') or 'feed.json').name}"[:500]


def _read(source: str | Path | IO[bytes]) -> Feed:
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return read_feed_url(source)
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FEED_BYTES:
                raise FeedError(f"The file is larger than {MAX_FEED_BYTES // 1024 // 1024} MB.")
            return read_feed_bytes(path.read_bytes())
        except OSError as error:
            raise FeedError(f"The file could not be read: {error.strerror or error}") from None
    body = source.read(MAX_FEED_BYTES + 1)
    return read_feed_bytes(body if isinstance(body, bytes) else str(body).encode())


def _fail(log: DirectoryImport, message: str, by: User | None) -> ImportFailed:
    log.failure = message
    log.finished_at = now()
    log.save(update_fields=["failure", "finished_at", "read", "skipped", "errors"])
    record(
        action="directory.import_failed",
        by=by,
        obj=log,
        council=log.council,
        detail={"source": log.source, "failure": message},
    )
    return ImportFailed(log, message)


def directory_import(
    *, council: Council, source: str | Path | IO[bytes], by: User | None
) -> DirectoryImport:
    """Import the council's directory from an ORUK feed: its address (https), a file's path, or
    an uploaded file. Returns the import's log; raises ImportFailed (with the log, saved with
    the reason) when nothing could be imported."""
    log = DirectoryImport.objects.create(
        council=council, started_at=now(), source=_source_label(source), by=by
    )
    try:
        feed = _read(source)
    except FeedError as error:
        raise _fail(log, str(error), by) from None
    services, skipped = oruk.parse_services(feed.records)
    log.read, log.skipped = len(feed.records), len(skipped)
    log.errors = [s.as_json() for s in skipped[:MAX_LOGGED_ERRORS]]
    if not feed.records:
        raise _fail(log, "The feed has no services, so nothing was changed.", by)
    if not services:
        raise _fail(log, f"None of the {len(feed.records)} records could be read.", by)
    try:
        with transaction.atomic():
            counts = _apply(council, services, skipped, complete=feed.complete)
            log.imported, log.updated, log.removed = counts.imported, counts.updated, counts.removed
            log.complete = feed.complete
            log.finished_at = now()
            log.save()
            record(
                action="directory.imported",
                by=by,
                obj=log,
                council=council,
                after={
                    "read": log.read,
                    "imported": log.imported,
                    "updated": log.updated,
                    "removed": log.removed,
                    "skipped": log.skipped,
                },
                detail={"source": log.source, "removed": counts.removed_names[:100]},
            )
    except Exception as error:
        logger.exception("Directory import %s for %s failed", log.pk, council.slug)
        raise _fail(
            log, f"The import stopped on an unexpected error ({error}); nothing was changed.", by
        ) from error
    return log


def directories_refresh() -> dict[str, str]:
    """The nightly refresh: every council with a feed address, each on its own (one council's
    broken feed never stops another's). What happened, by council slug."""
    results: dict[str, str] = {}
    for settings_ in FrontDoorSettings.objects.exclude(directory_feed_url="").select_related(
        "council"
    ):
        council = settings_.council
        try:
            log = directory_import(council=council, source=settings_.directory_feed_url, by=None)
        except ImportFailed as failed:
            results[council.slug] = f"failed: {failed.message}"
            continue
        results[council.slug] = (
            f"{log.imported} new, {log.updated} changed, {log.removed} removed, "
            f"{log.skipped} skipped"
        )
    return results


# --- The taxonomy mapping -----------------------------------------------------------------------


@dataclass(frozen=True)
class TermChoice:
    """A taxonomy term and the need the council maps it to ("" for none)."""

    vocabulary: str
    term_id: str
    term_name: str
    outcome: str


def outcomes_refresh(council: Council) -> int:
    """Derive every service's needs again from its terms and the mapping; how many changed."""
    mapping = _mapping(council)
    changed = []
    for service in DirectoryService.objects.filter(council=council).only(
        "pk", "taxonomy_terms", "outcomes"
    ):
        outcomes = oruk.outcomes_for(service.taxonomy_terms, mapping)
        if outcomes != service.outcomes:
            service.outcomes = outcomes
            changed.append(service)
    DirectoryService.objects.bulk_update(changed, ["outcomes"], batch_size=BATCH)
    return len(changed)


@transaction.atomic
def taxonomy_mapping_save(
    *, council: Council, choices: Iterable[TermChoice], by: User | None
) -> int:
    """Map the council's taxonomy terms to needs (a blank need unmaps the term) and derive
    every service's needs again, all at once. How many services' needs changed."""
    existing = {
        (m.vocabulary, m.term_id): m for m in TaxonomyMapping.objects.filter(council=council)
    }
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    to_create, to_update, to_delete = [], [], []
    for choice in choices:
        if choice.outcome and choice.outcome not in oruk.NEEDS:
            raise ValidationError(f"{choice.outcome!r} is not a need the directory knows.")
        key = (choice.vocabulary, choice.term_id)
        label = f"{choice.vocabulary}: {choice.term_name} ({choice.term_id})"
        current = existing.get(key)
        if current is None and choice.outcome:
            to_create.append(
                TaxonomyMapping(
                    council=council,
                    vocabulary=choice.vocabulary[: oruk.VOCABULARY_LENGTH],
                    term_id=choice.term_id[: oruk.ID_LENGTH],
                    term_name=choice.term_name[: oruk.TERM_LENGTH],
                    outcome=choice.outcome,
                )
            )
            after[label] = choice.outcome
        elif current is not None and not choice.outcome:
            to_delete.append(current.pk)
            before[label] = current.outcome
        elif current is not None and current.outcome != choice.outcome:
            before[label], after[label] = current.outcome, choice.outcome
            current.outcome = choice.outcome
            to_update.append(current)
    TaxonomyMapping.objects.bulk_create(to_create, batch_size=BATCH)
    TaxonomyMapping.objects.bulk_update(to_update, ["outcome"], batch_size=BATCH)
    for chunk in _chunks(to_delete):
        TaxonomyMapping.objects.filter(pk__in=chunk).delete()
    changed = outcomes_refresh(council)
    if before or after:
        record(
            action="directory.mapping_saved",
            by=by,
            council=council,
            before=before,
            after=after,
            detail={"services_changed": changed},
        )
    return changed


# --- Neighbouring areas -------------------------------------------------------------------------


def _own_codes(council: Council) -> set[str]:
    codes: set[str] = set()
    for value in District.objects.filter(council=council).values_list(
        "postcode_districts", flat=True
    ):
        codes.update(value.split())
    return codes


def _check_area(area: NeighbouringArea) -> None:
    area.name = " ".join(area.name.split())
    area.postcode_districts = " ".join(oruk.outward_codes(area.postcode_districts))
    area.phone = " ".join(area.phone.split())
    area.full_clean()
    ours = sorted(_own_codes(area.council) & area.outward_codes())
    if ours:
        raise ValidationError(
            {
                "postcode_districts": "These are in your own districts, not a neighbour's: "
                + ", ".join(ours)
            }
        )


@transaction.atomic
@once_per_key(
    "frontdoor.neighbouring_area_create",
    find=lambda pk, call: NeighbouringArea.objects.filter(pk=pk, council=call["council"]).first(),
)
def neighbouring_area_create(
    *,
    council: Council,
    by: User | None,
    name: str,
    postcode_districts: str,
    website: str = "",
    phone: str = "",
    idempotency_key: str | None = None,
) -> NeighbouringArea:
    """Tell people in these postcodes that another council looks after them (once per the
    form's key)."""
    area = NeighbouringArea(
        council=council,
        name=name,
        postcode_districts=postcode_districts,
        website=website,
        phone=phone,
    )
    _check_area(area)
    area.save()
    record(action="neighbouring_area.created", by=by, obj=area, council=council, after=_area(area))
    return area


@transaction.atomic
def neighbouring_area_update(
    *,
    area: NeighbouringArea,
    by: User | None,
    name: str,
    postcode_districts: str,
    website: str = "",
    phone: str = "",
) -> NeighbouringArea:
    before = _area(NeighbouringArea.objects.get(pk=area.pk))
    area.name, area.postcode_districts, area.website, area.phone = (
        name,
        postcode_districts,
        website,
        phone,
    )
    _check_area(area)
    area.save()
    record(
        action="neighbouring_area.updated",
        by=by,
        obj=area,
        council=area.council_id,
        before=before,
        after=_area(area),
    )
    return area


@transaction.atomic
def neighbouring_area_remove(*, area: NeighbouringArea, by: User | None) -> None:
    record(
        action="neighbouring_area.removed",
        by=by,
        obj=area,
        council=area.council_id,
        before=_area(area),
    )
    area.delete()


def _area(area: NeighbouringArea) -> dict[str, str]:
    return {
        "name": area.name,
        "postcode_districts": area.postcode_districts,
        "website": area.website,
        "phone": area.phone,
    }


# --- The postcode table -------------------------------------------------------------------------

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


class PostcodesRefused(Exception):
    """The postcode file was not loaded at all."""

    def __init__(self, message: str, problems: Sequence[str] = (), rejected: int = 0) -> None:
        self.message = message
        self.problems = list(problems)
        self.rejected = rejected
        super().__init__(message)


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


# --- E-mailing a signposting list ---------------------------------------------------------------


def signposting_email(
    *,
    council: Council,
    to: str,
    signposts: Sequence[Signpost],
    needs: Sequence[str],
    postcode: str,
    link: str,
) -> bool:
    """E-mail someone the list they are looking at, once per address, list and day (a double
    click sends one e-mail). False when that e-mail was queued already."""
    today = to_london(now()).date()
    fingerprint = "|".join(
        [
            to.strip().lower(),
            str(council.pk),
            ",".join(str(s.service.pk) for s in signposts),
            ",".join(needs),
            postcode,
            today.isoformat(),
        ]
    )
    key = "frontdoor-list:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    labels = dict(SignpostNeed.choices)
    body = render_to_string(
        "frontdoor/directory/support_email.txt",
        {
            "council": council,
            "signposts": signposts,
            "needs": [str(labels[n]) for n in needs if n in labels],
            "postcode": postcode,
            "link": link,
            "today": today,
        },
    )
    queued = email_queue(
        to=to.strip(),
        kind=NotificationKind.FRONT_DOOR,
        key=key,
        subject=f"Services that could help – {council.name}"[:200],
        body=body,
    )
    if queued is not None:
        # No address in the audit log: the outbox row has it, and is purged in time.
        record(
            action="directory.list_emailed",
            council=council,
            detail={"services": len(signposts), "needs": list(needs)},
        )
    return queued is not None
