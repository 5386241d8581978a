"""Signposting counts the needs met in the database and measures only the services that can
reach the list: it must choose exactly what ranking the whole directory in Python chose."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from carebridge.core.calendar import now
from carebridge.frontdoor.directory import feed as oruk
from carebridge.frontdoor.directory.feed import ServiceStatus
from carebridge.frontdoor.directory.selectors import postcode_point, signposting_for
from carebridge.frontdoor.models import DirectoryLocation, DirectoryService, Postcode
from carebridge.organisations.models import Council
from tests.support import make_council

pytestmark = pytest.mark.django_db

NEEDS = list(oruk.NEEDS)


def ranked_in_python(
    council: Council, needs: list[str], postcode: str | None, limit: int, age: int | None
) -> list[tuple[int, int | None, float | None, tuple[str, ...]]]:
    """The ranking as it was before the database counted the needs: every active service's
    outcomes and every location read and ranked here. (service, location, km, needs met)."""
    order = tuple(need for need in oruk.NEEDS if need in needs)
    point = postcode_point(postcode)
    origin = (float(point[0]), float(point[1])) if point else None
    candidates = {}
    for service in DirectoryService.objects.filter(council=council, status=ServiceStatus.ACTIVE):
        if age is not None and (
            (service.minimum_age is not None and service.minimum_age > age)
            or (service.maximum_age is not None and service.maximum_age < age)
        ):
            continue
        met = tuple(need for need in order if need in service.outcomes)
        if met:
            candidates[service.pk] = (service.name, met)
    nearest: dict[int, tuple[float | None, int]] = {}
    for location in DirectoryLocation.objects.filter(service_id__in=candidates).order_by("pk"):
        lat, lon = location.latitude, location.longitude
        distance = (
            oruk.haversine_km(origin[0], origin[1], float(lat), float(lon))
            if origin is not None and lat is not None and lon is not None
            else None
        )
        best = nearest.get(location.service_id)
        if best is None or (distance is not None and (best[0] is None or distance < best[0])):
            nearest[location.service_id] = (distance, location.pk)

    def rank(pk: int) -> tuple[int, int, float, str, int]:
        name, met = candidates[pk]
        distance = nearest.get(pk, (None, 0))[0]
        return (-len(met), distance is None, distance or 0.0, name.casefold(), pk)

    return [
        (
            pk,
            nearest[pk][1] if pk in nearest else None,
            nearest.get(pk, (None, 0))[0],
            candidates[pk][1],
        )
        for pk in sorted(candidates, key=rank)[:limit]
    ]


def _directory(council: Council, rng: random.Random, size: int) -> None:
    moment = now()
    services = DirectoryService.objects.bulk_create(
        DirectoryService(
            council=council,
            source_id=f"s-{n}",
            # Names alike in different cases, so the name's order decides some ties.
            name=rng.choice(["Lunch club", "lunch Club", "Café", "Hall", "Meals"]) + f" {n % 7}",
            status=ServiceStatus.ACTIVE if rng.random() < 0.9 else ServiceStatus.INACTIVE,
            imported_at=moment,
            minimum_age=rng.choice([None, None, 18, 65]),
            maximum_age=rng.choice([None, None, None, 25]),
            outcomes=rng.sample(NEEDS, rng.randint(0, 4)),
        )
        for n in range(size)
    )
    locations = []
    for service in services:
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            known = rng.random() < 0.9
            locations.append(
                DirectoryLocation(
                    service=service,
                    name="Hall",
                    # A few services at the very same place, so distance ties happen too.
                    latitude=Decimal(f"{52.9 + rng.randrange(40) / 1000:.6f}") if known else None,
                    longitude=Decimal(f"{-1.75 + rng.randrange(40) / 1000:.6f}") if known else None,
                )
            )
    DirectoryLocation.objects.bulk_create(locations)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_chooses_exactly_what_ranking_every_service_in_python_chose(seed: int) -> None:
    rng = random.Random(seed)
    council = make_council()
    _directory(council, rng, 400)
    Postcode.objects.create(
        postcode="WB1 1AB", latitude=Decimal("52.92"), longitude=Decimal("-1.73")
    )
    for _ in range(12):
        needs = rng.sample(NEEDS, rng.randint(1, 4))
        postcode = rng.choice(["WB1 1AB", None, "ZZ9 9ZZ"])
        limit = rng.choice([1, 5, 20, 1000])
        age = rng.choice([None, 30, 70])
        found = signposting_for(council, needs=needs, postcode=postcode, limit=limit, age=age)
        got = [
            (s.service.pk, s.location.pk if s.location else None, s.distance_km, s.needs)
            for s in found
        ]
        assert got == ranked_in_python(council, needs, postcode, limit, age), (needs, postcode)
        assert all(s.relevance == len(s.needs) for s in found)
