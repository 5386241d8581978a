"""Builders for tests: every object is made through the product's own services."""

from datetime import date
from itertools import count
from typing import Any

from carebridge.accounts.models import User
from carebridge.accounts.roles import Role
from carebridge.organisations import services as org
from carebridge.organisations.models import Contract, Council, Provider

PASSWORD = "Harbour-Lantern-42"
PASSCODE = "135790"
_numbers = count(1)


def make_council(name: str = "", **rulebook: Any) -> Council:
    n = next(_numbers)
    name = name or f"Council {n}"
    return org.council_create(name=name, slug=f"council-{n}", rulebook=rulebook)


def make_provider(name: str = "") -> Provider:
    n = next(_numbers)
    return org.provider_create(name=name or f"Provider {n} Care", postcode="M1 1AA")


def make_contract(council: Council, provider: Provider, **fields: Any) -> Contract:
    n = next(_numbers)
    fields = {
        "reference": f"C{n:05d}",
        "contract_type": "spot",
        "start_date": date(2026, 4, 1),
        **fields,
    }
    return org.contract_create(council=council, provider=provider, **fields)


def make_user(
    *,
    council: Council | None = None,
    provider: Provider | None = None,
    role: str | None = None,
    ready: bool = True,
    email: str = "",
) -> User:
    """A user in an organisation. `ready`: password changed and passcode chosen already."""
    from carebridge.accounts import services

    n = next(_numbers)
    role = role or (Role.COUNCIL_ADMINISTRATOR if council else Role.SUPER_USER_SCHEDULED)
    admin = None
    user, _initial = services.account_create(
        by=admin,
        email=email or f"user{n}@example.org",
        first_name="Alex",
        last_name=f"Tester{n}",
        role=role,
        council=council,
        provider=provider,
    )
    if ready:
        services.password_change(user=user, new_password=PASSWORD, by=user)
        services.passcode_change(user=user, new_passcode=PASSCODE, by=user)
    return user
