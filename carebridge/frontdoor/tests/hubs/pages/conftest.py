"""The appointment page tests' fixtures: a clock the tests move, an open council with a
front-door officer, its hub with times published for the week of 20 October 2026, and the
first of them."""

from datetime import date

import pytest

from carebridge.frontdoor.tests.hubs.test_hubs_support import first_slot, freeze, make_hub, publish
from carebridge.frontdoor.tests.support_requests import open_council
from tests.support import make_user


@pytest.fixture
def clock(monkeypatch):
    return freeze(monkeypatch)


@pytest.fixture
def council():
    return open_council("Wealdbridge Borough Council")


@pytest.fixture
def officer(council):
    return make_user(council=council, role="front_door_officer")


@pytest.fixture
def hub(council, officer, clock):
    hub = make_hub(council, officer)
    publish(hub, officer, date(2026, 10, 20), date(2026, 10, 22))
    return hub


@pytest.fixture
def slot(hub):
    return first_slot(hub)
