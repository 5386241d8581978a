"""Outbound work kept as a table (an outbox), written once for every queue: the e-mail outbox
(`notifications.Notification`) and the CRM pushes (`integrations.CrmDelivery`).

A row has a unique `key` (the same work is queued once only), `claimed_at` and `attempts`. A
worker claims a row with a compare-and-set update before doing the work, so a retry or a second
worker never does it twice; a claim older than CLAIM_EXPIRES belongs to a worker that died, and
another may take the row. A failed try releases the claim (only its own) with the error; support
sends a row again with a fresh count of tries. Correct on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet

Row = TypeVar("Row", bound=models.Model)

# A claim older than this belongs to a worker that died: another may take the row.
CLAIM_EXPIRES = timedelta(minutes=10)
# The longest error kept on a row.
ERROR_LENGTH = 2000


def outbox_add(model: type[Row], *, key: str, **fields: Any) -> Row | None:
    """The new row for this key, or None when it exists already (a repeat or a race)."""
    rows: QuerySet[Row] = model._default_manager.all()
    if rows.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return rows.create(key=key, **fields)
    except IntegrityError:
        return None


def unclaimed(moment: datetime) -> Q:
    """Rows nobody holds: never claimed, or claimed by a worker that died."""
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=moment - CLAIM_EXPIRES)


def outbox_claim(pending: QuerySet[Row], *, moment: datetime) -> bool:
    """Claim the row of `pending` (filtered to one row still to do) for a try at `moment`,
    counting the try; False when it is done or another worker holds it."""
    return bool(
        pending.filter(unclaimed(moment)).update(claimed_at=moment, attempts=F("attempts") + 1)
    )


def outbox_release(model: type[Row], pk: int, *, moment: datetime, **fields: Any) -> int:
    """After a failed try, let the row go, if the claim made at `moment` is still ours."""
    return model._default_manager.filter(pk=pk, claimed_at=moment).update(claimed_at=None, **fields)


def outbox_error(error: BaseException) -> str:
    """How a failed try is written on its row."""
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def outbox_requeue(pending: QuerySet[Row], **fields: Any) -> int:
    """Support sends rows again (`pending` holds those not done): a fresh count of tries."""
    return pending.update(attempts=0, claimed_at=None, **fields)


def retry_delay(attempts: int, delays: Sequence[timedelta]) -> timedelta:
    """How long to wait after the given number of failed tries: the delays in turn, the last
    repeated."""
    return delays[min(max(attempts, 1), len(delays)) - 1]
