"""Every council deadline, by name: the rulebook's numbers applied by the one calendar in core.

Services, pages and the `carebridge deadline` command all ask here, so support staff see the same
answer the product acts on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from carebridge.core.calendar import (
    LONDON,
    add_service_time,
    add_working_days,
    is_working_day,
    to_london,
)
from carebridge.organisations.choices import ConfirmationRule
from carebridge.organisations.models import Rulebook


def referral_respond_by(rulebook: Rulebook, received_at: datetime) -> datetime:
    """When a provider must accept or refuse a referral: the reply window in service hours."""
    return add_service_time(
        received_at,
        timedelta(minutes=rulebook.referral_response_minutes),
        rulebook.referral_service_hours(),
    )


def referral_update_due_by(rulebook: Rulebook, first_visit_at: datetime) -> datetime:
    """When the provider update is due: plain hours after the first visit as it is now planned
    (after any delay), as care runs every day. The update says how the service has started, so
    the hours count from the start, not from the acceptance."""
    # In UTC: Python adds to a London-aware datetime in wall-clock time, which would be an hour
    # out across a clock change.
    return first_visit_at.astimezone(UTC) + timedelta(hours=rulebook.referral_update_hours)


def actuals_confirm_by(rulebook: Rulebook, period_end: date) -> datetime:
    """When a provider must confirm a period's actuals: close of business on the rulebook's
    weekday after the period (the next working day if that is a bank holiday), or N working days
    after it."""
    if rulebook.actuals_confirmation_rule == ConfirmationRule.WORKING_DAYS_AFTER:
        # Counted from the day after the period: its last day is not a day to confirm in.
        day = add_working_days(
            period_end + timedelta(days=1),
            max(rulebook.actuals_confirmation_working_days - 1, 0),
        )
    else:
        ahead = (rulebook.actuals_confirmation_weekday - period_end.weekday() - 1) % 7 + 1
        day = period_end + timedelta(days=ahead)
        while not is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, rulebook.close_of_business, tzinfo=LONDON).astimezone(UTC)


def _actuals_confirmation(rulebook: Rulebook, moment: datetime) -> datetime:
    # The command gives a moment: the deadline of a period that ends on that day.
    return actuals_confirm_by(rulebook, to_london(moment).date())


RULES: dict[str, Callable[[Rulebook, datetime], datetime]] = {
    "referral-response": referral_respond_by,
    "provider-update": referral_update_due_by,
    "actuals-confirmation": _actuals_confirmation,
}
