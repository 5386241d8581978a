"""The help tests' council and its readers; a test module that needs a council with its own
settings, or other roles of reader, overrides `council` or `readers`."""

import pytest

from carebridge.help.tests.support import Readers, readers_for
from carebridge.organisations.models import Council
from tests.support import make_council


@pytest.fixture
def council(db: None) -> Council:
    return make_council()


@pytest.fixture
def readers(council: Council) -> Readers:
    """A provider's Super User (Actuals), the council's administrator and a visitor."""
    return readers_for(council)
