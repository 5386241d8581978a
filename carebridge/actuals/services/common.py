"""What every write to actuals shares: its refusal, who may write, and which lines count."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from carebridge.accounts.models import User
from carebridge.contracts.choices import CpliStatus
from carebridge.core.errors import Refused
from carebridge.core.permissions import Function, can_edit

# Lines that were ever running: a proposed or rejected line has no actuals.
RUNNING = (CpliStatus.ACTIVE, CpliStatus.ENDED)
BATCH = 1000


class ActualsRefused(Refused):
    """A request the rules do not allow (a week in progress, a paid period...): one message."""


def require_editor(user: User) -> None:
    if user.provider_id is None or not can_edit(user.role, Function.ACTUALS):
        raise ActualsRefused("You do not have permission to change actuals.")


def running_in(start: date, end: date) -> Q:
    """CPLIs that run on some day from start to end."""
    return Q(status__in=RUNNING, start_date__lte=end) & (
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
