"""The demo's integrations: Westbrook's case-management system is the simulator `make demo` runs
beside the portal (scripts/run-demo.sh: `carebridge simulator --port 8765 --generate-every …
--council westbrook`), so the poller takes a new referral from its feed every few minutes and
every answer to one is sent back to it. Set through the connections service, as Westbrook's
administrator would on the connections page; running it again finds the system there and
changes nothing (not even the address an administrator may have changed since)."""

from __future__ import annotations

from carebridge.core.outbound import url_refusal
from carebridge.demo.common import Tally
from carebridge.integrations.connections import case_system_update
from carebridge.integrations.models import CaseSystem
from carebridge.organisations.models import Council

CASE_SYSTEM_COUNCIL = "westbrook"
# What scripts/run-demo.sh starts: `carebridge simulator`'s port and its default API key.
SIMULATOR_URL = "http://127.0.0.1:8765/case-management"
SIMULATOR_API_KEY = "simulator-key"


def demo_integrations(tally: Tally, councils: dict[str, Council]) -> None:
    council = councils.get(CASE_SYSTEM_COUNCIL)
    if council is None:
        return
    if CaseSystem.objects.filter(council=council).exists():
        tally.found("case-management systems")
        return
    if url_refusal(SIMULATOR_URL):
        # Only a portal allowed to reach loopback (the demo's DEBUG) can talk to the simulator;
        # anywhere else the address would be refused, and no simulator runs there.
        return
    case_system_update(
        council=council,
        by=None,
        name="Case management (simulator)",
        base_url=SIMULATOR_URL,
        polling_enabled=True,
        updates_enabled=True,
        api_key=SIMULATOR_API_KEY,
    )
    tally.made("case-management systems")
