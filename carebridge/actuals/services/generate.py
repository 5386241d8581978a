"""Generating actuals: filling each line's week with its plan, for the provider to change."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK, RuleSource, planned_for
from carebridge.actuals.rules import Entry, assess
from carebridge.actuals.services.common import (
    BATCH,
    ActualsRefused,
    new_actual,
    require_editor,
    running_in,
)
from carebridge.actuals.services.periods import periods_of, week_refusal
from carebridge.audit.services import record
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now


@transaction.atomic
def actuals_generate(
    user: User,
    *,
    weeks: Sequence[date],
    service_id: int | None = None,
    council_id: int | None = None,
) -> int:
    """Fill every CPLI running in each week with its plan (part weeks pro rata by days active),
    where it has no actual yet. Short breaks are not planned weekly and are left to the provider.
    Pressing it twice, or two people at once, adds nothing the second time. Returns rows added.
    With a council, only its lines: a provider working for several councils generates each
    council's period on its own, so one council's paid period never stops another's open one."""
    require_editor(user)
    provider_id = user.provider_id
    assert provider_id is not None
    cplis = Cpli.objects.filter(provider_id=provider_id, yearly_allocation__isnull=True)
    if service_id is not None:
        cplis = cplis.filter(service_id=service_id)
    if council_id is not None:
        cplis = cplis.filter(council_id=council_id)
    added = 0
    for week in weeks:
        running = list(
            cplis.filter(running_in(week, week + WEEK - timedelta(days=1)))
            .exclude(actuals__week_start=week)
            .select_related("service_level")
        )
        if not running:
            continue
        periods = periods_of({c.council_id for c in running}, [week])
        for council_id in {c.council_id for c in running}:
            refusal = week_refusal(periods.get((council_id, week)), week)
            if refusal:
                raise ActualsRefused(refusal)
        source = RuleSource.load({c.council_id for c in running})
        stamp = now()
        rows = []
        for cpli in running:
            rules = source.rules(cpli, week)
            planned, visits = planned_for(cpli, week, rules.step)
            row = new_actual(
                cpli,
                periods[(cpli.council_id, week)],
                week,
                planned,
                actual=planned,
                visits=visits,
                changed_at=stamp,
                changed_by=user,
            )
            row.take(assess(Entry(actual=planned, visits=visits), rules, planned))
            rows.append(row)
        before = Actual.objects.filter(provider_id=provider_id, week_start=week).count()
        Actual.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        added += Actual.objects.filter(provider_id=provider_id, week_start=week).count() - before
    if added:
        record(
            action="actuals.generated",
            by=user,
            council=council_id,
            provider=provider_id,
            detail={
                "weeks": [w.isoformat() for w in weeks],
                "service": service_id,
                "rows": added,
            },
        )
    return added
