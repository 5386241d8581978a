"""What every write to actuals shares: its refusal, who may write, which lines count, and a new
row for a line's week."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Period
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.models import Cpli
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


def new_actual(
    cpli: Cpli, period: Period, week: date, planned: Decimal, **values: object
) -> Actual:
    """A line's row for a week in its council's period, not yet saved: it carries the line's
    council, provider, service and service user, and the `values` given."""
    return Actual(
        period=period,
        cpli=cpli,
        council_id=cpli.council_id,
        provider_id=cpli.provider_id,
        service_id=cpli.service_id,
        service_user_id=cpli.service_user_id,
        week_start=week,
        planned=planned,
        **values,
    )
