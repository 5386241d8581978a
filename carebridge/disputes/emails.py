"""The daily summary's Disputes section: for a provider's users, each dispute the council raised,
resolved or reopened that day; for the council's users, each dispute whose provider requested
resolution. From the audit log's events, as the user's own dispute pages show them, never
quoting the details, the response or the notes (they name care)."""

from __future__ import annotations

from datetime import datetime

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.disputes.choices import DisputeEvent
from carebridge.disputes.models import Dispute
from carebridge.disputes.selectors import disputes_for
from carebridge.notifications.digest import DigestLine, digest_section_register
from carebridge.notifications.models import NotificationKind
from carebridge.notifications.services import site_link

# What each side hears of: the other side's moves, and the words for each.
PROVIDER_HEARS = {
    "dispute.raised": "added",
    f"dispute.{DisputeEvent.RESOLVE}": "resolved",
    f"dispute.{DisputeEvent.REOPEN}": "reopened",
}
COUNCIL_HEARS = {f"dispute.{DisputeEvent.REQUEST_RESOLUTION}": "resolution requested"}


def _digest_disputes(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Each move in the window on a dispute the user may see, in the order they happened."""
    if user.council_id is not None:
        heard, scope, page = COUNCIL_HEARS, {"council_id": user.council_id}, "council_detail"
    elif user.provider_id is not None:
        heard, scope, page = PROVIDER_HEARS, {"provider_id": user.provider_id}, "dispute_detail"
    else:
        return []
    moved = list(
        Event.objects.filter(
            **scope,
            object_type=Dispute._meta.label_lower,
            action__in=heard,
            at__gte=since,
            at__lt=until,
        )
        .order_by("at", "pk")
        .values_list("object_id", "action")
    )
    # disputes_for is the pages' own scope: a role that may not read disputes hears of none.
    disputes = disputes_for(user).in_bulk([int(pk) for pk, _action in moved])
    return [
        DigestLine(
            f"Dispute {dispute.pk} ({_other_side(user, dispute)}, {dispute.reason.label}): "
            f"{heard[action]}",
            site_link(f"disputes:{page}", dispute.pk),
        )
        for pk, action in moved
        if (dispute := disputes.get(int(pk))) is not None
    ]


def _other_side(user: User, dispute: Dispute) -> str:
    return dispute.provider.name if user.council_id is not None else dispute.council.name


def register_digest_sections() -> None:
    digest_section_register(NotificationKind.DAILY_DISPUTES, "Disputes", _digest_disputes)
