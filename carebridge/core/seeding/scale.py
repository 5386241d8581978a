"""The benchmark data set: one council-sized council, its service users bulk-loaded."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.accounts.roles import Role
from carebridge.core.demo import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.core.seeding.common import (
    DASH,
    PersonMaker,
    Tally,
    Writer,
    _contract,
    _council,
    _districts,
    _landline,
    _login,
    _provider,
    _report,
    _say,
    _service,
    _teams,
)
from carebridge.organisations.choices import (
    ContractType,
)
from carebridge.organisations.models import Council, District, Provider
from carebridge.people.models import ServiceUser

SCALE_COUNCIL_NAME = "Scale County Council"


SCALE_SLUG = "scale"


SCALE_SS_REF_PREFIX = "SC"


SCALE_DISTRICTS = (
    "Amberleigh",
    "Brackenholt",
    "Copperdale",
    "Dunmere",
    "Elmsworth",
    "Foxhollow",
    "Greywater",
    "Hazelcombe",
    "Ironmoor",
    "Juniper Cross",
)


_SCALE_WORDS = (
    "Alder",
    "Beacon",
    "Bramble",
    "Clover",
    "Harebell",
    "Heron",
    "Lantana",
    "Marigold",
    "Oakleaf",
    "Primrose",
    "Rowan",
    "Saffron",
    "Sorrel",
    "Thistle",
    "Willow",
)


_SCALE_KINDS = ("Home Care", "Care Services", "Support at Home", "Homecare", "Care at Home")


_SCALE_CONTRACT_TYPES = (ContractType.SPOT, ContractType.BLOCK_2015, ContractType.FRAMEWORK)


SCALE_CONTACT_DOMAIN = "scale-providers.example"


SCALE_BATCH = 2000


def scale_provider_name(number: int) -> str:
    word = _SCALE_WORDS[number % len(_SCALE_WORDS)]
    kind = _SCALE_KINDS[number // len(_SCALE_WORDS) % len(_SCALE_KINDS)]
    return f"{word} {kind} (Scale {number:03d})"


def _scale_providers(
    tally: Tally, council: Council, maker: PersonMaker, districts: list[District], count: int
) -> list[Provider]:
    providers = []
    for number in range(1, count + 1):
        name = scale_provider_name(number)
        town = districts[number % len(districts)].name
        provider = _provider(
            tally,
            name=name,
            address_line_1=f"{maker.rng.randint(1, 120)} {maker.rng.choice(maker.streets)}",
            town=town,
            postcode=maker.postcode(),
            phone=_landline(maker.rng),
            email=f"office{number:03d}@{SCALE_CONTACT_DOMAIN}",
        )
        for branch in (0, 1):
            branch_town = districts[(number + branch * 5) % len(districts)].name
            _service(
                tally,
                provider,
                name=f"{name} {DASH} {branch_town}",
                address_line_1=f"{maker.rng.randint(1, 120)} {maker.rng.choice(maker.streets)}",
                town=branch_town,
                postcode=maker.postcode(),
                phone=_landline(maker.rng),
            )
        _contract(
            tally,
            council,
            provider,
            reference=f"SCALE-{number:04d}",
            contract_type=_SCALE_CONTRACT_TYPES[number % len(_SCALE_CONTRACT_TYPES)],
            start_date=date(2025, 4, 1) + timedelta(days=7 * (number % 60)),
        )
        providers.append(provider)
    return providers


def _free_numbers(taken: set[str], prefix: str, start: int) -> Iterator[str]:
    number = start
    while True:
        number += 1
        reference = f"{prefix}{number}"
        if reference not in taken:
            yield reference


def _scale_service_users(
    tally: Tally, council: Council, maker: PersonMaker, districts: list[District], clients: int
) -> int:
    existing = ServiceUser.objects.filter(council=council)
    have = existing.count()
    wanted = max(clients - have, 0)
    tally.found("service users", have)
    if not wanted:
        return have
    maker.reserve_nhs_numbers(
        list(existing.exclude(nhs_number="").values_list("nhs_number", flat=True))
    )
    references = _free_numbers(
        set(existing.values_list("ss_ref", flat=True)), SCALE_SS_REF_PREFIX, 300000
    )
    # The services write one person at a time, each with its audit event: right for people
    # entered by staff, far too slow for a benchmark's 20,000. This loader is the one exception:
    # it writes rows the services would accept (NHS numbers and postcodes are only ever drawn
    # valid) and records no audit events, since no one entered or viewed these people.
    batch: list[ServiceUser] = []
    for _ in range(wanted):
        district = maker.rng.choice(districts)
        batch.append(
            ServiceUser(
                council=council,
                ss_ref=next(references),
                district=district,
                **maker.person(town=district.name, county=""),
            )
        )
        if len(batch) == SCALE_BATCH:
            ServiceUser.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceUser.objects.bulk_create(batch)
    tally.made("service users", wanted)
    return have + wanted


def _scale_contacts(
    tally: Tally, providers: list[Provider], maker: PersonMaker, wanted: int
) -> None:
    # Read-only contacts are bulk-loaded for the same reason as the service users; they have
    # no usable password, so nobody can log in as one.
    emails = set(
        User.objects.filter(email__endswith=f"@{SCALE_CONTACT_DOMAIN}").values_list(
            "email", flat=True
        )
    )
    have = len(emails)
    tally.found("provider contacts", have)
    if have >= wanted:
        return
    batch: list[User] = []
    number = 0
    made = 0
    while have + made < wanted:
        number += 1
        email = f"contact{number:05d}@{SCALE_CONTACT_DOMAIN}"
        if email in emails:
            continue
        female = maker.rng.random() < 0.7
        user = User(
            email=email,
            first_name=maker.rng.choice(maker.female_names if female else maker.male_names),
            last_name=maker.rng.choice(maker.last_names),
            role=Role.READ_ONLY,
            provider=providers[number % len(providers)],
        )
        user.set_unusable_password()
        batch.append(user)
        made += 1
        if len(batch) == SCALE_BATCH:
            User.objects.bulk_create(batch)
            batch = []
    if batch:
        User.objects.bulk_create(batch)
    tally.made("provider contacts", made)


@transaction.atomic
def seed_scale(clients: int = 20000, stdout: Writer | None = None) -> dict[str, Any]:
    """A council-sized data set for the benchmarks, topped up to `clients` service users."""
    started = clock.perf_counter()
    tally = Tally()
    council = _council(tally, name=SCALE_COUNCIL_NAME, slug=SCALE_SLUG)
    _teams(tally, council)
    districts = _districts(tally, council, SCALE_DISTRICTS)
    # A fixed seed per run size would repeat people on a top-up; the seed follows the count.
    maker = PersonMaker(30000 + ServiceUser.objects.filter(council=council).count())

    providers = _scale_providers(tally, council, maker, districts, max(5, clients // 100))
    _login(
        tally,
        email=f"admin@{SCALE_SLUG}.example",
        first_name="Morgan",
        last_name="Ellery",
        role=Role.COUNCIL_ADMINISTRATOR,
        council=council,
    )
    _login(
        tally,
        email=f"broker@{SCALE_SLUG}.example",
        first_name="Jordan",
        last_name="Pike",
        role=Role.BROKER,
        council=council,
    )
    _login(
        tally,
        email=f"provider@{SCALE_SLUG}.example",
        first_name="Robin",
        last_name="Okafor",
        role=Role.SUPER_USER_SCHEDULED,
        provider=providers[0],
    )
    total = _scale_service_users(tally, council, maker, districts, clients)
    _scale_contacts(tally, providers, maker, clients // 10)
    seconds = clock.perf_counter() - started

    _say(stdout, f"Scale data ({SCALE_COUNCIL_NAME}):")
    _report(stdout, tally)
    _say(stdout, f"  {total} service users in the council now; took {seconds:.1f} s")
    _say(
        stdout,
        f"Log-ins admin@{SCALE_SLUG}.example, broker@{SCALE_SLUG}.example, "
        f"provider@{SCALE_SLUG}.example: password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}",
    )
    return {
        "created": tally.created,
        "existing": tally.existing,
        "clients": total,
        "providers": len(providers),
        "seconds": seconds,
    }
