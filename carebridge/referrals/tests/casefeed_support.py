"""What the case-management feed's tests share: a council whose CaseSystem is the simulator's
case-management peer on a real loopback server, a clock to poll at, and the push API's client.

The poller talks to the simulator over HTTP, through the same address guard as production
(loopback is allowed only by the tests' OUTBOUND_ALLOW_LOOPBACK)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from rest_framework.test import APIClient

from carebridge.integrations.models import CaseSystem, FeedPoll
from carebridge.integrations.services import api_token_create
from carebridge.integrations.simulator import Faults, Simulator
from carebridge.integrations.simulator.case_management import CaseManagement
from carebridge.organisations.models import Council, District, Provider
from carebridge.people import services as people
from carebridge.referrals import casefeed
from tests.support import make_contract, make_council, make_district, make_provider

KEY = "feed-key-7Hq2"
# A Monday inside the referral service's hours, as the referral tests' clock.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DISTRICT = "Newark and Sherwood"


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


@dataclass
class Feed:
    """The council, its provider and district, the simulator and its case-management peer."""

    council: Council
    provider: Provider
    district: District
    sim: Simulator
    peer: CaseManagement
    api: APIClient

    def body(self, external_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        district = overrides.pop("district", DISTRICT)
        return self.peer.referral_body(
            provider_id=self.provider.pk, district=district, external_id=external_id, **overrides
        )

    def add(self, count: int = 1, **overrides: Any) -> list[str]:
        """`count` new referrals at the end of the feed; their ids."""
        return [self.peer.add_referral(self.body(**overrides)) for _ in range(count)]

    def system(self) -> CaseSystem:
        return CaseSystem.objects.get(council=self.council)

    def poll_at(self, moment: datetime) -> FeedPoll | None:
        with frozen(moment):
            return casefeed.poll(self.council.pk)

    def poll_when_due(self) -> FeedPoll:
        """Poll at the moment the council is next due (now, when it never was polled)."""
        due = self.system().next_poll_at or NOW
        record = self.poll_at(due)
        assert record is not None
        return record

    def faults(self, **rates: Any) -> None:
        self.sim.faults = Faults(seed=20, **rates)


@contextmanager
def feed_world(peer: CaseManagement | None = None, **system: Any) -> Iterator[Feed]:
    """Built at NOW: a council with a district, a provider under contract, a person it knows
    (SS Ref AV100200), a push API key, and its CaseSystem pointing at a running simulator
    playing `peer` (a plain CaseManagement by default)."""
    peer = peer or CaseManagement(api_key=KEY)
    with Simulator(peer) as sim, frozen(NOW):
        sim.faults = Faults(seed=20)
        council = make_council("Ashdown Vale Council")
        provider = make_provider("Bluebell Lane Care")
        make_contract(council, provider)
        district = make_district(council, DISTRICT)
        people.service_user_create(
            council=council,
            by=None,
            ss_ref="AV100200",
            first_name="Maisy",
            last_name="Goddard",
            date_of_birth=date(1940, 4, 23),
            district=district,
        )
        _token, key = api_token_create(council=council, name="Case management", by=None)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        CaseSystem.objects.create(
            council=council,
            name="Mosaic",
            base_url=f"{sim.url}/case-management",
            api_key=KEY,
            signing_secret="feed-secret",
            **system,
        )
        yield Feed(council, provider, district, sim, peer, api)


def after(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)
