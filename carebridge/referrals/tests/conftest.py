"""What the referral tests share: the moment their clock stands at, and the council, provider and
people most of their worlds start from.

The root conftest's personas (a provider working for two councils, with contracts, periods and
actuals) are more than a referral needs, so these are smaller; a module's `world` adds what its
tests need (districts, a person, another provider) to `parties`."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from unittest import mock

import pytest

from carebridge.accounts.models import User
from carebridge.organisations.models import Council, Provider
from tests.support import make_contract, make_council, make_provider, make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside the referral service's hours


@pytest.fixture
def frozen_now() -> Iterator[datetime]:
    """The clock stands at NOW. A module asks for it first (`pytest.mark.usefixtures` in its
    pytestmark), so its world is built at NOW too."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


@dataclass(frozen=True)
class Parties:
    """A council and the provider it holds a contract with, the council's broker who sends
    referrals, and the provider's Super User (Actuals) who answers them."""

    council: Council
    provider: Provider
    broker: User
    carer: User


@pytest.fixture
def parties(db: None) -> Parties:
    council = make_council("Ashdown Vale Council")
    provider = make_provider("Bluebell Lane Care")
    make_contract(council, provider)
    return Parties(
        council=council,
        provider=provider,
        broker=make_user(council=council, role="broker"),
        carer=make_user(provider=provider, role="super_user_actuals"),
    )
