"""What the demo and the benchmark data sets share: invented people and idempotent builders."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from django.db import transaction
from faker import Faker

from carebridge.accounts import services as accounts
from carebridge.accounts.models import User
from carebridge.core.calendar import MAX_CLOSED_DAYS, ServiceHours, to_london
from carebridge.core.permissions import Role
from carebridge.demo.credentials import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import (
    TeamKind,
)
from carebridge.organisations.models import Contract, Council, District, Provider, Service, Team
from carebridge.people.validators import (
    generate_nhs_number,
    normalise_postcode,
    postcode_is_valid,
)

# A service is named "<provider> <en dash> <place>", the way the councils write branch names.
DASH = "\N{EN DASH}"


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


def _say(stdout: Writer | None, text: str = "") -> None:
    if stdout is not None:
        stdout.write(text + "\n")


# Ages are counted from a fixed day, so the demo is the same whenever it is built.
_AGES_FROM = date(2026, 1, 1)


_STREET_ENDINGS = (
    "Road",
    "Street",
    "Lane",
    "Close",
    "Avenue",
    "Drive",
    "Way",
    "Gardens",
    "Crescent",
    "Grove",
    "Terrace",
    "Walk",
)


_BUILDING_ENDINGS = ("House", "Court", "Lodge", "Mews")


_PRACTICE_ENDINGS = ("Medical Practice", "Health Centre", "Surgery", "Family Practice")


_KNOWN_AS = {
    "Margaret": "Peggy",
    "Elizabeth": "Betty",
    "Patricia": "Pat",
    "Dorothy": "Dot",
    "Catherine": "Kath",
    "Jennifer": "Jenny",
    "Susan": "Sue",
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Dick",
    "Edward": "Ted",
    "Anthony": "Tony",
    "Thomas": "Tom",
    "Michael": "Mike",
}


# Relatives by whether they are a woman; a spouse is drawn as the other of the couple.
_FAMILY: dict[str, bool | None] = {
    "Daughter": True,
    "Son": False,
    "Sister": True,
    "Brother": False,
    "Niece": True,
    "Nephew": False,
    "Spouse": None,
}


_OTHERS = ("Friend", "Neighbour", "Partner")


# Ofcom's numbers for drama: 01xx 496 0000-0999 and 07700 900000-900999 ring nobody.
_LANDLINE_AREAS = ("0113", "0114", "0115", "0116", "0117", "0118", "0121", "0131", "0161")


def _landline(rng: random.Random) -> str:
    return f"{rng.choice(_LANDLINE_AREAS)} 496 0{rng.randrange(1000):03d}"


def _mobile(rng: random.Random) -> str:
    return f"07700 900{rng.randrange(1000):03d}"


class PersonMaker:
    """Invented service users from a fixed seed: the same seed always gives the same people.

    Faker (en_GB) fills pools of names, streets and postcodes once; each person is then drawn
    from the pools with a seeded random generator, which is fast enough for 20,000 rows.
    """

    def __init__(self, seed: int, *, pool_size: int = 400) -> None:
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.female_names = [fake.first_name_female() for _ in range(pool_size)]
        self.male_names = [fake.first_name_male() for _ in range(pool_size)]
        self.last_names = [fake.last_name() for _ in range(pool_size)]
        self.streets = [
            f"{fake.last_name()} {self.rng.choice(_STREET_ENDINGS)}" for _ in range(pool_size)
        ]
        self.postcodes = [self._postcode(fake) for _ in range(pool_size * 2)]
        self._nhs_numbers: set[str] = set()

    @staticmethod
    def _postcode(fake: Faker) -> str:
        # Faker's en_GB postcodes do not all have the BS 7666 shape: draw until one does.
        # Outward codes ending in a letter (EC1A, W1D) exist only in central London, so they
        # are drawn again too: such an address in a shire would look made up.
        while True:
            candidate = normalise_postcode(fake.postcode())
            if postcode_is_valid(candidate) and candidate.split()[0][-1].isdigit():
                return candidate

    def reserve_nhs_numbers(self, numbers: Sequence[str]) -> None:
        """NHS numbers already taken in the council, never to be handed out again."""
        self._nhs_numbers.update(numbers)

    def nhs_number(self) -> str:
        while True:
            number = generate_nhs_number(self.rng)
            if number not in self._nhs_numbers:
                self._nhs_numbers.add(number)
                return number

    def postcode(self) -> str:
        return self.rng.choice(self.postcodes)

    def date_of_birth(self) -> date:
        rng = self.rng
        # Mostly older people; some younger adults with disabilities.
        age = rng.randint(65, 100) if rng.random() < 0.9 else rng.randint(19, 64)
        return _AGES_FROM - timedelta(days=age * 365 + age // 4 + rng.randrange(365))

    def address(self) -> dict[str, str]:
        rng = self.rng
        street = rng.choice(self.streets)
        if rng.random() < 0.25:
            building = f"{rng.choice(self.last_names)} {rng.choice(_BUILDING_ENDINGS)}"
            return {
                "address_line_1": f"Flat {rng.randint(1, 24)}, {building}",
                "address_line_2": street,
            }
        return {"address_line_1": f"{rng.randint(1, 240)} {street}", "address_line_2": ""}

    def person(self, *, town: str, county: str) -> dict[str, Any]:
        """The personal details of one invented service user, as the service takes them."""
        rng = self.rng
        female = rng.random() < 0.58
        first_name = rng.choice(self.female_names if female else self.male_names)
        last_name = rng.choice(self.last_names)
        title = (
            rng.choice(("Mrs", "Mrs", "Mrs", "Miss", "Ms", "Ms", "Dr"))
            if female
            else rng.choice(("Mr",) * 9 + ("Dr",))
        )
        known_as = _KNOWN_AS.get(first_name, "") if rng.random() < 0.5 else ""
        if rng.random() < 0.8:
            relationship = rng.choice(list(_FAMILY))
            kin_female = _FAMILY[relationship]
            if kin_female is None:
                relationship, kin_female = ("Husband", False) if female else ("Wife", True)
            kin_last_name = last_name if rng.random() < 0.7 else rng.choice(self.last_names)
        else:
            relationship = rng.choice(_OTHERS)
            kin_female = rng.random() < 0.6
            kin_last_name = rng.choice(self.last_names)
        kin_first_name = rng.choice(self.female_names if kin_female else self.male_names)
        if rng.random() < 0.5:
            practice = f"{town} {rng.choice(_PRACTICE_ENDINGS)}"
        else:
            practice = f"{rng.choice(self.streets)} Surgery"
        return {
            "title": title,
            "first_name": first_name,
            "last_name": last_name,
            "preferred_name": known_as,
            "date_of_birth": self.date_of_birth(),
            "nhs_number": self.nhs_number(),
            **self.address(),
            "town": town,
            "county": county,
            "postcode": self.postcode(),
            "phone": _landline(rng),
            "mobile": _mobile(rng) if rng.random() < 0.5 else "",
            "gp_name": f"Dr {rng.choice(self.female_names + self.male_names)[0]}. "
            f"{rng.choice(self.last_names)}",
            "gp_practice": practice,
            "gp_phone": _landline(rng),
            "next_of_kin_name": f"{kin_first_name} {kin_last_name}",
            "next_of_kin_relationship": relationship,
            "next_of_kin_phone": _mobile(rng),
            "consent_to_share": rng.random() < 0.88,
        }


TEAMS = (
    TeamKind.BROKERAGE,
    TeamKind.PAYMENTS,
    TeamKind.PROCUREMENT,
    TeamKind.FRONT_DOOR,
    TeamKind.SYSTEMS,
)


@dataclass
class Tally:
    """What a seeding run made and what it found already there."""

    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)

    def made(self, kind: str, count: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + count

    def found(self, kind: str, count: int = 1) -> None:
        self.existing[kind] = self.existing.get(kind, 0) + count


def _council(
    tally: Tally, *, name: str, slug: str, rulebook: dict[str, Any] | None = None, **fields: Any
) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is not None:
        tally.found("councils")
        return council
    tally.made("councils")
    return organisations.council_create(name=name, slug=slug, rulebook=rulebook, **fields)


def _teams(tally: Tally, council: Council) -> None:
    existing = set(Team.objects.filter(council=council).values_list("name", flat=True))
    for kind in TEAMS:
        name = str(kind.label)
        if name in existing:
            tally.found("teams")
            continue
        email = f"{kind.value.replace('_', '')}@{council.slug}.example"
        organisations.team_create(council=council, name=name, kind=kind, email=email)
        tally.made("teams")


def _districts(
    tally: Tally,
    council: Council,
    names: Sequence[str],
    postcode_districts: Mapping[str, str] | None = None,
) -> list[District]:
    """The council's districts by name, with the outward codes each covers when given."""
    existing = {d.name: d for d in District.objects.filter(council=council)}
    codes = postcode_districts or {}
    districts = []
    for name in names:
        if name in existing:
            tally.found("districts")
            districts.append(existing[name])
            continue
        districts.append(
            organisations.district_create(
                council=council, name=name, postcode_districts=codes.get(name, "")
            )
        )
        tally.made("districts")
    return districts


def _provider(tally: Tally, *, name: str, **fields: Any) -> Provider:
    provider = Provider.objects.filter(name=name).first()
    if provider is not None:
        tally.found("providers")
        return provider
    tally.made("providers")
    return organisations.provider_create(name=name, **fields)


def _service(tally: Tally, provider: Provider, *, name: str, **fields: Any) -> None:
    if Service.objects.filter(provider=provider, name=name).exists():
        tally.found("services")
        return
    organisations.service_create(provider=provider, name=name, **fields)
    tally.made("services")


def _contract(
    tally: Tally, council: Council, provider: Provider, *, reference: str, **fields: Any
) -> None:
    if Contract.objects.filter(council=council, reference=reference).exists():
        tally.found("contracts")
        return
    organisations.contract_create(council=council, provider=provider, reference=reference, **fields)
    tally.made("contracts")


def _login(
    tally: Tally,
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: Role,
    council: Council | None = None,
    provider: Provider | None = None,
) -> None:
    """A log-in ready to use: the demo password and passcode set, nothing left to change."""
    if User.objects.filter(email__iexact=email).exists():
        tally.found("users")
        return
    # All three steps or none, so a failed run never leaves a half-made log-in behind.
    with transaction.atomic():
        user, _initial = accounts.account_create(
            by=None,  # made by the system, not by an administrator
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
            council=council,
            provider=provider,
        )
        accounts.password_change(user=user, new_password=DEMO_PASSWORD, by=None)
        accounts.passcode_change(user=user, new_passcode=DEMO_PASSCODE, by=None)
    tally.made("users")


def login_table(logins: Sequence[dict[str, str]]) -> str:
    """The log-ins as a plain-text table for the terminal."""
    headings = {"email": "E-mail", "organisation": "Organisation", "role": "Role"}
    widths = {
        key: max(len(heading), *(len(row[key]) for row in logins))
        for key, heading in headings.items()
    }

    def line(row: dict[str, str]) -> str:
        return "  ".join(row[key].ljust(widths[key]) for key in headings).rstrip()

    rule = "  ".join("-" * widths[key] for key in headings)
    return "\n".join([line(headings), rule, *(line(row) for row in logins)])


def _report(stdout: Writer | None, tally: Tally) -> None:
    kinds = list(dict.fromkeys([*tally.created, *tally.existing]))
    for kind in kinds:
        _say(
            stdout,
            f"  {kind}: {tally.created.get(kind, 0)} created, "
            f"{tally.existing.get(kind, 0)} already there",
        )


def service_moment_before(at: datetime, elapsed: timedelta, hours: ServiceHours) -> datetime:
    """The latest moment from which `elapsed` of service time has passed by `at`.

    The reverse of calendar.add_service_time, for receipt times whose reply window is a chosen
    part used up: the bench and the demo want pending referrals in time, due soon and missed.
    """
    cursor = at.astimezone(UTC)
    remaining = elapsed
    day = to_london(at).date()
    closed_run = 0
    while True:
        window = hours.window_on(day)
        if window is not None and window[0] < cursor:
            opens, closes = window
            end = min(closes, cursor)
            available = end - opens
            if remaining <= available:
                return end - remaining
            remaining -= available
            closed_run = 0
        else:
            closed_run += 1
            if closed_run > MAX_CLOSED_DAYS:
                raise ValueError("These service hours never open.")
        day -= timedelta(days=1)
