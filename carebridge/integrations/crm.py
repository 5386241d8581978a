"""Pushing front-door requests into the council's CRM, so officers do not type them in again.

A push is first an outbox row (CrmDelivery) whose key makes it once only; the delivering task
claims the row before posting it, so a retry or a second worker never posts it twice, and the
row stays until the CRM takes it or we give up. What is posted goes through an adapter: today a
signed JSON webhook; a CRM with its own API (Dynamics, say) is another class with `push`.

The front door builds the payload (`frontdoor.requests.crm`) and queues it here; this module imports
nothing of the front door, and reads the council's webhook through the lookup the front door
registers (`crm_webhook_lookup_register`). The payload (schema version 1), posted as the body
with Content-Type application/json:

    schema, schema_version    "carebridge.front-door-request", 1; a new version for any change
                              that is not an added field
    event                     what happened: "submitted" when the request reached the queue
    council                   {slug, name}
    reference                 the request's reference, as the person was given it
    submitted_at              ISO 8601 in UTC ("2026-03-02T09:15:00Z")
    status, route, result     {code, label}: where it stands, where it went, what the tool found
    urgent, assessment_requested
    asked_by                  {type, type_label, name, organisation, role, email, phone}
    about                     {code, label}: an adult with needs, or a carer
    person                    {name, date_of_birth (YYYY-MM-DD or null), postcode, email, phone}
    consent_to_share
    answers                   [{section, question, answer, question_id}] as the person read them
    answer_codes              the answers as stored: question id to answer code(s)
    assessment                {ruleset_version, reasons: [...]}

Headers: X-Carebridge-Delivery (the row's key: the same for every try of one push),
X-Carebridge-Event, and X-Carebridge-Signature "sha256=<hex HMAC-SHA256 of the raw body with the
council's secret>": every post is signed, and nothing is posted without a secret. The address goes
through carebridge.core.outbound's guard each time (https, never a private network, no redirect). A 2xx answer means taken; a JSON answer with
"reference" (or "id") gives the CRM's own reference. 408, 429, 5xx, timeouts and failed
connections are tried again later; any other answer is final until support retries it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models import Q, QuerySet

from carebridge.audit.services import record
from carebridge.core import outbox
from carebridge.core.calendar import now
from carebridge.core.outbound import OutboundRefused, open_url, url_refusal
from carebridge.integrations.models import CrmDelivery
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
USER_AGENT = "carebridge-crm/1"
_EVENT = re.compile(r"[a-z0-9_-]{1,30}")
_RETRYABLE_STATUSES = frozenset({408, 429})
_MAX_ANSWER_BYTES = 64 * 1024

# The waits after the 1st, 2nd… failed try; the last repeats. Eight tries span about 22 hours,
# so a CRM down overnight still gets the request; after MAX_ATTEMPTS, or GIVE_UP_AFTER since the
# row was made, the row is given up and support sees it (`carebridge crm_deliveries`).
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


# --- The adapter interface ------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    """The CRM took the request: its answer's status and its own reference, if it gave one."""

    status_code: int
    reference: str = ""


class CrmPushError(Exception):
    """The CRM did not take the request; `retryable` when trying later may work."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


class CrmAdapter(Protocol):
    """How a request reaches one kind of CRM. `key` is the same for every try of one push, so
    the CRM can ignore a repeat; raise CrmPushError when it is not taken."""

    def push(self, payload: dict[str, Any], *, key: str) -> PushResult: ...


def signature(secret: str, body: bytes) -> str:
    """The X-Carebridge-Signature value: what a receiver computes from the body to trust it."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookAdapter:
    """Posts the payload as JSON to the council's webhook, signed with its secret."""

    def __init__(self, url: str, secret: str = "", *, timeout: float | None = None) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def push(self, payload: dict[str, Any], *, key: str) -> PushResult:
        refusal = url_refusal(self.url)
        if refusal:
            raise CrmPushError(f"The CRM webhook cannot be used: {refusal}", retryable=False)
        if not self.secret:
            # A receiver could not tell our posts from anyone's: personal data is never sent so.
            raise CrmPushError(
                "The CRM webhook has no signing secret: a council administrator must make one",
                retryable=False,
            )
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Carebridge-Delivery": key,
            "X-Carebridge-Event": str(payload.get("event", "")),
            "X-Carebridge-Signature": signature(self.secret, body),
        }
        request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
            self.url, data=body, method="POST", headers=headers
        )
        timeout = TIMEOUT_SECONDS if self.timeout is None else self.timeout
        try:
            with open_url(request, timeout=timeout) as response:
                status = int(response.status)
                answer = response.read(_MAX_ANSWER_BYTES)
        except OutboundRefused as error:
            raise CrmPushError(
                f"The CRM webhook cannot be used: {error}", retryable=False
            ) from error
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode("utf-8", "replace").strip()
            retryable = error.code >= 500 or error.code in _RETRYABLE_STATUSES
            raise CrmPushError(
                f"The CRM answered {error.code} {error.reason}" + (f": {detail}" if detail else ""),
                retryable=retryable,
                status_code=error.code,
            ) from error
        except urllib.error.URLError as error:
            raise CrmPushError(
                f"The CRM could not be reached: {error.reason}", retryable=True
            ) from error
        except TimeoutError as error:
            raise CrmPushError(
                f"The CRM did not answer within {timeout:g} seconds", retryable=True
            ) from error
        except (OSError, http.client.HTTPException) as error:
            raise CrmPushError(
                f"The CRM's connection failed: {type(error).__name__}: {error}", retryable=True
            ) from error
        if not 200 <= status < 300:
            # 1xx never reach here and 3xx are errors (open_url follows no redirect).
            raise CrmPushError(f"The CRM answered {status}", retryable=False, status_code=status)
        return PushResult(status_code=status, reference=_reference_in(answer))


def _reference_in(answer: bytes) -> str:
    try:
        data = json.loads(answer)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    reference = data.get("reference") or data.get("id") or ""
    return str(reference)[:100] if isinstance(reference, str | int) else ""


# A council's webhook address and secret, or None: the app that keeps them (the front door's
# settings) registers the lookup in its AppConfig.ready.
WebhookLookup = Callable[[int], tuple[str, str] | None]
_webhook_lookups: list[WebhookLookup] = []


def crm_webhook_lookup_register(lookup: WebhookLookup) -> None:
    if lookup not in _webhook_lookups:
        _webhook_lookups.append(lookup)


def adapter_for(council: Council | int) -> CrmAdapter | None:
    """The council's CRM adapter, or None when it has no CRM to push to."""
    council_id = council.pk if isinstance(council, Council) else council
    for lookup in _webhook_lookups:
        webhook = lookup(council_id)
        if webhook is not None:
            url, secret = webhook
            return WebhookAdapter(url, secret)
    return None


# --- The outbox -----------------------------------------------------------------------------


def crm_event_check(event: str) -> None:
    if not _EVENT.fullmatch(event):
        raise ValueError(f"A CRM event is a short lower-case word, got {event!r}")


def crm_delivery_key(request_id: int, event: str) -> str:
    return f"front-door-{request_id}-{event}"


def crm_delivery_queue(
    *, council_id: int, request_id: int, event: str, payload: Callable[[], dict[str, Any]]
) -> CrmDelivery | None:
    """Queue a push to the council's CRM, once only for the request and event; `payload` makes
    the JSON, called only when there is a CRM to push to. None, and nothing queued, when the
    council has no CRM or this push was queued before. The post goes after the transaction
    commits, so a request that is rolled back never reaches the CRM."""
    crm_event_check(event)
    if adapter_for(council_id) is None:
        return None
    key = crm_delivery_key(request_id, event)
    if CrmDelivery.objects.filter(key=key).exists():
        return None
    delivery = outbox.outbox_add(
        CrmDelivery,
        key=key,
        council_id=council_id,
        request_id=request_id,
        event=event,
        payload=payload(),
        created_at=now(),
    )
    if delivery is not None:
        _queue([delivery.pk])
    return delivery


def _queue(ids: list[int]) -> None:
    from carebridge.integrations import tasks

    for pk in ids:
        transaction.on_commit(partial(tasks.deliver_crm, pk))


class Outcome(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # failed, to be tried again after the delay
    FAILED = "failed"  # refused, or failing too long: given up
    NOTHING = "nothing"  # delivered already, given up, or another worker has it


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed tries."""
    return outbox.retry_delay(attempts, RETRY_DELAYS)


def crm_delivery_attempt(delivery_id: int) -> tuple[Outcome, timedelta | None]:
    """Try one delivery once: claim it, post it, record the answer. Safe to call twice: a row
    delivered, given up or claimed by another worker is left alone. With RETRY comes the wait
    before the next try."""
    moment = now()
    pending = CrmDelivery.objects.filter(pk=delivery_id, delivered_at__isnull=True, gave_up=False)
    if not outbox.outbox_claim(pending, moment=moment):
        return Outcome.NOTHING, None
    delivery = CrmDelivery.objects.get(pk=delivery_id)
    adapter = adapter_for(delivery.council_id)
    try:
        if adapter is None:
            raise CrmPushError("The council no longer has a CRM webhook", retryable=False)
        result = adapter.push(delivery.payload, key=delivery.key)
    except Exception as error:
        if isinstance(error, CrmPushError):
            message, retryable, status = str(error), error.retryable, error.status_code
        else:
            logger.exception("CRM delivery %s failed unexpectedly", delivery_id)
            message, retryable, status = outbox.outbox_error(error), True, None
        give_up = not retryable or delivery.attempts >= MAX_ATTEMPTS
        wait = None if give_up else retry_delay(delivery.attempts)
        outbox.outbox_release(
            CrmDelivery,
            delivery_id,
            moment=moment,
            last_error=message[: outbox.ERROR_LENGTH],
            last_status_code=status,
            gave_up=give_up,
            next_attempt_at=None if wait is None else moment + wait,
        )
        if give_up:
            _record_given_up(delivery, message)
            return Outcome.FAILED, None
        return Outcome.RETRY, wait
    CrmDelivery.objects.filter(pk=delivery_id, claimed_at=moment).update(
        delivered_at=now(),
        last_error="",
        last_status_code=result.status_code,
        crm_reference=result.reference,
        next_attempt_at=None,
    )
    return Outcome.DELIVERED, None


def _record_given_up(delivery: CrmDelivery, reason: str) -> None:
    record(
        action="crm_delivery.gave_up",
        obj=delivery,
        council=delivery.council_id,
        detail={"request": delivery.request_id, "attempts": delivery.attempts, "reason": reason},
    )


def _too_old(moment: datetime) -> Q:
    """Made, or last sent again by support, more than GIVE_UP_AFTER ago."""
    cutoff = moment - GIVE_UP_AFTER
    return Q(retried_at__isnull=True, created_at__lt=cutoff) | Q(retried_at__lt=cutoff)


def _recent(moment: datetime) -> Q:
    cutoff = moment - GIVE_UP_AFTER
    return Q(retried_at__isnull=True, created_at__gte=cutoff) | Q(retried_at__gte=cutoff)


def crm_deliveries_due(moment: datetime | None = None) -> list[int]:
    """The rows nobody is delivering and whose try is due: the queue is a convenience, the
    table the truth. Fresh rows and due retries get SWEEP_GRACE with their own task first."""
    moment = moment or now()
    settled = moment - SWEEP_GRACE
    due = CrmDelivery.objects.filter(
        delivered_at__isnull=True, gave_up=False, attempts__lt=MAX_ATTEMPTS
    ).filter(
        _recent(moment),
        outbox.unclaimed(moment),
        Q(attempts=0, created_at__lt=settled) | Q(attempts__gt=0, next_attempt_at__lte=settled),
    )
    return list(due.order_by("created_at").values_list("pk", flat=True)[:500])


def crm_deliveries_give_up(moment: datetime | None = None) -> int:
    """Give up the rows tried MAX_ATTEMPTS times, or made more than GIVE_UP_AFTER ago; how many."""
    moment = moment or now()
    stale = (
        CrmDelivery.objects.filter(delivered_at__isnull=True, gave_up=False)
        .filter(Q(attempts__gte=MAX_ATTEMPTS) | _too_old(moment))
        .filter(outbox.unclaimed(moment))
    )
    given_up = 0
    for delivery in stale.order_by("pk"):
        reason = delivery.last_error or "Not delivered in time"
        if CrmDelivery.objects.filter(
            pk=delivery.pk, delivered_at__isnull=True, gave_up=False
        ).update(gave_up=True, claimed_at=None, next_attempt_at=None):
            _record_given_up(delivery, reason)
            given_up += 1
    return given_up


def undelivered(council: Council | None = None) -> QuerySet[CrmDelivery]:
    """The pushes that failed, newest first: given up, or not delivered with an error."""
    found = CrmDelivery.objects.filter(delivered_at__isnull=True).filter(
        Q(gave_up=True) | ~Q(last_error="")
    )
    if council is not None:
        found = found.filter(council=council)
    return found.select_related("council", "request").order_by("-created_at")


@transaction.atomic
def crm_delivery_retry(*, delivery: CrmDelivery, by: User | None) -> bool:
    """Push an undelivered request again (say, once the CRM is mended), with a fresh count of
    tries; False if it was delivered meanwhile. Its last error stays until a push succeeds."""
    retried = outbox.outbox_requeue(
        CrmDelivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True),
        gave_up=False,
        next_attempt_at=None,
        retried_at=now(),
    )
    if retried:
        record(
            action="crm_delivery.retried",
            by=by,
            obj=delivery,
            council=delivery.council_id,
            detail={"request": delivery.request_id},
        )
        _queue([delivery.pk])
    return bool(retried)


def crm_deliveries_purge(moment: datetime | None = None) -> int:
    """Empty the payloads of finished rows older than KEEP_PAYLOAD_FOR (the row, its key and
    its outcome stay, so the push is never made again); how many."""
    moment = moment or now()
    return (
        CrmDelivery.objects.filter(created_at__lt=moment - KEEP_PAYLOAD_FOR)
        .filter(Q(delivered_at__isnull=False) | Q(gave_up=True))
        .exclude(payload={})
        .update(payload={})
    )
