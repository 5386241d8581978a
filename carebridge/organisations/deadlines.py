"""Every council deadline, by name: the rulebook's numbers applied by the one calendar in core.

Services, pages and the `carebridge deadline` command all ask here, so support staff see the same
answer the product acts on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from carebridge.core.calendar import add_service_time
from carebridge.organisations.models import Rulebook


def referral_respond_by(rulebook: Rulebook, received_at: datetime) -> datetime:
    """When a provider must accept or refuse a referral: the reply window in service hours."""
    return add_service_time(
        received_at,
        timedelta(minutes=rulebook.referral_response_minutes),
        rulebook.referral_service_hours(),
    )


def referral_update_due_by(rulebook: Rulebook, accepted_at: datetime) -> datetime:
    """When the provider update is due: plain hours after acceptance, as care runs every day."""
    # In UTC: Python adds to a London-aware datetime in wall-clock time, which would be an hour
    # out across a clock change.
    return accepted_at.astimezone(UTC) + timedelta(hours=rulebook.referral_update_hours)


RULES: dict[str, Callable[[Rulebook, datetime], datetime]] = {
    "referral-response": referral_respond_by,
    "provider-update": referral_update_due_by,
}
