"""The case-update tests' fixtures: the simulator's case-management system on loopback (which
only tests may post to), an empty Huey queue around each test, and a council whose system it
is, with a provider that answers the council's referrals."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from carebridge.accounts.models import User
from carebridge.integrations.models import CaseSystem
from carebridge.integrations.simulator import Faults, Simulator
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.organisations.models import Council, Provider
from tests.support import make_contract, make_council, make_provider, make_user

API_KEY = "the-councils-case-system-key"
SECRET = "the-councils-case-system-signing-secret"


@pytest.fixture
def peer() -> CaseManagement:
    return CaseManagement(api_key=API_KEY, signing_secret=SECRET)


@pytest.fixture
def sim(peer: CaseManagement) -> Iterator[Simulator]:
    with Simulator(peer) as simulator:
        simulator.faults = Faults(seed=20)
        yield simulator


@dataclass(frozen=True)
class World:
    council: Council
    provider: Provider
    broker: User
    carer: User
    system: CaseSystem


@pytest.fixture
def world(db: None, sim: Simulator) -> World:
    council = make_council("Sherwood Fields Council")
    provider = make_provider("Hollybush Home Care")
    make_contract(council, provider)
    system = CaseSystem.objects.create(
        council=council,
        base_url=f"{sim.url}/case-management",
        api_key=API_KEY,
        signing_secret=SECRET,
    )
    return World(
        council=council,
        provider=provider,
        broker=make_user(council=council, role="broker"),
        carer=make_user(provider=provider, role="super_user_actuals"),
        system=system,
    )


@pytest.fixture(autouse=True)
def _peers_on_loopback(loopback_allowed, empty_huey) -> None:
    """Every test here talks to peers on loopback, with no task left from another test."""
