"""What the PDS tests share: the simulator's PDS on loopback (which only tests may reach, so a
test's fixture asks for `loopback_allowed`) with an empty cache (where tokens are kept) around
it, and a council connected to it. The browser journeys start it through here too
(tests/browser/frontdoor_professional_support.py)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache

from carebridge.integrations.models import PdsConnection
from carebridge.integrations.simulator import Simulator
from carebridge.integrations.simulator.pds import Pds
from carebridge.organisations.models import Council


@contextmanager
def pds_running() -> Iterator[Pds]:
    """The simulator's PDS and its token endpoint on a free loopback port, with its fixtures
    (an ordinary, a restricted and a superseded record), and no token cached from before."""
    peer = Pds()
    cache.clear()
    try:
        with Simulator(peer):
            yield peer
    finally:
        cache.clear()


def connect(council: Council, pds: Pds, **fields: object) -> PdsConnection:
    values: dict[str, object] = {
        "base_url": pds.base_url(),
        "token_url": pds.token_url(),
        "api_key": pds.api_key,
        "key_id": pds.key_id,
        "private_key": pds.private_key_pem,
        "ods_code": "X26",
        "trusted_email_domains": "nhs.net\nwrekinshire.gov.uk",
        **fields,
    }
    return PdsConnection.objects.create(council=council, **values)
