"""The CRM tests' fixtures: a CRM on loopback (which only tests may post to), an empty Huey
queue around each test, and a council whose front door pushes to that CRM."""

import pytest
from huey.contrib.djhuey import HUEY

from carebridge.integrations.tests.crm.crm_support import Crm, with_crm
from tests.support import make_council


@pytest.fixture
def server():
    crm_server = Crm()
    yield crm_server
    crm_server.stop()


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The fake CRM runs on 127.0.0.1, which production never posts to: only tests allow it."""
    settings.OUTBOUND_ALLOW_LOOPBACK = True


@pytest.fixture(autouse=True)
def empty_huey():
    HUEY.flush()
    yield
    HUEY.flush()


@pytest.fixture
def council(server):
    council = make_council("Wrekinshire Council")
    with_crm(council, server.url())
    return council
