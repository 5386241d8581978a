"""Reads for the signposting directory: where a postcode is, which services could help someone,
and the officers' lists. Access helpers answer 404 for another council's objects.

Signposting rules:
- only active services are signposted (inactive, defunct and temporarily closed never are);
- a service is signposted when it meets at least one of the person's needs, ranked by how many
  it meets, then by distance from the person's postcode (unknown distances last), then by name;
- no needs, no list: someone who can manage everything is not sent a list of services mapped to
  nothing in particular (unmapped terms are often services for other groups, such as children).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.db.models import Q, QuerySet
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import ServiceStatus, SignpostNeed
from carebridge.frontdoor.models import (
    DirectoryImport,
    DirectoryLocation,
    DirectoryService,
    NeighbouringArea,
    Postcode,
    TaxonomyMapping,
)
from carebridge.organisations.models import Council, District
from carebridge.people.validators import normalise_postcode, postcode_is_valid


@dataclass(frozen=True)
class Area:
    """Whether a postcode is the council's: inside its districts, a neighbour's (with who to
    contact), or unknown; with the postcode's point when the postcode table has it."""

    kind: Literal["inside", "neighbour", "unknown"]
    neighbour: NeighbouringArea | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


@dataclass(frozen=True)
class Signpost:
    """A service someone is pointed to, the place of it nearest to them, and why."""

    service: DirectoryService
    location: DirectoryLocation | None
    distance_km: float | None
    needs: tuple[str, ...]
    relevance: int

    @property
    def distance(self) -> str:
        return oruk.miles(self.distance_km) if self.distance_km is not None else ""

    @property
    def need_labels(self) -> list[str]:
        labels = dict(SignpostNeed.choices)
        return [str(labels[need]) for need in self.needs]


def postcode_point(postcode: str | None) -> tuple[Decimal, Decimal] | None:
    """Where a postcode is centred, from the postcode table; None when not there or not valid."""
    if not postcode or not postcode_is_valid(postcode):
        return None
    found = (
        Postcode.objects.filter(postcode=normalise_postcode(postcode))
        .values_list("latitude", "longitude")
        .first()
    )
    return (found[0], found[1]) if found else None


def council_outward_codes(council: Council) -> frozenset[str]:
    """The council's area: the outward codes of all its districts."""
    codes: set[str] = set()
    for value in District.objects.filter(council=council).values_list(
        "postcode_districts", flat=True
    ):
        codes.update(value.split())
    return frozenset(codes)


def area_for(council: Council, postcode: str) -> Area:
    """Whose postcode this is, as far as the council's districts and neighbours say."""
    outward = oruk.outward_code(postcode)
    if not outward:
        return Area(kind="unknown")
    point = postcode_point(postcode)
    lat, lon = point if point else (None, None)
    if outward in council_outward_codes(council):
        return Area(kind="inside", latitude=lat, longitude=lon)
    for area in NeighbouringArea.objects.filter(council=council).order_by("name", "pk"):
        if outward in area.outward_codes():
            return Area(kind="neighbour", neighbour=area, latitude=lat, longitude=lon)
    return Area(kind="unknown", latitude=lat, longitude=lon)


def signposting_for(
    council: Council,
    *,
    needs: Collection[str],
    postcode: str | None,
    limit: int = 20,
    age: int | None = None,
) -> list[Signpost]:
    """The services that could help someone with these needs (SignpostNeed values; others are
    ignored), nearest first among equally relevant ones. Five queries at most, whatever the
    size of the directory: the postcode, the candidates, their locations, and the chosen
    services with their nearest locations.
    `age` leaves out services whose age limits exclude the person."""
    wanted = {need for need in needs if need in oruk.NEEDS}
    if not wanted or limit <= 0:
        return []
    order = tuple(need for need in oruk.NEEDS if need in wanted)
    point = postcode_point(postcode)
    origin = (float(point[0]), float(point[1])) if point else None

    active = DirectoryService.objects.filter(council=council, status=ServiceStatus.ACTIVE)
    if age is not None:
        active = active.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=age)).filter(
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age)
        )
    candidates: dict[int, tuple[str, tuple[str, ...]]] = {}
    for pk, name, outcomes in active.values_list("pk", "name", "outcomes"):
        met = tuple(need for need in order if need in outcomes)
        if met:
            candidates[pk] = (name, met)
    if not candidates:
        return []

    # Every location of an active service of the council, in one query without a long IN list.
    nearest: dict[int, tuple[float | None, int]] = {}
    for service_id, location_id, lat, lon in (
        DirectoryLocation.objects.filter(service__in=active)
        .order_by("pk")
        .values_list("service_id", "pk", "latitude", "longitude")
    ):
        if service_id not in candidates:
            continue
        distance = (
            oruk.haversine_km(origin[0], origin[1], float(lat), float(lon))
            if origin is not None and lat is not None and lon is not None
            else None
        )
        best = nearest.get(service_id)
        if best is None or (distance is not None and (best[0] is None or distance < best[0])):
            nearest[service_id] = (distance, location_id)

    def rank(pk: int) -> tuple[int, int, float, str, int]:
        name, met = candidates[pk]
        distance = nearest.get(pk, (None, 0))[0]
        return (-len(met), distance is None, distance or 0.0, name.casefold(), pk)

    chosen = sorted(candidates, key=rank)[:limit]
    services = DirectoryService.objects.in_bulk(chosen)
    location_ids = [nearest[pk][1] for pk in chosen if pk in nearest]
    locations = DirectoryLocation.objects.in_bulk(location_ids) if location_ids else {}
    return [
        Signpost(
            service=services[pk],
            location=locations.get(nearest[pk][1]) if pk in nearest else None,
            distance_km=nearest[pk][0] if pk in nearest else None,
            needs=candidates[pk][1],
            relevance=len(candidates[pk][1]),
        )
        for pk in chosen
    ]


# --- The officers' pages ------------------------------------------------------------------------


def directory_services_for(user: User) -> QuerySet[DirectoryService]:
    """The user's council's directory, by name (filters.DirectoryFilters narrows it)."""
    if user.council_id is None:
        return DirectoryService.objects.none()
    return DirectoryService.objects.filter(council_id=user.council_id).order_by("name", "pk")


def _council_id(user: User) -> int:
    # Council staff only: a provider's user has no directory, so every object is "not found".
    if user.council_id is None:
        raise Http404("No directory")
    return user.council_id


def access_directory_service(user: User, pk: int) -> DirectoryService:
    service = DirectoryService.objects.filter(pk=pk, council_id=_council_id(user)).first()
    if service is None:
        raise Http404("No such service")
    return service


def access_directory_import(user: User, pk: int) -> DirectoryImport:
    found = DirectoryImport.objects.filter(pk=pk, council_id=_council_id(user)).first()
    if found is None:
        raise Http404("No such import")
    return found


def access_neighbouring_area(user: User, pk: int) -> NeighbouringArea:
    area = NeighbouringArea.objects.filter(pk=pk, council_id=_council_id(user)).first()
    if area is None:
        raise Http404("No such area")
    return area


def directory_imports_for(user: User) -> QuerySet[DirectoryImport]:
    if user.council_id is None:
        return DirectoryImport.objects.none()
    return DirectoryImport.objects.filter(council_id=user.council_id).select_related("by")


def neighbouring_areas_for(user: User) -> QuerySet[NeighbouringArea]:
    if user.council_id is None:
        return NeighbouringArea.objects.none()
    return NeighbouringArea.objects.filter(council_id=user.council_id).order_by("name")


def term_mapping(council: Council) -> dict[oruk.TermKey, str]:
    """The council's taxonomy mapping: the need each mapped term stands for."""
    return {
        (m.vocabulary, m.term_id): m.outcome
        for m in TaxonomyMapping.objects.filter(council=council)
    }


@dataclass(frozen=True)
class TermUse:
    """A taxonomy term of the council's feed, how many services carry it, and its need."""

    vocabulary: str
    term_id: str
    term_name: str
    services: int
    outcome: str


def taxonomy_terms_for(council: Council) -> list[TermUse]:
    """Every term the council's services carry, and every term it has mapped (even when no
    service carries it any more), by vocabulary and name."""
    counts: dict[oruk.TermKey, int] = {}
    names: dict[oruk.TermKey, str] = {}
    for terms in DirectoryService.objects.filter(council=council).values_list(
        "taxonomy_terms", flat=True
    ):
        for term in terms:
            key = (str(term.get("vocabulary", "")), str(term.get("id", "")))
            counts[key] = counts.get(key, 0) + 1
            names.setdefault(key, str(term.get("name", "")))
    mapping = {}
    for m in TaxonomyMapping.objects.filter(council=council):
        mapping[(m.vocabulary, m.term_id)] = m.outcome
        names.setdefault((m.vocabulary, m.term_id), m.term_name)
    return sorted(
        (
            TermUse(
                vocabulary=key[0],
                term_id=key[1],
                term_name=names[key],
                services=counts.get(key, 0),
                outcome=mapping.get(key, ""),
            )
            for key in names
        ),
        key=lambda t: (t.vocabulary.casefold(), t.term_name.casefold(), t.term_id),
    )
