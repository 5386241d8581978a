"""The benchmark's council: Scale County Council with its teams and districts, its providers
with their services and contracts, the bench personas' log-ins, its service users, the
providers' read-only contacts and the duty officers who answer for the providers without a
log-in of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.demo.common import (
    DASH,
    PersonMaker,
    Tally,
    _contract,
    _council,
    _districts,
    _landline,
    _login,
    _provider,
    _service,
    _teams,
)
from carebridge.demo.scale_rows import in_batches
from carebridge.organisations.choices import ContractType
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

# Who answers the referrals of the providers without a log-in of their own: one duty officer
# each, bulk-loaded without a usable password (nobody logs in as them).
SCALE_DUTY_DOMAIN = "scale-duty.example"


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
    def people() -> Iterator[ServiceUser]:
        for _ in range(wanted):
            district = maker.rng.choice(districts)
            yield ServiceUser(
                council=council,
                ss_ref=next(references),
                district=district,
                **maker.person(town=district.name, county=""),
            )

    for batch in in_batches(people()):
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

    def contacts() -> Iterator[User]:
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
            made += 1
            yield user

    for batch in in_batches(contacts()):
        User.objects.bulk_create(batch)
    tally.made("provider contacts", wanted - have)


def scale_email(name: str) -> str:
    """The address of a bench persona's log-in: admin, broker, provider, payments, frontdoor."""
    return f"{name}@{SCALE_SLUG}.example"


def scale_provider_email(number: int) -> str:
    """The Super User log-in of provider `number` (1.., scale_provider_name's order): the load
    test logs in as these, so the form is a contract with bench/load/."""
    return f"provider{number:04d}@{SCALE_SLUG}.example"


def scale_login(name: str) -> User:
    """A bench persona's log-in, by the name its address starts with."""
    return User.objects.select_related("provider").get(email=scale_email(name))


# The bench personas' log-ins: the name their address starts with, who they are, their role.
_PERSONAS = (
    ("admin", "Morgan", "Ellery", Role.COUNCIL_ADMINISTRATOR),
    ("broker", "Jordan", "Pike", Role.BROKER),
    ("provider", "Robin", "Okafor", Role.SUPER_USER_SCHEDULED),
    # The payments officer who prepares runs (the load test's), and a second who approves and
    # finalises them: the same officer may not do both.
    ("payments", "Avery", "Lindqvist", Role.PAYMENTS_OFFICER),
    ("payments-approver", "Hollis", "Marchetti", Role.PAYMENTS_OFFICER),
    ("frontdoor", "Sam", "Rowntree", Role.FRONT_DOOR_OFFICER),
    ("ig", "Frankie", "Adair", Role.INFORMATION_GOVERNANCE),
)


def _scale_logins(tally: Tally, council: Council, provider: Provider) -> None:
    """The council's personas in the council, the provider persona at `provider`."""
    for name, first_name, last_name, role in _PERSONAS:
        at_provider = name == "provider"
        _login(
            tally,
            email=scale_email(name),
            first_name=first_name,
            last_name=last_name,
            role=role,
            council=None if at_provider else council,
            provider=provider if at_provider else None,
        )


@dataclass(frozen=True)
class ScaleCouncil:
    """The scale council as built, with what the loaders after it draw on."""

    council: Council
    districts: list[District]
    providers: list[Provider]
    maker: PersonMaker
    clients: int  # the service users the council has now


def scale_provider_logins(tally: Tally, providers: list[Provider], count: int) -> list[User]:
    """A Super User log-in at each of the first `count` providers (scale_provider_email), with
    the personas' password and passcode. Hashing them (argon2) is most of what making a log-in
    costs, so each is hashed once, for the provider persona through the services (`_login`),
    and its hashes are copied to the others, which are bulk-loaded."""
    persona = scale_login("provider")
    wanted = {scale_provider_email(n): providers[n - 1] for n in range(1, count + 1)}
    have = set(User.objects.filter(email__in=list(wanted)).values_list("email", flat=True))
    tally.found("provider log-ins", len(have))
    missing = [
        User(
            email=email,
            first_name="Duty",
            last_name=f"Manager {number:04d}",
            role=Role.SUPER_USER_SCHEDULED,
            provider=provider,
            password=persona.password,
            passcode=persona.passcode,
            password_changed_at=persona.password_changed_at,
            passcode_changed_at=persona.passcode_changed_at,
            must_change_password=False,
        )
        for number, (email, provider) in enumerate(wanted.items(), start=1)
        if email not in have
    ]
    for batch in in_batches(missing):
        User.objects.bulk_create(batch)
    if missing:
        tally.made("provider log-ins", len(missing))
    return list(User.objects.filter(email__in=list(wanted)).order_by("email"))


def scale_provider_users(count: int) -> list[User]:
    """The first `count` providers' log-ins (scale_provider_email), or the provider persona's
    alone when there are none."""
    if count <= 0:
        return [scale_login("provider")]
    emails = [scale_provider_email(n) for n in range(1, count + 1)]
    return list(User.objects.filter(email__in=emails).order_by("email"))


def scale_council(
    tally: Tally, clients: int, providers: int | None = None, provider_logins: int = 0
) -> ScaleCouncil:
    """The council, its teams and districts, `providers` providers (default: one for every
    hundred clients, at least five), the bench personas' log-ins, a Super User at each of the
    first `provider_logins` providers, service users topped up to `clients` and a tenth as
    many providers' contacts."""
    council = _council(tally, name=SCALE_COUNCIL_NAME, slug=SCALE_SLUG)
    _teams(tally, council)
    districts = _districts(tally, council, SCALE_DISTRICTS)
    # A fixed seed per run size would repeat people on a top-up; the seed follows the count.
    maker = PersonMaker(30000 + ServiceUser.objects.filter(council=council).count())

    wanted = max(5, clients // 100) if providers is None else max(providers, 1)
    made = _scale_providers(tally, council, maker, districts, max(wanted, provider_logins))
    _scale_logins(tally, council, made[0])
    scale_provider_logins(tally, made, provider_logins)
    total = _scale_service_users(tally, council, maker, districts, clients)
    _scale_contacts(tally, made, maker, clients // 10)
    return ScaleCouncil(council, districts, made, maker, total)


# --- Who answers for each provider ----------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who did something, with the label an update-log event or a post stores for them."""

    user: User
    label: str  # as referrals.services._by_label writes it

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user, f"{user.full_name} ({user.organisation})")


def provider_answerers(
    tally: Tally, providers: list[Provider], persona: User, maker: PersonMaker
) -> dict[int, Actor]:
    """Who answers each provider's referrals: the persona for its own, a duty officer elsewhere."""
    wanted = {
        f"duty{number:03d}@{SCALE_DUTY_DOMAIN}": provider
        for number, provider in enumerate(providers, start=1)
        if provider.pk != persona.provider_id
    }
    existing = {
        user.email: user
        for user in User.objects.filter(email__in=list(wanted)).select_related("provider")
    }
    tally.found("duty officers", len(existing))
    missing = []
    for email, provider in wanted.items():
        if email not in existing:
            user = User(
                email=email,
                first_name=maker.rng.choice(maker.female_names + maker.male_names),
                last_name=maker.rng.choice(maker.last_names),
                role=Role.SUPER_USER_SCHEDULED,
                provider=provider,
            )
            user.set_unusable_password()
            missing.append(user)
    if missing:
        User.objects.bulk_create(missing)
        tally.made("duty officers", len(missing))
    assert persona.provider_id is not None
    answerers = {persona.provider_id: Actor.of(persona)}
    for user in [*existing.values(), *missing]:
        assert user.provider_id is not None
        answerers[user.provider_id] = Actor.of(user)
    return answerers
