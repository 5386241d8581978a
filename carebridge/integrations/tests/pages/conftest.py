"""The connections pages' fixtures: a council with its administrator, a simulator of the
council's case-management system on loopback (which only tests may call), and an empty Huey
queue around each test."""

from collections.abc import Iterator

import pytest

from carebridge.integrations.simulator import Simulator
from carebridge.integrations.simulator.case_management import CaseManagement
from tests.support import make_council, make_user

KEY = "simulator-key"


@pytest.fixture
def council(db):
    return make_council("Sherwood Vale County Council", case_feed_poll_seconds=120)


@pytest.fixture
def administrator(council):
    return make_user(council=council, role="council_administrator")


@pytest.fixture
def peer() -> CaseManagement:
    return CaseManagement(api_key=KEY)


@pytest.fixture
def sim(peer: CaseManagement, loopback_allowed) -> Iterator[Simulator]:
    with Simulator(peer) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _no_task_left(empty_huey) -> None:
    """No task left from another test. Only the tests that talk to the simulator ask for
    `loopback_allowed`: the others check that the pages refuse a loopback address."""
