"""Who the demo is about: its two councils and three providers as planned (`DEMO_COUNCILS`,
`DEMO_PROVIDERS`), and the organisations, log-ins and service users built from the plans
through the product's own services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from carebridge.core.permissions import Role
from carebridge.demo.common import (
    DASH,
    PersonMaker,
    Tally,
    _contract,
    _council,
    _districts,
    _login,
    _provider,
    _service,
    _teams,
)
from carebridge.organisations.choices import (
    ActualsPeriod,
    ConfirmationRule,
    ContractType,
    Weekday,
)
from carebridge.organisations.models import Council, District
from carebridge.people.models import ServiceUser
from carebridge.people.services import service_user_create

# The address part of each log-in, by role: broker@northshire.example, readonly@larkspur.example…
LOGIN_NAMES: dict[Role, str] = {
    Role.BROKER: "broker",
    Role.PAYMENTS_OFFICER: "payments",
    Role.FRONT_DOOR_OFFICER: "frontdoor",
    Role.COUNCIL_ADMINISTRATOR: "admin",
    Role.INFORMATION_GOVERNANCE: "ig",
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
class DemoDistrict:
    name: str
    # Invented for the demo: outward codes of the shape NG22, never a real council's map.
    postcode_districts: str


@dataclass(frozen=True)
class DemoCouncil:
    name: str
    slug: str
    phone: str
    county: str
    rulebook: dict[str, Any]
    districts: tuple[DemoDistrict, ...]
    hospitals: tuple[str, ...]
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
    # The provider's number in the council's finance system (invented), for the finance export.
    supplier_reference: str = ""


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
        districts=(
            DemoDistrict("Hollowmere", "HX3 HX4 HX5"),
            DemoDistrict("Brindle Vale", "HX6 HX7"),
            DemoDistrict("Kettleby Moor", "HD7 HD9"),
            DemoDistrict("Ashwell Green", "HD4 HD8"),
        ),
        hospitals=("Northshire General Hospital", "Hollowmere Community Hospital"),
        users=(
            DemoUser(Role.BROKER, "Priya", "Mistry"),
            DemoUser(Role.PAYMENTS_OFFICER, "Gareth", "Llewelyn"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Naomi", "Fairweather"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Owen", "Blackwood"),
            DemoUser(Role.INFORMATION_GOVERNANCE, "Harriet", "Okonjo"),
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
            # Its staff set the due dates of providers' actions (Stockport's guide, appendix 1).
            "actions_provider_due_date_required": False,
        },
        districts=(
            DemoDistrict("Fairholt", "BS15 BS16"),
            DemoDistrict("Sallowfield", "BS20 BS21"),
            DemoDistrict("Westbrook Central", "BS1 BS2 BS5"),
        ),
        hospitals=("Westbrook Royal Infirmary", "Fairholt Community Hospital"),
        users=(
            DemoUser(Role.BROKER, "Femi", "Adeyemi"),
            DemoUser(Role.PAYMENTS_OFFICER, "Rosa", "Kowalczyk"),
            DemoUser(Role.FRONT_DOOR_OFFICER, "Callum", "Reid"),
            DemoUser(Role.COUNCIL_ADMINISTRATOR, "Imogen", "Thorpe"),
            DemoUser(Role.INFORMATION_GOVERNANCE, "Declan", "Moss"),
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
            DemoContract(
                "northshire",
                "NS/HC/2025/014",
                ContractType.FRAMEWORK,
                date(2025, 4, 1),
                supplier_reference="S104417",
            ),
            DemoContract(
                "westbrook",
                "WB-SPOT-2025-0031",
                ContractType.SPOT,
                date(2025, 9, 1),
                supplier_reference="WBS-20913",
            ),
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
                "northshire",
                "NS/HC/2025/022",
                ContractType.BLOCK_2015,
                date(2025, 10, 1),
                supplier_reference="S104652",
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
            DemoContract(
                "westbrook",
                "WB-FW-2025-0007",
                ContractType.FRAMEWORK,
                date(2025, 7, 1),
                supplier_reference="WBS-20877",
            ),
        ),
        users=(DemoUser(Role.SUPER_USER_SCHEDULED, "Kwame", "Osei"),),
    ),
)


def demo_email(role: Role, domain: str) -> str:
    """The address of a demo log-in: the role's name at the organisation's domain."""
    return f"{LOGIN_NAMES[role]}@{domain}.example"


def second_payments_email(slug: str) -> str:
    """The council's second payments officer (runs_demo's), who prepares the payment runs the
    first one approves: a run needs two officers."""
    return f"payments2@{slug}.example"


def demo_councils(tally: Tally) -> dict[str, Council]:
    """Each planned council, with its teams and districts, by slug."""
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
        _districts(
            tally,
            council,
            [d.name for d in plan.districts],
            {d.name: d.postcode_districts for d in plan.districts},
        )
    return councils


def demo_providers(tally: Tally, councils: dict[str, Council]) -> None:
    """Each planned provider, with its services, its contracts with the councils and its
    log-ins."""
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
                supplier_reference=contract.supplier_reference,
            )
        for user in provider_plan.users:
            _login(
                tally,
                email=demo_email(user.role, provider_plan.domain),
                first_name=user.first_name,
                last_name=user.last_name,
                role=user.role,
                provider=provider,
            )


def demo_council_logins(tally: Tally, plan: DemoCouncil, council: Council) -> None:
    """The council's planned log-ins, one for each of its roles."""
    for user in plan.users:
        _login(
            tally,
            email=demo_email(user.role, plan.slug),
            first_name=user.first_name,
            last_name=user.last_name,
            role=user.role,
            council=council,
        )


def demo_service_users(tally: Tally, plan: DemoCouncil, council: Council) -> None:
    """The council's planned number of clients, each living in one of its districts."""
    names = [d.name for d in plan.districts]
    districts = list(District.objects.filter(council=council, name__in=names))
    districts.sort(key=lambda d: names.index(d.name))
    existing = ServiceUser.objects.filter(council=council)
    existing_refs = set(existing.values_list("ss_ref", flat=True))
    taken_nhs_numbers = set(existing.values_list("nhs_number", flat=True))
    maker = PersonMaker(plan.seed, pool_size=200)
    # The references and people are drawn whatever exists, so every run draws the same ones.
    numbers = sorted(
        maker.rng.sample(range(plan.ss_ref_base + 1, plan.ss_ref_base + 1000), plan.clients)
    )
    codes = {d.name: d.postcode_districts.split() for d in plan.districts}
    for number in numbers:
        district = maker.rng.choice(districts)
        details = maker.person(town=district.name, county=plan.county)
        # The person lives in their district: a postcode with one of its outward codes.
        outward = maker.rng.choice(codes[district.name])
        details["postcode"] = f"{outward} {details['postcode'].split()[1]}"
        ss_ref = f"{plan.ss_ref_prefix}{number}"
        if ss_ref in existing_refs:
            tally.found("service users")
            continue
        if details["nhs_number"] in taken_nhs_numbers:
            # Someone added a person with this number by hand: leave theirs alone.
            details["nhs_number"] = ""
        service_user_create(council=council, by=None, ss_ref=ss_ref, district=district, **details)
        tally.made("service users")


def demo_logins() -> list[dict[str, str]]:
    """Every demo log-in, for the table the command prints."""
    logins = []
    for council_plan in DEMO_COUNCILS:
        for user in council_plan.users:
            logins.append(
                {
                    "email": demo_email(user.role, council_plan.slug),
                    "organisation": council_plan.name,
                    "role": str(user.role.label),
                }
            )
        logins.append(
            {
                "email": f"safeguarding@{council_plan.slug}.example",
                "organisation": council_plan.name,
                "role": f"{Role.FRONT_DOOR_OFFICER.label}, safeguarding team",
            }
        )
        logins.append(
            {
                "email": second_payments_email(council_plan.slug),
                "organisation": council_plan.name,
                "role": f"{Role.PAYMENTS_OFFICER.label}, prepares payment runs",
            }
        )
    for provider_plan in DEMO_PROVIDERS:
        for user in provider_plan.users:
            logins.append(
                {
                    "email": demo_email(user.role, provider_plan.domain),
                    "organisation": provider_plan.name,
                    "role": str(user.role.label),
                }
            )
    return logins
