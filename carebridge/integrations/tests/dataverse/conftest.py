"""The Dataverse tests' fixtures: the simulator's Dataverse on loopback (which only tests may
reach), an empty cache (where tokens are kept) around each test, and a council connected to it
with a team to alert."""

import pytest
from django.core.cache import cache

from carebridge.integrations.models import DataverseConnection
from carebridge.integrations.simulator import Simulator
from carebridge.integrations.simulator.dataverse import Dataverse
from tests.support import make_council

TEAM = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dataverse():
    peer = Dataverse()
    peer.teams.add(TEAM)
    with Simulator(peer):
        yield peer


@pytest.fixture
def council(db):
    return make_council("Wrekinshire Council")


@pytest.fixture
def connection(council, dataverse):
    assert dataverse.sim is not None
    return DataverseConnection.objects.create(
        council=council,
        environment_url=f"{dataverse.sim.url}/dataverse",
        token_url=f"{dataverse.sim.url}/dataverse/token",
        client_id=dataverse.client_id,
        client_secret=dataverse.client_secret,
        team_id=TEAM,
    )


@pytest.fixture(autouse=True)
def _peers_on_loopback(loopback_allowed) -> None:
    """Every test here talks to peers on loopback, with no task left from another test."""
