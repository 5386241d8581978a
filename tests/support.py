"""Builders for tests: every object is made through the product's own services."""

import threading
from datetime import date
from itertools import count
from typing import TYPE_CHECKING, Any

from django.db import connections

from carebridge.accounts.models import User
from carebridge.accounts.roles import Role
from carebridge.organisations import services as org
from carebridge.organisations.models import Contract, Council, Provider

if TYPE_CHECKING:
    from carebridge.organisations.models import District
    from carebridge.people.models import ServiceUser
    from carebridge.referrals.models import Referral

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


def make_district(council: Council, name: str = "", postcode_districts: str = "") -> "District":
    n = next(_numbers)
    return org.district_create(
        council=council, name=name or f"District {n}", postcode_districts=postcode_districts
    )


def referral_fields(**overrides: Any) -> dict[str, Any]:
    """A complete referral form's answers, as a broker would give them."""
    return {
        "source": "hospital",
        "hospital": "Kings Mill",
        "ward": "Ward 12",
        "discharge_date": date(2026, 11, 24),
        "requested_start_date": date(2026, 11, 25),
        "next_of_kin_name": "Pat Example",
        "next_of_kin_relationship": "Daughter",
        "next_of_kin_phone": "07700 900123",
        "consent_to_share": True,
        "health_needs": "Type 2 diabetes; recent fall.",
        "home_circumstances": "Lives alone in a bungalow.",
        "mobility": "Walks with a frame; one to transfer.",
        "support_summary": "Help to wash, dress and prepare meals.",
        "risks": "Falls at night.",
        "carers_required": 1,
        "visits_per_day": 3,
        "worker_name": "Sam Broker",
        "worker_team": "Hospital discharge team",
        "worker_phone": "01632 960001",
        "completed_on": date(2026, 11, 23),
        **overrides,
    }


def make_referral(
    council: Council,
    provider: Provider,
    *,
    by: User | None = None,
    district: "District | None" = None,
    person: "ServiceUser | None" = None,
    received_at: Any = None,
    **overrides: Any,
) -> "Referral":
    """A referral sent by the council to the provider, through the product's own service."""
    from carebridge.people import services as people
    from carebridge.referrals.services import referral_create

    n = next(_numbers)
    district = district or make_district(council)
    if person is None:
        person = people.service_user_create(
            council=council,
            by=by,
            ss_ref=f"SS{n:06d}",
            first_name="Maisy",
            last_name=f"Goddard{n}",
            date_of_birth=date(1940, 4, 23),
            postcode="NG22 9TE",
            address_line_1="44 Whinney Lane",
            town="Newark",
            district=district,
        )
    return referral_create(
        council=council,
        provider=provider,
        district=district,
        service_user=person,
        by=by,
        received_at=received_at,
        **referral_fields(**overrides),
    )


def run_together(work: Any, times: int) -> list[Any]:
    """Start `times` threads on one barrier so their transactions overlap."""
    barrier = threading.Barrier(times)
    results: list[Any] = []
    errors: list[Exception] = []

    def runner() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results
