"""Writing the signposting directory from an Open Referral UK feed.

The import reads the whole feed first (a file, or the council's feed page by page: fetch.py),
checks each record on its own (feed.py), and then writes the valid ones in one transaction: a
failure part-way leaves the directory as it was. Services no longer in a complete feed are deleted
with their locations (the feed is the source of truth and the audit log keeps what went); a
service the feed still lists but marks inactive, defunct or temporarily closed is kept with that
status and never signposted. A record that is malformed this time keeps its earlier version, so a
typo in the feed does not make a service disappear.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import FeedError, ServiceRecord, Skipped
from carebridge.frontdoor.directory.fetch import read_source, source_label
from carebridge.frontdoor.directory.selectors import term_mapping
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryLocation,
    DirectoryService,
    FrontDoorSettings,
    Postcode,
)
from carebridge.organisations.models import Council

logger = logging.getLogger(__name__)

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


class DirectoryImportFailed(Exception):
    """The import changed nothing; its log says why."""

    def __init__(self, log: DirectoryImport, message: str) -> None:
        self.log = log
        self.message = message
        super().__init__(message)


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """`items` a batch at a time, so that no query names too many rows at once."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _postcode_points(postcodes: Collection[str]) -> dict[str, tuple[Decimal, Decimal]]:
    points: dict[str, tuple[Decimal, Decimal]] = {}
    for chunk in chunks(sorted(postcodes)):
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


def _old_places(council: Council) -> dict[int, list[tuple[Any, ...]]]:
    """Each service's locations as the directory has them now, by the service's id."""
    old_places: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        DirectoryLocation.objects.filter(service__council=council)
        .order_by("service_id", "pk")
        .values_list("service_id", *LOCATION_FIELDS)
    ):
        old_places.setdefault(row[0], []).append(tuple(row[1:]))
    return old_places


def _values(record_: ServiceRecord, mapping: dict[oruk.TermKey, str]) -> dict[str, Any]:
    """A service's fields as the feed gives them, its needs derived from its terms."""
    terms = [term.as_json() for term in record_.terms]
    return {
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


@dataclass
class _Plan:
    """What the import will write: new services, changed ones, and the locations of each."""

    to_create: list[DirectoryService] = field(default_factory=list)
    to_update: list[DirectoryService] = field(default_factory=list)
    places: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def _plan(
    council: Council,
    services: list[ServiceRecord],
    existing: dict[str, DirectoryService],
    moment: datetime,
) -> _Plan:
    """The services to add and to change; one that has not changed (nor its locations) is
    left alone."""
    mapping = term_mapping(council)
    points = _postcode_points(
        {p.postcode for s in services for p in s.places if p.latitude is None and p.postcode}
    )
    old_places = _old_places(council)
    plan = _Plan()
    for record_ in services:
        values = _values(record_, mapping)
        places = _place_rows(record_, points)
        service = existing.get(record_.source_id)
        if service is None:
            plan.to_create.append(
                DirectoryService(
                    council=council, source_id=record_.source_id, imported_at=moment, **values
                )
            )
            plan.places[record_.source_id] = places
            continue
        unchanged = all(getattr(service, name) == value for name, value in values.items())
        if unchanged and old_places.get(service.pk, []) == places:
            continue
        for name, value in values.items():
            setattr(service, name, value)
        service.imported_at = moment
        plan.to_update.append(service)
        plan.places[record_.source_id] = places
    return plan


def _write(council: Council, plan: _Plan) -> list[DirectoryService]:
    """Save the plan's services and replace their locations; the services created."""
    created = DirectoryService.objects.bulk_create(plan.to_create, batch_size=BATCH)
    if any(service.pk is None for service in created):
        ids = dict(DirectoryService.objects.filter(council=council).values_list("source_id", "pk"))
        for service in created:
            service.pk = ids[service.source_id]
    DirectoryService.objects.bulk_update(
        plan.to_update, [*SERVICE_FIELDS, "imported_at"], batch_size=BATCH
    )
    for chunk in chunks([s.pk for s in plan.to_update]):
        DirectoryLocation.objects.filter(service_id__in=chunk).delete()
    DirectoryLocation.objects.bulk_create(
        [
            DirectoryLocation(service=service, **dict(zip(LOCATION_FIELDS, row, strict=True)))
            for service in (*created, *plan.to_update)
            for row in plan.places[service.source_id]
        ],
        batch_size=BATCH,
    )
    return created


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
    existing = {s.source_id: s for s in DirectoryService.objects.filter(council=council)}
    plan = _plan(council, services, existing, moment)
    created = _write(council, plan)
    counts = _Counts(imported=len(created), updated=len(plan.to_update))
    if complete:
        kept = {s.source_id for s in services} | {s.source_id for s in skipped if s.source_id}
        gone = [s for source_id, s in existing.items() if source_id not in kept]
        for chunk in chunks([s.pk for s in gone]):
            DirectoryService.objects.filter(pk__in=chunk).delete()
        counts.removed = len(gone)
        counts.removed_names = sorted(s.name for s in gone)
    return counts


def _fail(log: DirectoryImport, message: str, by: User | None) -> DirectoryImportFailed:
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
    return DirectoryImportFailed(log, message)


def directory_import(
    *, council: Council, source: str | Path | IO[bytes], by: User | None
) -> DirectoryImport:
    """Import the council's directory from an ORUK feed: its address (https), a file's path, or
    an uploaded file. Returns the import's log; raises DirectoryImportFailed (with the log, saved with
    the reason) when nothing could be imported."""
    log = DirectoryImport.objects.create(
        council=council, started_at=now(), source=source_label(source), by=by
    )
    try:
        feed = read_source(source)
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
        except DirectoryImportFailed as failed:
            results[council.slug] = f"failed: {failed.message}"
            continue
        results[council.slug] = (
            f"{log.imported} new, {log.updated} changed, {log.removed} removed, "
            f"{log.skipped} skipped"
        )
    return results
