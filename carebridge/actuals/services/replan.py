"""A line's dates change (a termination moves its end): its actuals follow the new plan."""

from __future__ import annotations

from collections.abc import Sequence

from carebridge.accounts.models import User
from carebridge.actuals.models import ASSESSED, Actual
from carebridge.actuals.periods import RuleSource, planned_for
from carebridge.actuals.rules import assess
from carebridge.actuals.signals import actuals_amended
from carebridge.audit.services import record
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now


def _untouched(row: Actual) -> bool:
    """A row as Generate actuals left it: the plan delivered, nothing else entered."""
    return (
        row.actual == row.planned
        and row.frustrated == 0
        and row.missed == 0
        and row.extra == 0
        and not row.comments
    )


def actuals_replan(cplis: Sequence[Cpli], by: User | None) -> int:
    """After a termination moves lines' end dates, bring their actuals to the new plan: a
    week the line no longer runs in plans nothing, a part week its days' share. A row left as
    generated follows the plan; one the provider changed keeps what was entered and is checked
    again (it may now be an exception for the provider to review). A paid week cannot change:
    the termination is refused. Returns the rows changed."""
    from django.core.exceptions import ValidationError

    ids = [c.pk for c in cplis if not c.is_allocation]
    if not ids:
        return 0
    lines = {c.pk: c for c in Cpli.objects.filter(pk__in=ids).select_related("service_level")}
    rows = list(Actual.objects.filter(cpli_id__in=ids).select_related("period"))
    source = RuleSource.load({c.council_id for c in lines.values()})
    changed: list[Actual] = []
    history = []
    for row in rows:
        cpli = lines[row.cpli_id]
        rules = source.rules(cpli, row.week_start)
        planned, visits = planned_for(cpli, row.week_start, rules.step)
        if planned == row.planned:
            continue
        if row.period.is_paid:
            raise ValidationError(
                {
                    "end_date": (
                        "Actuals for the week beginning "
                        f"{row.week_start:%d/%m/%Y} have been paid: the last day of care "
                        "cannot change that week"
                    )
                }
            )
        before = (str(row.planned), str(row.actual))
        if _untouched(row):
            row.actual = planned
            row.visits = visits
        row.planned = planned
        row.take(assess(row.entry(), rules, planned))
        row.changed_at = now()
        changed.append(row)
        history.append({"cpli": row.cpli_id, "week": row.week_start.isoformat(), "before": before})
    Actual.objects.bulk_update(
        changed,
        ["planned", "actual", "visits", *ASSESSED, "changed_at"],
    )
    if changed and by is not None:
        # An invoiced week's invoice follows it (payments), in this transaction.
        for provider_id in sorted({row.provider_id for row in changed}):
            actuals_amended.send(
                sender=Actual,
                actual_ids=[row.pk for row in changed if row.provider_id == provider_id],
                by=by,
                provider_id=provider_id,
            )
    if changed:
        record(
            action="actuals.replanned",
            by=by,
            council=changed[0].council_id,
            provider=changed[0].provider_id,
            detail={"rows": history[:500]},
        )
    return len(changed)
