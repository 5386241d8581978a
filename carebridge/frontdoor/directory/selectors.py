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
from typing import Any, Literal

from django.db.models import Case, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
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


def _with_relevance(services: QuerySet[DirectoryService], order: tuple[str, ...]) -> QuerySet:
    """Each service with how many of the needs it meets, counted by the database: a need is met
    when the service's outcomes (a JSON list of need values) hold it, which its JSON text says
    as the quoted value (a need is a plain word; `contains` escapes LIKE's wildcards)."""
    text = Cast("outcomes", output_field=TextField())
    relevance: Any = Value(0)
    for need in order:
        relevance += Case(When(outcomes_text__contains=f'"{need}"', then=1), default=0)
    return services.annotate(outcomes_text=text).annotate(relevance=relevance)


def _least_relevance(relevances: list[int], limit: int) -> int:
    """The fewest needs met that can still reach the first `limit`: the list is ranked by needs
    met first, so a service meeting fewer than every one of `limit` others is never shown."""
    ranked = sorted(relevances, reverse=True)
    return ranked[min(limit, len(ranked)) - 1]


def _nearest_locations(
    services: QuerySet[DirectoryService], origin: tuple[float, float] | None
) -> dict[int, tuple[float | None, int]]:
    """Each service's nearest location (its distance in km, None when unknown, and its id)."""
    nearest: dict[int, tuple[float | None, int]] = {}
    for service_id, location_id, lat, lon in (
        DirectoryLocation.objects.filter(service__in=services.values("pk"))
        .order_by("pk")
        .values_list("service_id", "pk", "latitude", "longitude")
    ):
        distance = (
            oruk.haversine_km(origin[0], origin[1], float(lat), float(lon))
            if origin is not None and lat is not None and lon is not None
            else None
        )
        best = nearest.get(service_id)
        if best is None or (distance is not None and (best[0] is None or distance < best[0])):
            nearest[service_id] = (distance, location_id)
    return nearest


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
    size of the directory: the postcode, the candidates with the needs each meets (counted by
    the database), the locations of those that can reach the list, and the chosen services
    with their nearest locations. Only the services meeting as many needs as the list's last
    can reach it, so only their distances are worked out.
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
    relevant = _with_relevance(active, order).filter(relevance__gt=0)
    candidates = {
        pk: (name, met) for pk, name, met in relevant.values_list("pk", "name", "relevance")
    }
    if not candidates:
        return []
    least = _least_relevance([met for _name, met in candidates.values()], limit)
    nearest = _nearest_locations(relevant.filter(relevance__gte=least), origin)

    def rank(pk: int) -> tuple[int, int, float, str, int]:
        name, met = candidates[pk]
        distance = nearest.get(pk, (None, 0))[0]
        return (-met, distance is None, distance or 0.0, name.casefold(), pk)

    reaching = [pk for pk, (_name, met) in candidates.items() if met >= least]
    chosen = sorted(reaching, key=rank)[:limit]
    services = DirectoryService.objects.in_bulk(chosen)
    location_ids = [nearest[pk][1] for pk in chosen if pk in nearest]
    locations = DirectoryLocation.objects.in_bulk(location_ids) if location_ids else {}
    signposts = []
    for pk in chosen:
        met = tuple(need for need in order if need in services[pk].outcomes)
        signposts.append(
            Signpost(
                service=services[pk],
                location=locations.get(nearest[pk][1]) if pk in nearest else None,
                distance_km=nearest[pk][0] if pk in nearest else None,
                needs=met,
                relevance=len(met),
            )
        )
    return signposts


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
