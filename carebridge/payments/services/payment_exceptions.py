"""Payment exceptions (docs/decisions/0011-payment-runs.md): where something a finalised run
paid changes, the adjustment the next run pays, written in the same transaction as the change.
Its amount is what the source is worth now minus everything paid for it and every exception
already made for it, so any sequence of changes nets to the final value to the penny."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from carebridge.actuals.models import Actual
from carebridge.audit.services import record
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now
from carebridge.organisations.models import Rulebook
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentException, PaymentLine
from carebridge.payments.selectors.schedule import (
    ZERO,
    block_of,
    line_vat,
    scheduled_amount,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

DAY = timedelta(days=1)


@dataclass
class _Paid:
    """What has been paid and excepted for one source, and the row to copy onto a new one."""

    excl: Decimal
    vat: Decimal
    row: dict[str, Any]


_COPIED = (
    "council_id",
    "provider_id",
    "contract_id",
    "service_id",
    "service_user_id",
    "cpli_id",
    "covers_from",
    "covers_to",
)


def _paid_by(lines: Any, key: str, keyer: Any = None) -> dict[Any, _Paid]:
    """Finalised lines summed per source key (the first line's row kept to copy from)."""
    paid: dict[Any, _Paid] = {}
    for row in lines.order_by("pk").values(key, "excl_vat", "vat", *_COPIED):
        k = keyer(row) if keyer else row[key]
        entry = paid.setdefault(k, _Paid(ZERO, ZERO, row))
        entry.excl += row["excl_vat"]
        entry.vat += row["vat"]
    return paid


def _add_excepted(paid: dict[Any, _Paid], exceptions: Any, keyer: Any) -> None:
    for row in exceptions.values("actual_id", "cpli_id", "covers_from", "excl_vat", "vat"):
        entry = paid.get(keyer(row))
        if entry is not None:
            entry.excl += row["excl_vat"]
            entry.vat += row["vat"]


def _exception(
    by: User | None, paid: _Paid, excl: Decimal, vat: Decimal, reason: str, **fields: Any
) -> PaymentException | None:
    """The adjustment from what was paid to what is due now; None when they agree."""
    excl, vat = excl - paid.excl, vat - paid.vat
    if excl + vat == 0:
        return None
    copied = {name: paid.row[name] for name in _COPIED}
    return PaymentException(
        **{**copied, **fields},
        reason=reason[:300],
        excl_vat=excl,
        vat=vat,
        total=excl + vat,
        created_at=now(),
        created_by=by if by is not None and by.pk is not None else None,
    )


def _save(by: User | None, made: list[PaymentException], cause: str) -> list[PaymentException]:
    if not made:
        return []
    PaymentException.objects.bulk_create(made)
    per_provider: dict[tuple[int, int], list[PaymentException]] = defaultdict(list)
    for exception in made:
        per_provider[(exception.council_id, exception.provider_id)].append(exception)
    for (council_id, provider_id), some in per_provider.items():
        record(
            action="payment_exception.created",
            by=by,
            council=council_id,
            provider=provider_id,
            detail={
                "cause": cause,
                "count": len(some),
                "total": str(sum((e.total for e in some), ZERO)),
            },
        )
    return made


def _finalised(**source: Any) -> Any:
    return PaymentLine.objects.filter(run__status=RunStatus.FINALISED, **source)


def payment_exceptions_follow_actuals(
    *, by: User | None, actual_ids: Iterable[int]
) -> list[PaymentException]:
    """An amended self-billed week a finalised run paid: an exception for its new cost minus
    everything paid and excepted for it."""
    ids = list(actual_ids)
    paid = _paid_by(_finalised(source=LineSource.ACTUAL, actual_id__in=ids), "actual_id")
    if not paid:
        return []
    _add_excepted(
        paid, PaymentException.objects.filter(actual_id__in=list(paid)), lambda r: r["actual_id"]
    )
    made = []
    for pk, cost, vat_rate, week in Actual.objects.filter(pk__in=list(paid)).values_list(
        "pk", "cost", "cpli__service_level__vat_rate", "week_start"
    ):
        exception = _exception(
            by,
            paid[pk],
            cost,
            line_vat(cost, vat_rate),
            f"Actuals for the week of {week:%d/%m/%Y} changed after they were paid",
            actual_id=pk,
        )
        if exception is not None:
            made.append(exception)
    return _save(by, made, "actuals_amended")


def payment_exceptions_follow_cpli_dates(
    *, by: User | None, cplis: Sequence[Cpli]
) -> list[PaymentException]:
    """A scheduled CPLI whose dates moved after a block was paid: for each paid block, an
    exception for what the block is worth now minus everything paid and excepted for it."""
    ids = [cpli.pk for cpli in cplis]
    lines = _finalised(source=LineSource.SCHEDULE, cpli_id__in=ids)
    if not lines.exists():
        return []
    rulebooks = {
        r.council_id: r
        for r in Rulebook.objects.filter(council_id__in={c.council_id for c in cplis})
    }
    now_cplis = {c.pk: c for c in Cpli.objects.filter(pk__in=ids).select_related("service_level")}

    def keyer(row: dict[str, Any]) -> tuple[int, date]:
        cpli = now_cplis[row["cpli_id"]]
        return row["cpli_id"], block_of(rulebooks[cpli.council_id], row["covers_from"])

    paid = _paid_by(lines, "cpli_id", keyer)
    _add_excepted(
        paid,
        PaymentException.objects.filter(cpli_id__in=ids, actual__isnull=True),
        keyer,
    )
    made = []
    for (cpli_id, block_start), entry in sorted(paid.items()):
        cpli = now_cplis[cpli_id]
        rulebook = rulebooks[cpli.council_id]
        block_end = block_start + timedelta(days=rulebook.scheduled_payment_weeks * 7) - DAY
        amount = scheduled_amount(cpli, block_start, block_end, rulebook.actuals_week_start)
        exception = _exception(
            by,
            entry,
            amount,
            line_vat(amount, cpli.service_level.vat_rate),
            f"Scheduled payment {block_start:%d/%m/%Y} to {block_end:%d/%m/%Y}: the line's "
            "dates changed after it was paid",
            covers_to=block_end,
        )
        if exception is not None:
            made.append(exception)
    return _save(by, made, "cpli_dates_changed")
