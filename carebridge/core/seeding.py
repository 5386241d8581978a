"""The demo and benchmark data sets: invented councils, providers, log-ins and service users.

`seed_demo` builds a small, fixed world through the product's own services, so the demo can only
contain states the product itself can reach. `seed_scale` builds a council-sized data set for the
benchmarks, bulk-loading the service users. Both can be run again safely: what exists is kept.

Every name, address and number here is invented; phone numbers come from Ofcom's ranges reserved
for drama, NHS numbers from the 999 range that is never issued.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Protocol

from django.db import transaction
from faker import Faker

from carebridge.accounts import services as accounts
from carebridge.accounts.models import User
from carebridge.accounts.roles import Role
from carebridge.core.demo import DEMO_PASSCODE, DEMO_PASSWORD
from carebridge.organisations import services as organisations
from carebridge.organisations.choices import (
    ActualsPeriod,
    ConfirmationRule,
    ContractType,
    TeamKind,
    Weekday,
)
from carebridge.organisations.models import Contract, Council, District, Provider, Service, Team
from carebridge.people.models import ServiceUser
from carebridge.people.services import service_user_create
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


# --------------------------------------------------------------------------------------------
# Invented people
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The demo world
# --------------------------------------------------------------------------------------------

TEAMS = (
    TeamKind.BROKERAGE,
    TeamKind.PAYMENTS,
    TeamKind.PROCUREMENT,
    TeamKind.FRONT_DOOR,
    TeamKind.SYSTEMS,
)

# The address part of each log-in, by role: broker@northshire.example, readonly@larkspur.example…
LOGIN_NAMES: dict[Role, str] = {
    Role.BROKER: "broker",
    Role.PAYMENTS_OFFICER: "payments",
    Role.FRONT_DOOR_OFFICER: "frontdoor",
    Role.COUNCIL_ADMINISTRATOR: "admin",
    Role.SUPER_USER_SCHEDULED: "superuser",
    Role.SUPER_USER_ACTUALS: "superuser.actuals",
    Role.PAYMENTS: "payments",
    Role.ADMINISTRATION: "administration",
    Role.REPORTS: "reports",
    Role.INVOICE_ONLY: "invoices",
    Role.READ_ONLY: "readonly",
}


@dataclass(frozen=True)
class DemoUser:
    role: Role
    first_name: str
    last_name: str


@dataclass(frozen=True)
class DemoCouncil:
    name: str
    slug: str
    phone: str
    county: str
    rulebook: dict[str, Any]
    districts: tuple[str, ...]
    users: tuple[DemoUser, ...]
    ss_ref_prefix: str
    ss_ref_base: int
    seed: int
    clients: int = 35


@dataclass(frozen=True)
class DemoService:
    name: str
    address_line_1: str
    town: str
    county: str
    postcode: str
    phone: str


@dataclass(frozen=True)
class DemoContract:
    council_slug: str
    reference: str
    contract_type: ContractType
    start_date: date


@dataclass(frozen=True)
class DemoProvider:
    name: str
    domain: str
    address_line_1: str
    address_line_2: str
    town: str
    county: str
    postcode: str
    phone: str
    services: tuple[DemoService, ...]
    contracts: tuple[DemoContract, ...]
    users: tuple[DemoUser, ...] = field(default_factory=tuple)


DEMO_COUNCILS = (
    DemoCouncil(
        name="Northshire County Council",
        slug="northshire",
        phone="0113 496 0100",
        county="Northshire",
        rulebook={
            "referral_service_start": time(8, 0),
            "referral_service_end": time(17, 30),
            "referral_service_days": "01234",
            "referral_service_closed_on_bank_holidays": True,
            "actuals_period": ActualsPeriod.FOUR_WEEKLY,
            "actuals_confirmation_rule": ConfirmationRule.WORKING_DAYS_AFTER,
            "actuals_confirmation_working_days": 5,
            "password_min_length": 9,
            "password_min_capitals": 1,
            "password_min_letters": 1,
            "password_min_digits": 2,
            "password_expiry_days": 365,
            "login_failures_before_lock": 3,
            "suspend_after_days": 60,
        },
        districts=("Hollowmere", "Brindle Vale", "Kettleby Moor", "Ashwell Green"),
        users=(
            DemoUser(Role.BROKER, "Priya", "Mistry"),
            DemoUser(Role.PAYMENTS_OFFICER, "Gareth", "Llewelyn"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Naomi", "Fairweather"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Owen", "Blackwood"),
        ),
        ss_ref_prefix="NS",
        ss_ref_base=100000,
        seed=20260101,
    ),
    DemoCouncil(
        name="Westbrook Borough Council",
        slug="westbrook",
        phone="0117 496 0200",
        county="",
        rulebook={
            "referral_service_start": time(7, 0),
            "referral_service_end": time(22, 0),
            "referral_service_days": "0123456",
            "referral_service_closed_on_bank_holidays": False,
            "actuals_period": ActualsPeriod.WEEKLY,
            "actuals_confirmation_rule": ConfirmationRule.WEEKDAY_AFTER,
            "actuals_confirmation_weekday": Weekday.TUESDAY,
            "close_of_business": time(17, 0),
            "password_min_length": 12,
            "password_min_capitals": 0,
            "password_min_letters": 0,
            "password_min_digits": 0,
            "password_expiry_days": 0,
            "login_failures_before_lock": 3,
            "suspend_after_days": 90,
            # Left off so demo log-ins need only the passcode.
            "staff_require_authenticator": False,
        },
        districts=("Fairholt", "Sallowfield", "Westbrook Central"),
        users=(
            DemoUser(Role.BROKER, "Femi", "Adeyemi"),
            DemoUser(Role.PAYMENTS_OFFICER, "Rosa", "Kowalczyk"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Callum", "Reid"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Imogen", "Thorpe"),
        ),
        ss_ref_prefix="WB",
        ss_ref_base=200000,
        seed=20260102,
    ),
)

DEMO_PROVIDERS = (
    DemoProvider(
        name="Larkspur Home Care",
        domain="larkspur",
        address_line_1="Unit 4, Kestrel Court",
        address_line_2="Mill Lane",
        town="Hollowmere",
        county="Northshire",
        postcode="HX4 8QT",
        phone="0114 496 0311",
        services=(
            DemoService(
                f"Larkspur Home Care {DASH} Hollowmere",
                "Unit 4, Kestrel Court, Mill Lane",
                "Hollowmere",
                "Northshire",
                "HX4 8QT",
                "0114 496 0312",
            ),
            DemoService(
                f"Larkspur Home Care {DASH} Brindle Vale",
                "12 Chapel Street",
                "Brindle Vale",
                "Northshire",
                "HX7 2LB",
                "0114 496 0313",
            ),
            DemoService(
                f"Larkspur Home Care {DASH} Fairholt",
                "The Old Post Office, 3 Market Place",
                "Fairholt",
                "",
                "BS16 4RJ",
                "0117 496 0314",
            ),
        ),
        contracts=(
            DemoContract("northshire", "NS/HC/2025/014", ContractType.FRAMEWORK, date(2025, 4, 1)),
            DemoContract("westbrook", "WB-SPOT-2025-0031", ContractType.SPOT, date(2025, 9, 1)),
        ),
        users=(
            DemoUser(Role.SUPER_USER_SCHEDULED, "Helen", "Castellano"),
            DemoUser(Role.SUPER_USER_ACTUALS, "Marcus", "Dunmore"),
            DemoUser(Role.PAYMENTS, "Aisha", "Rahman"),
            DemoUser(Role.ADMINISTRATION, "Declan", "Moss"),
            DemoUser(Role.REPORTS, "Yvonne", "Petrie"),
            DemoUser(Role.INVOICE_ONLY, "Sunil", "Varma"),
            DemoUser(Role.READ_ONLY, "Bethany", "Quayle"),
        ),
    ),
    DemoProvider(
        name="Meadowbank Care Services",
        domain="meadowbank",
        address_line_1="Meadowbank House",
        address_line_2="41 Station Road",
        town="Kettleby Moor",
        county="Northshire",
        postcode="HD9 3PW",
        phone="0115 496 0422",
        services=(
            DemoService(
                f"Meadowbank Care Services {DASH} Kettleby Moor",
                "Meadowbank House, 41 Station Road",
                "Kettleby Moor",
                "Northshire",
                "HD9 3PW",
                "0115 496 0423",
            ),
            DemoService(
                f"Meadowbank Care Services {DASH} Ashwell Green",
                "2 Orchard Parade",
                "Ashwell Green",
                "Northshire",
                "HD8 6TN",
                "0115 496 0424",
            ),
        ),
        contracts=(
            DemoContract(
                "northshire", "NS/HC/2025/022", ContractType.BLOCK_2015, date(2025, 10, 1)
            ),
        ),
        users=(DemoUser(Role.SUPER_USER_SCHEDULED, "Joanna", "Whitlock"),),
    ),
    DemoProvider(
        name="Riverside Support at Home",
        domain="riverside",
        address_line_1="First Floor, 18 Quay Street",
        address_line_2="",
        town="Sallowfield",
        county="",
        postcode="BS20 7NF",
        phone="0116 496 0533",
        services=(
            DemoService(
                f"Riverside Support at Home {DASH} Sallowfield",
                "First Floor, 18 Quay Street",
                "Sallowfield",
                "",
                "BS20 7NF",
                "0116 496 0534",
            ),
        ),
        contracts=(
            DemoContract("westbrook", "WB-FW-2025-0007", ContractType.FRAMEWORK, date(2025, 7, 1)),
        ),
        users=(DemoUser(Role.SUPER_USER_SCHEDULED, "Kwame", "Osei"),),
    ),
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


def _districts(tally: Tally, council: Council, names: Sequence[str]) -> list[District]:
    existing = {d.name: d for d in District.objects.filter(council=council)}
    districts = []
    for name in names:
        if name in existing:
            tally.found("districts")
            districts.append(existing[name])
            continue
        districts.append(organisations.district_create(council=council, name=name))
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


def _demo_service_users(
    tally: Tally, plan: DemoCouncil, council: Council, districts: list[District]
) -> None:
    existing = ServiceUser.objects.filter(council=council)
    existing_refs = set(existing.values_list("ss_ref", flat=True))
    taken_nhs_numbers = set(existing.values_list("nhs_number", flat=True))
    maker = PersonMaker(plan.seed, pool_size=200)
    # The references and people are drawn whatever exists, so every run draws the same ones.
    numbers = sorted(
        maker.rng.sample(range(plan.ss_ref_base + 1, plan.ss_ref_base + 1000), plan.clients)
    )
    for number in numbers:
        district = maker.rng.choice(districts)
        details = maker.person(town=district.name, county=plan.county)
        ss_ref = f"{plan.ss_ref_prefix}{number}"
        if ss_ref in existing_refs:
            tally.found("service users")
            continue
        if details["nhs_number"] in taken_nhs_numbers:
            # Someone added a person with this number by hand: leave theirs alone.
            details["nhs_number"] = ""
        service_user_create(council=council, by=None, ss_ref=ss_ref, district=district, **details)
        tally.made("service users")


def _demo_logins() -> list[dict[str, str]]:
    logins = []
    for council_plan in DEMO_COUNCILS:
        for user in council_plan.users:
            logins.append(
                {
                    "email": f"{LOGIN_NAMES[user.role]}@{council_plan.slug}.example",
                    "organisation": council_plan.name,
                    "role": str(user.role.label),
                }
            )
    for provider_plan in DEMO_PROVIDERS:
        for user in provider_plan.users:
            logins.append(
                {
                    "email": f"{LOGIN_NAMES[user.role]}@{provider_plan.domain}.example",
                    "organisation": provider_plan.name,
                    "role": str(user.role.label),
                }
            )
    return logins


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


@transaction.atomic
def seed_demo(stdout: Writer | None = None) -> dict[str, Any]:
    """Build the demo: two councils, three providers, a log-in for every role, 70 clients."""
    tally = Tally()
    councils: dict[str, Council] = {}
    for plan in DEMO_COUNCILS:
        council = _council(
            tally,
            name=plan.name,
            slug=plan.slug,
            rulebook=plan.rulebook,
            email=f"adultsocialcare@{plan.slug}.example",
            phone=plan.phone,
        )
        councils[plan.slug] = council
        _teams(tally, council)
        _districts(tally, council, plan.districts)

    # Contracts before log-ins: a provider's password rules are those of its councils.
    for provider_plan in DEMO_PROVIDERS:
        provider = _provider(
            tally,
            name=provider_plan.name,
            address_line_1=provider_plan.address_line_1,
            address_line_2=provider_plan.address_line_2,
            town=provider_plan.town,
            county=provider_plan.county,
            postcode=provider_plan.postcode,
            phone=provider_plan.phone,
            email=f"office@{provider_plan.domain}.example",
        )
        for service in provider_plan.services:
            _service(
                tally,
                provider,
                name=service.name,
                address_line_1=service.address_line_1,
                town=service.town,
                county=service.county,
                postcode=service.postcode,
                phone=service.phone,
                email=f"{service.town.lower().replace(' ', '')}@{provider_plan.domain}.example",
            )
        for contract in provider_plan.contracts:
            _contract(
                tally,
                councils[contract.council_slug],
                provider,
                reference=contract.reference,
                contract_type=contract.contract_type,
                start_date=contract.start_date,
            )
        for user in provider_plan.users:
            _login(
                tally,
                email=f"{LOGIN_NAMES[user.role]}@{provider_plan.domain}.example",
                first_name=user.first_name,
                last_name=user.last_name,
                role=user.role,
                provider=provider,
            )

    for plan in DEMO_COUNCILS:
        council = councils[plan.slug]
        for user in plan.users:
            _login(
                tally,
                email=f"{LOGIN_NAMES[user.role]}@{plan.slug}.example",
                first_name=user.first_name,
                last_name=user.last_name,
                role=user.role,
                council=council,
            )
        districts = list(District.objects.filter(council=council, name__in=plan.districts))
        districts.sort(key=lambda d: plan.districts.index(d.name))
        _demo_service_users(tally, plan, council, districts)

    logins = _demo_logins()
    _say(stdout, "Demo data:")
    _report(stdout, tally)
    _say(stdout)
    _say(stdout, login_table(logins))
    _say(stdout)
    _say(stdout, f"Every demo log-in: password {DEMO_PASSWORD}, passcode {DEMO_PASSCODE}")
    return {
        "created": tally.created,
        "existing": tally.existing,
        "logins": logins,
        "password": DEMO_PASSWORD,
        "passcode": DEMO_PASSCODE,
    }


# --------------------------------------------------------------------------------------------
# The benchmark council
# --------------------------------------------------------------------------------------------

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
