"""The access matrix's retention part: a legal hold the other council's administrator placed on
its own service user. Only that administrator may release it; its reason must never show on our
pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carebridge.retention import services as retention
from carebridge.retention.models import LegalHold
from tests.access_entry import Entry

if TYPE_CHECKING:
    from tests.access_matrix import World

REASON = "Quillinghurst inquest hold"
MARKERS = [REASON]


def build_retention(world: World) -> None:
    """The other council's legal hold, for the matrix's world."""
    retention.legal_hold_place(
        by=world.other_council_admin, service_user=world.other_service_user, reason=REASON
    )


def _hold(world: World) -> dict[str, int]:
    return {"pk": LegalHold.objects.get(council=world.other_council, reason=REASON).pk}


REGISTRY: dict[str, Entry] = {
    "retention:hold_release": Entry(kwargs=_hold, owner=lambda w: w.other_council_admin),
}
