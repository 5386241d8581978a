"""The front door's personas: a council whose front door is open, and one of its front-door
officers. A module that needs another council (a named one, one with out-of-hours contacts)
keeps its own `council` fixture, which takes precedence."""

import pytest

from carebridge.accounts.models import User
from carebridge.frontdoor.tests.support_requests import open_council
from carebridge.organisations.models import Council
from tests.support import make_user


@pytest.fixture
def council(db) -> Council:
    return open_council()


@pytest.fixture
def officer(council: Council) -> User:
    return make_user(council=council, role="front_door_officer")
