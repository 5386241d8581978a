"""The delivery of outbox rows, written once for every outbox derived from
`integrations.models.Delivery` (the CRM pushes, `CrmDelivery`, and the updates to councils'
case-management systems, `CaseUpdate`).

An `Outbox` says what differs between them: the model, how a row is sent (its adapter), what
is written on a row the peer took, how the rows' tasks are queued, and, for an outbox kept in
order, which rows may be tried now. The rest is here, once:

- `attempt`: claim the row (core.outbox: a retry or a second worker never sends it twice), send
  it, record the answer; after a failure that may pass, wait RETRY_DELAYS (the last repeated)
  and try again; give up after MAX_ATTEMPTS tries, or at once when the peer refuses it.
- `due` and `give_up`: the sweep that finds what a lost task left behind, and gives up on rows
  made (or last sent again by support) more than GIVE_UP_AFTER ago.
- `retry`: support sends a row again with a fresh count of tries, audited.
- `purge`: finished rows lose their payload (personal data) after KEEP_PAYLOAD_FOR.
- `post_json`: a signed JSON post through the address guard (core.outbound), its answer sorted
  into taken, tried again later (408, 429, 5xx, timeouts, failed connections) or final.

A row waiting behind an earlier one of an ordered outbox is not tried, so it counts no try, is
not given up for its age, and is not in the sweep: the earlier row's delivery queues it.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from carebridge.audit.services import record
from carebridge.core import outbox as rows
from carebridge.core.calendar import now
from carebridge.core.outbound import OutboundRefused, open_url
from carebridge.integrations.models import Delivery

if TYPE_CHECKING:
    from carebridge.accounts.models import User

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=Delivery)

# The waits after the 1st, 2nd… failed try; the last repeats. Eight tries span about 22 hours,
# so a peer down overnight still gets the row; after MAX_ATTEMPTS, or GIVE_UP_AFTER since the
# row was made, the row is given up and support sees it.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = 8
GIVE_UP_AFTER = timedelta(days=2)
# The sweep leaves a fresh row (or one whose retry is due) this long to its queued task first.
SWEEP_GRACE = timedelta(minutes=5)
# Payloads hold personal data: once a row is finished they are kept only this long.
KEEP_PAYLOAD_FOR = timedelta(days=90)
# How many rows one sweep queues.
SWEEP_BATCH = 500

RETRYABLE_STATUSES = frozenset({408, 429})
MAX_ANSWER_BYTES = 64 * 1024


class DeliveryError(Exception):
    """The peer did not take the row; `retryable` when trying later may work. `answer` holds
    the start of the peer's answer, when it gave one."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status_code: int | None = None,
        answer: bytes = b"",
        retry_after: timedelta | None = None,
    ):
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code
        # A peer that asked for a wait (429 with Retry-After) is not tried again sooner.
        self.retry_after = retry_after
        self.answer = answer


class Outcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # failed, to be tried again after the delay
    FAILED = "failed"  # refused, or failing too long: given up
    NOTHING = "nothing"  # delivered already, given up, or another worker has it
    WAITING = "waiting"  # an earlier row of an ordered outbox is not delivered yet


@dataclass(frozen=True)
class Taken:
    """The peer took the row: its answer's status, and what to write on the row besides."""

    status_code: int
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outbox(Generic[Row]):
    """One outbox: its model and what differs in delivering its rows.

    send        sends one row (the adapter's work); raises DeliveryError when not taken
    queue       queues the rows' tasks once the current transaction commits
    action      the audit actions' prefix: "<action>.gave_up", "<action>.retried"
    detail      the audit detail of a row
    stream      (ordered outboxes) the field whose rows are delivered in order, one after
                the other (a referral's updates, a front-door request's pushes)
    order       the field that orders a stream's rows (the row's id by default)
    """

    model: type[Row]
    what: str
    send: Callable[[Row], Taken]
    queue: Callable[[list[int]], None]
    action: str
    detail: Callable[[Row], dict[str, Any]]
    related: tuple[str, ...] = ()
    stream: str = ""
    order: str = "pk"

    @property
    def objects(self) -> QuerySet[Row]:
        return self.model._default_manager.all()


# --- Order within a stream -------------------------------------------------------------------


def earlier_undelivered(outbox: Outbox[Row]) -> QuerySet[Row]:
    """For a subquery: the undelivered rows of the outer row's stream before it."""
    return outbox.objects.filter(
        **{
            outbox.stream: OuterRef(outbox.stream),
            f"{outbox.order}__lt": OuterRef(outbox.order),
            "delivered_at__isnull": True,
        }
    )


def _ready(outbox: Outbox[Row]) -> Q:
    """The rows that may be tried now: in an ordered outbox, those with no earlier row of their
    stream undelivered."""
    return ~Q(Exists(earlier_undelivered(outbox))) if outbox.stream else Q()


def held_by(outbox: Outbox[Row], row: Row) -> Row | None:
    """The earliest undelivered row of the row's stream before it: what it waits for."""
    if not outbox.stream:
        return None
    stream_id = getattr(row, f"{outbox.stream}_id")
    return (
        outbox.objects.filter(
            **{
                f"{outbox.stream}_id": stream_id,
                f"{outbox.order}__lt": getattr(row, outbox.order),
                "delivered_at__isnull": True,
            }
        )
        .order_by(outbox.order)
        .first()
    )


def _queue_next(outbox: Outbox[Row], row: Row) -> None:
    """After a row is taken, queue its stream's next row at once: it was waiting for this one."""
    if not outbox.stream:
        return
    following = (
        outbox.objects.filter(
            **{
                f"{outbox.stream}_id": getattr(row, f"{outbox.stream}_id"),
                f"{outbox.order}__gt": getattr(row, outbox.order),
                "delivered_at__isnull": True,
                "gave_up": False,
            }
        )
        .order_by(outbox.order)
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        outbox.queue([following])


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed tries."""
    return rows.retry_delay(attempts, RETRY_DELAYS)


# --- One try ---------------------------------------------------------------------------------


def attempt(outbox: Outbox[Row], pk: int) -> tuple[Outcome, timedelta | None]:
    """Try one row once: claim it, send it, record the answer. Safe to call twice: a row
    delivered, given up or claimed by another worker is left alone, and a row waiting behind
    an earlier one is not claimed (no try is counted). With RETRY comes the wait before the
    next try."""
    moment = now()
    pending = outbox.objects.filter(pk=pk, delivered_at__isnull=True, gave_up=False)
    if outbox.stream and not pending.filter(_ready(outbox)).exists():
        # Rows are only ever delivered, so once an earlier row is, it stays so: a row seen
        # ready here is still ready when claimed.
        return (Outcome.WAITING if pending.exists() else Outcome.NOTHING), None
    if not rows.outbox_claim(pending, moment=moment):
        return Outcome.NOTHING, None
    row = outbox.objects.get(pk=pk)
    try:
        taken = outbox.send(row)
    except Exception as error:
        return _failed(outbox, row, error, moment)
    outbox.objects.filter(pk=pk, claimed_at=moment).update(
        delivered_at=now(),
        last_error="",
        last_status_code=taken.status_code,
        next_attempt_at=None,
        **taken.fields,
    )
    _queue_next(outbox, row)
    return Outcome.DELIVERED, None


def _failed(
    outbox: Outbox[Row], row: Row, error: Exception, moment: datetime
) -> tuple[Outcome, timedelta | None]:
    asked = None
    if isinstance(error, DeliveryError):
        message, retryable, status = str(error), error.retryable, error.status_code
        asked = error.retry_after
    else:
        logger.exception("%s %s failed unexpectedly", outbox.what, row.pk)
        message, retryable, status = rows.outbox_error(error), True, None
    give_up = not retryable or row.attempts >= MAX_ATTEMPTS
    wait = None if give_up else max(retry_delay(row.attempts), asked or timedelta(0))
    rows.outbox_release(
        outbox.model,
        row.pk,
        moment=moment,
        last_error=message[: rows.ERROR_LENGTH],
        last_status_code=status,
        gave_up=give_up,
        next_attempt_at=None if wait is None else moment + wait,
    )
    if give_up:
        _record_given_up(outbox, row, message)
        return Outcome.FAILED, None
    return Outcome.RETRY, wait


def _record_given_up(outbox: Outbox[Row], row: Row, reason: str) -> None:
    record(
        action=f"{outbox.action}.gave_up",
        obj=row,
        council=row.council_id,  # type: ignore[attr-defined]
        detail={**outbox.detail(row), "attempts": row.attempts, "reason": reason},
    )


# --- The sweep -------------------------------------------------------------------------------


def _too_old(moment: datetime) -> Q:
    """Made, or last sent again by support, more than GIVE_UP_AFTER ago."""
    cutoff = moment - GIVE_UP_AFTER
    return Q(retried_at__isnull=True, created_at__lt=cutoff) | Q(retried_at__lt=cutoff)


def _recent(moment: datetime) -> Q:
    cutoff = moment - GIVE_UP_AFTER
    return Q(retried_at__isnull=True, created_at__gte=cutoff) | Q(retried_at__gte=cutoff)


def due(outbox: Outbox[Row], moment: datetime | None = None) -> list[int]:
    """The rows nobody is delivering and whose try is due: the queue is a convenience, the
    table the truth. Fresh rows and due retries get SWEEP_GRACE with their own task first."""
    moment = moment or now()
    settled = moment - SWEEP_GRACE
    found = outbox.objects.filter(
        delivered_at__isnull=True, gave_up=False, attempts__lt=MAX_ATTEMPTS
    ).filter(
        _recent(moment),
        rows.unclaimed(moment),
        Q(attempts=0, created_at__lt=settled) | Q(attempts__gt=0, next_attempt_at__lte=settled),
        _ready(outbox),
    )
    return list(found.order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])


def give_up(outbox: Outbox[Row], moment: datetime | None = None) -> int:
    """Give up the rows tried MAX_ATTEMPTS times, or made more than GIVE_UP_AFTER ago (not
    those waiting behind an earlier row: they were never tried); how many."""
    moment = moment or now()
    stale = (
        outbox.objects.filter(delivered_at__isnull=True, gave_up=False)
        .filter(Q(attempts__gte=MAX_ATTEMPTS) | _too_old(moment))
        .filter(rows.unclaimed(moment), _ready(outbox))
    )
    given_up = 0
    for row in stale.order_by("pk"):
        reason = row.last_error or "Not delivered in time"
        if outbox.objects.filter(pk=row.pk, delivered_at__isnull=True, gave_up=False).update(
            gave_up=True, claimed_at=None, next_attempt_at=None
        ):
            _record_given_up(outbox, row, reason)
            given_up += 1
    return given_up


def undelivered(outbox: Outbox[Row], council: Any = None) -> QuerySet[Row]:
    """The rows that failed, newest first: given up, or not delivered with an error."""
    found = outbox.objects.filter(delivered_at__isnull=True).filter(
        Q(gave_up=True) | ~Q(last_error="")
    )
    if council is not None:
        found = found.filter(council=council)
    return found.select_related("council", *outbox.related).order_by("-created_at", "-pk")


def retry(outbox: Outbox[Row], *, row: Row, by: User | None) -> bool:
    """Send an undelivered row again (say, once the peer is mended), with a fresh count of
    tries; False if it was delivered meanwhile. Its last error stays until a try succeeds.
    Call inside a transaction: the task is queued when it commits."""
    retried = rows.outbox_requeue(
        outbox.objects.filter(pk=row.pk, delivered_at__isnull=True),
        gave_up=False,
        next_attempt_at=None,
        retried_at=now(),
    )
    if retried:
        record(
            action=f"{outbox.action}.retried",
            by=by,
            obj=row,
            council=row.council_id,  # type: ignore[attr-defined]
            detail=outbox.detail(row),
        )
        outbox.queue([row.pk])
    return bool(retried)


def purge(outbox: Outbox[Row], moment: datetime | None = None) -> int:
    """Empty the payloads of finished rows older than KEEP_PAYLOAD_FOR (the row, its key and
    its outcome stay, so the row is never sent again); how many."""
    moment = moment or now()
    return (
        outbox.objects.filter(created_at__lt=moment - KEEP_PAYLOAD_FOR)
        .filter(Q(delivered_at__isnull=False) | Q(gave_up=True))
        .exclude(payload={})
        .update(payload={})
    )


def queue_on_commit(task: Callable[[int], Any], ids: list[int]) -> None:
    """Queue `task` for each row once the current transaction commits (at once outside one),
    so a change that is rolled back never sends anything."""
    for pk in ids:
        transaction.on_commit(partial(task, pk))


# --- Sending ---------------------------------------------------------------------------------


def body_of(payload: dict[str, Any]) -> bytes:
    """The JSON posted: compact UTF-8, the bytes that are signed."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post_json(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    peer: str,
    address: str,
) -> tuple[int, bytes]:
    """POST the body through the address guard; the 2xx status and the answer (at most
    MAX_ANSWER_BYTES). Raises DeliveryError, retryable for 408, 429, 5xx, timeouts and failed
    connections. `peer` names the receiver in the errors ("The CRM"), `address` its address
    ("The CRM webhook")."""
    request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with open_url(request, timeout=timeout) as response:
            status = int(response.status)
            answer = response.read(MAX_ANSWER_BYTES)
    except OutboundRefused as error:
        raise DeliveryError(f"{address} cannot be used: {error}", retryable=False) from error
    except urllib.error.HTTPError as error:
        answer = error.read(2048)
        detail = answer[:300].decode("utf-8", "replace").strip()
        retryable = error.code >= 500 or error.code in RETRYABLE_STATUSES
        raise DeliveryError(
            f"{peer} answered {error.code} {error.reason}" + (f": {detail}" if detail else ""),
            retryable=retryable,
            status_code=error.code,
            answer=answer,
        ) from error
    except urllib.error.URLError as error:
        raise DeliveryError(
            f"{peer} could not be reached: {error.reason}", retryable=True
        ) from error
    except TimeoutError as error:
        raise DeliveryError(
            f"{peer} did not answer within {timeout:g} seconds", retryable=True
        ) from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(
            f"{peer}'s connection failed: {type(error).__name__}: {error}", retryable=True
        ) from error
    if not 200 <= status < 300:
        # 1xx never reach here and 3xx are errors (open_url follows no redirect).
        raise DeliveryError(f"{peer} answered {status}", retryable=False, status_code=status)
    return status, answer
