"""The CRM tests' fixtures: a CRM on loopback (which only tests may post to), an empty Huey
queue around each test, and a council whose front door pushes to that CRM."""

import pytest

from carebridge.integrations.tests.crm.crm_support import Crm, with_crm
from tests.support import make_council


@pytest.fixture
def server():
    crm_server = Crm()
    yield crm_server
    crm_server.stop()


@pytest.fixture
def council(server):
    council = make_council("Wrekinshire Council")
    with_crm(council, server.url())
    return council


@pytest.fixture(autouse=True)
def _peers_on_loopback(loopback_allowed, empty_huey) -> None:
    """Every test here talks to peers on loopback, with no task left from another test."""
