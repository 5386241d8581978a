"""The benchmark's front door: the scale council's front door open, a front-door officer, a
year of finished journeys (most decided, a few hundred waiting in the queue), a directory of
community services with their locations, and a postcode table for its invented area, so the
queue, a request's page, the dashboard and the public signposting list are measured at a
county's size."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from carebridge.accounts.models import User
from carebridge.core.calendar import now
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally, _login
from carebridge.demo.frontdoor_demo import ADULT_OUTCOMES, _answers
from carebridge.demo.scale_council import SCALE_DISTRICTS, SCALE_SLUG
from carebridge.frontdoor.assessment.eligibility import assess
from carebridge.frontdoor.choices import (
    Decision,
    EventKind,
    RequestStatus,
    Result,
    Route,
)
from carebridge.frontdoor.directory.feed import ServiceStatus
from carebridge.frontdoor.models import (
    DirectoryLocation,
    DirectoryService,
    FrontDoorRequest,
    Postcode,
    RequestEvent,
)
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.waits import office_hours_of, wait_us
from carebridge.organisations.models import Council, District

# The invented area: an outward code per district (SCALE_DISTRICTS), WB1 to WB10.
OUTWARD = tuple(f"WB{number}" for number in range(1, 11))
POSTCODES_PER_DISTRICT = 200
# Of a year's requests, how many still wait for the council (the queue).
WAITING = 300
# The needs a request may name: the adult outcomes, caring for a child, and a carer's support.
NEEDS = (*ADULT_OUTCOMES, "child_care", "carer_support")
_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
BENCH_POSTCODE = "WB1 1AB"


def scale_postcode_districts() -> dict[str, str]:
    return dict(zip(SCALE_DISTRICTS, OUTWARD, strict=True))


def _postcodes(rng: random.Random) -> list[Postcode]:
    if Postcode.objects.filter(postcode__startswith="WB1 ").exists():
        return list(Postcode.objects.filter(postcode__startswith="WB"))
    rows = []
    for index, outward in enumerate(OUTWARD):
        # Districts side by side along a band of an invented county.
        base_lat, base_lon = 52.80 + (index % 5) * 0.06, -1.90 + (index // 5) * 0.10
        # One known postcode for the benchmark's signposting page.
        seen: set[str] = set()
        if outward == "WB1":
            seen.add(BENCH_POSTCODE)
            rows.append(
                Postcode(
                    postcode=BENCH_POSTCODE,
                    latitude=Decimal(f"{base_lat:.6f}"),
                    longitude=Decimal(f"{base_lon:.6f}"),
                )
            )
        while len(seen) < POSTCODES_PER_DISTRICT:
            code = f"{outward} {rng.randint(1, 9)}{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}"
            if code in seen:
                continue
            seen.add(code)
            rows.append(
                Postcode(
                    postcode=code,
                    latitude=Decimal(f"{base_lat + rng.random() * 0.05:.6f}"),
                    longitude=Decimal(f"{base_lon + rng.random() * 0.08:.6f}"),
                )
            )
    return Postcode.objects.bulk_create(rows, batch_size=2000)


def _directory(rng: random.Random, council: Council, points: list[Postcode], count: int) -> int:
    have = DirectoryService.objects.filter(council=council).count()
    if have >= count:
        return 0
    moment = now()
    new = [
        DirectoryService(
            council=council,
            source_id=f"scale-service-{number}",
            name=f"Community service {number}",
            description="Help and company for adults and carers nearby: drop in or phone.",
            organisation_name=f"Community group {number % 400}",
            url=f"https://group{number % 400}.example.org",
            phone=f"01632 960 {number % 1000:03d}",
            status=ServiceStatus.ACTIVE if rng.random() < 0.9 else ServiceStatus.INACTIVE,
            imported_at=moment,
            taxonomy_terms=[],
            outcomes=rng.sample(NEEDS, rng.randint(1, 3)),
        )
        for number in range(have + 1, count + 1)
    ]
    DirectoryService.objects.bulk_create(new, batch_size=1000)
    created = DirectoryService.objects.filter(
        council=council, source_id__in=[s.source_id for s in new]
    )
    locations = []
    for service in created:
        point = rng.choice(points)
        locations.append(
            DirectoryLocation(
                service=service,
                name=service.name,
                address=f"{rng.randint(1, 99)} High Street",
                postcode=point.postcode,
                latitude=point.latitude,
                longitude=point.longitude,
            )
        )
    DirectoryLocation.objects.bulk_create(locations, batch_size=2000)
    return len(new)


def _requests(rng: random.Random, council: Council, officer: User, count: int) -> int:
    have = FrontDoorRequest.objects.filter(council=council).count()
    if have >= count:
        return 0
    moment = now()
    hours = office_hours_of(council.pk)
    requests: list[FrontDoorRequest] = []
    for number in range(have, count):
        answers = _answers(
            rng,
            council,
            unmet=rng.choice((0, 1, 1, 2, 3, 4, 5)),
            carer=rng.random() < 0.2,
            urgent=rng.random() < 0.02,
        )
        assessment = assess(answers)
        contact = services.contact_from(answers)
        queued = assessment.result == Result.LIKELY_ELIGIBLE or assessment.urgent
        # Spread over a year; the newest WAITING of those sent still wait for the council.
        submitted = moment - timedelta(
            days=365 * (count - number) / max(count, 1), hours=rng.random() * 6
        )
        waiting = queued and count - number <= WAITING * 2
        decided = queued and not waiting
        decided_at = submitted + timedelta(hours=rng.randint(2, 120)) if decided else None
        request = FrontDoorRequest(
            council=council,
            reference=services.new_reference(),
            status=(RequestStatus.RECEIVED if waiting else RequestStatus.CLOSED)
            if queued
            else RequestStatus.SIGNPOSTED,
            route=Route.QUEUE if queued else Route.SIGNPOSTED,
            answers=answers,
            assessment=assessment.to_json(),
            ruleset_version=assessment.version,
            result=assessment.result,
            urgent=assessment.urgent,
            submitted_at=submitted,
            changed_at=decided_at or submitted,
            decision=(Decision.REDIRECTED if rng.random() < 0.2 else Decision.ASSESSMENT)
            if decided
            else "",
            decided_at=decided_at,
            decision_wait_us=wait_us(submitted, decided_at, hours) if decided_at else None,
            decided_by=officer if decided else None,
            appropriate=(rng.random() > 0.2) if decided else None,
            **vars(contact),
        )
        requests.append(request)
    FrontDoorRequest.objects.bulk_create(requests, batch_size=1000)
    saved = FrontDoorRequest.objects.filter(
        council=council, reference__in=[r.reference for r in requests]
    )
    rows = []
    for request in saved:
        rows.append(
            RequestEvent(
                request=request,
                kind=EventKind.SUBMITTED,
                status=RequestStatus.RECEIVED
                if request.route == Route.QUEUE
                else RequestStatus.SIGNPOSTED,
                at=request.submitted_at,
            )
        )
        if request.decided_at is not None:
            rows.append(
                RequestEvent(
                    request=request,
                    kind=EventKind.CLOSED,
                    status=RequestStatus.CLOSED,
                    at=request.decided_at,
                    by=officer,
                    text="Assessed: a package of care has been arranged.",
                )
            )
    RequestEvent.objects.bulk_create(rows, batch_size=2000)
    return len(requests)


def scale_front_door(
    tally: Tally, council: Council, *, requests: int, directory_services: int
) -> dict[str, int]:
    """Top the scale council's front door up to `requests` requests and `directory_services`
    services. Bulk-loaded (the services write one journey at a time, with their e-mails and
    audit events): rows as request_submit and the triage services leave them."""
    if requests <= 0 and directory_services <= 0:
        return {"requests": 0, "directory services": 0, "postcodes": 0}
    rng = random.Random(61_000 + FrontDoorRequest.objects.filter(council=council).count())
    services.front_door_settings_update(
        council=council, by=None, is_open=True, contact_phone="01632 960 100"
    )
    email = f"frontdoor@{SCALE_SLUG}.example"
    _login(
        tally,
        email=email,
        first_name="Sam",
        last_name="Rowntree",
        role=Role.FRONT_DOOR_OFFICER,
        council=council,
    )
    officer = User.objects.get(email=email)
    for district in District.objects.filter(council=council, postcode_districts=""):
        code = scale_postcode_districts().get(district.name)
        if code:
            District.objects.filter(pk=district.pk).update(postcode_districts=code)
    points = _postcodes(rng)
    made_services = _directory(rng, council, points, directory_services)
    made_requests = _requests(rng, council, officer, requests)
    for kind, made in (
        ("front-door requests", made_requests),
        ("directory services", made_services),
    ):
        if made:
            tally.made(kind, made)
    return {
        "requests": made_requests,
        "directory services": made_services,
        "postcodes": len(points),
    }
