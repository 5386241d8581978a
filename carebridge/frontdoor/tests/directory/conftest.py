"""The directory tests' world: our council with a front-door officer, and another council."""

import pytest

from carebridge.frontdoor.tests.directory.directory_support import World, build


@pytest.fixture
def world() -> World:
    return build()
