"""A provider working for two councils, with a contact in each role that matters here; another
provider of the first council; and each council's reviewer. Made through the product's services."""

from dataclasses import dataclass

import pytest

from carebridge.accounts.models import User
from carebridge.organisations import services as org
from carebridge.organisations.models import ChangeRequest, Council, Provider, Service
from tests.support import make_contract, make_council, make_provider, make_user


@dataclass
class World:
    council: Council
    other_council: Council
    provider: Provider
    other_provider: Provider
    service: Service
    other_service: Service
    super_user: User
    administration: User
    reports: User
    read_only: User
    payments: User
    stranger: User
    reviewer: User
    broker: User
    other_reviewer: User

    def raise_(self, kind: str, *, by: User | None = None, **fields) -> ChangeRequest:
        """A request sent to the first council (the provider works for two)."""
        fields.setdefault("council", self.council)
        return org.change_request_raise(by=by or self.super_user, kind=kind, **fields)


@pytest.fixture
def world() -> World:
    council = make_council("Ashdown Vale Council")
    other_council = make_council("Brackenfold Borough Council")
    provider = org.provider_create(
        name="Bluebell Lane Care",
        address_line_1="4 Kestrel Court",
        town="Hollowmere",
        postcode="M1 1AA",
        phone="0114 496 0311",
        email="office@bluebell.example",
    )
    make_contract(council, provider)
    make_contract(other_council, provider)
    other_provider = make_provider("Zephyrine Domiciliary Services")
    make_contract(council, other_provider)
    return World(
        council=council,
        other_council=other_council,
        provider=provider,
        other_provider=other_provider,
        service=org.service_create(
            provider=provider,
            name="Bluebell Lane Care – Hollowmere",
            address_line_1="12 Chapel Street",
            town="Hollowmere",
            postcode="M1 1AA",
            phone="0114 496 0312",
        ),
        other_service=org.service_create(
            provider=other_provider, name="Zephyrine Riverside Branch", postcode="EC1A 1BB"
        ),
        super_user=make_user(provider=provider, role="super_user_scheduled"),
        administration=make_user(provider=provider, role="administration"),
        reports=make_user(provider=provider, role="reports"),
        read_only=make_user(provider=provider, role="read_only"),
        payments=make_user(provider=provider, role="payments"),
        stranger=make_user(provider=other_provider, role="super_user_scheduled"),
        reviewer=make_user(council=council, role="council_administrator"),
        broker=make_user(council=council, role="broker"),
        other_reviewer=make_user(council=other_council, role="council_administrator"),
    )
