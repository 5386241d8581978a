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
    event                     what happened: "submitted" when the request reached the queue,
                              or an officer's decision by its kind ("accepted", "redirected"…)
    decision                  (decisions only) {id, kind, at, by, reason, outcome,
                              redirected_to}: each decision is its own push, keyed
                              front-door-<request>-decision-<event id>, after the earlier ones
    council                   {slug, name}
    reference                 the request's reference, as the person was given it
    submitted_at              ISO 8601 in UTC ("2026-03-02T09:15:00Z")
    status, route, result     {code, label}: where it stands, where it went, what the tool found
    urgent, assessment_requested
    asked_by                  {type, type_label, name, organisation, role, email, phone}
    about                     {code, label}: an adult with needs, or a carer
    person                    {name, date_of_birth (YYYY-MM-DD or null), postcode, email, phone}
    consent_to_share
    referral                  a professional's referral, null otherwise: {professional_kind,
                              email_confirmed, nhs_number, address: {line_1, line_2, town,
                              postcode}, gp_practice, demographics_from_pds, presenting_need,
                              primary_support_reason (the CLD return's Primary Support
                              Reason string, or null), current_services, others_involved,
                              risks: {to_person, to_others,
                              to_staff: {answer, details}}, sharing_basis, sharing_basis_reason}
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
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models import QuerySet

from carebridge.core import outbox
from carebridge.core.calendar import now
from carebridge.core.outbound import url_refusal
from carebridge.integrations import delivery as deliveries
from carebridge.integrations.delivery import (
    GIVE_UP_AFTER,
    KEEP_PAYLOAD_FOR,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    SWEEP_GRACE,
    DeliveryError,
    Outcome,
    Taken,
    retry_delay,
)
from carebridge.integrations.models import CrmDelivery
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "GIVE_UP_AFTER",
    "KEEP_PAYLOAD_FOR",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "SWEEP_GRACE",
    "CrmPushError",
    "Outcome",
    "PushResult",
    "WebhookAdapter",
    "adapter_for",
    "crm_deliveries_due",
    "crm_deliveries_give_up",
    "crm_deliveries_purge",
    "crm_delivery_attempt",
    "crm_delivery_queue",
    "crm_delivery_retry",
    "crm_event_check",
    "crm_webhook_lookup_register",
    "retry_delay",
    "signature",
    "undelivered",
]

TIMEOUT_SECONDS = 10.0
USER_AGENT = "carebridge-crm/1"
_EVENT = re.compile(r"[a-z0-9_-]{1,30}")


# --- The adapter interface ------------------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    """The CRM took the request: its answer's status and its own reference, if it gave one."""

    status_code: int
    reference: str = ""


class CrmPushError(DeliveryError):
    """The CRM did not take the request; `retryable` when trying later may work."""


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
        body = deliveries.body_of(payload)
        headers = {
            "User-Agent": USER_AGENT,
            "X-Carebridge-Delivery": key,
            "X-Carebridge-Event": str(payload.get("event", "")),
            "X-Carebridge-Signature": signature(self.secret, body),
        }
        timeout = TIMEOUT_SECONDS if self.timeout is None else self.timeout
        try:
            status, answer = deliveries.post_json(
                self.url, body, headers, timeout=timeout, peer="The CRM", address="The CRM webhook"
            )
        except DeliveryError as error:
            raise CrmPushError(
                str(error), retryable=error.retryable, status_code=error.status_code
            ) from error
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
    """The council's CRM adapter, or None when it has no CRM to push to: its Dynamics 365
    (Dataverse) environment when it has an enabled connection, else its webhook."""
    # dataverse.py builds on this module's errors and results: imported here, not at the top.
    from carebridge.integrations.dataverse import DataverseAdapter
    from carebridge.integrations.models import DataverseConnection

    council_id = council.pk if isinstance(council, Council) else council
    connection = DataverseConnection.objects.filter(council_id=council_id, enabled=True).first()
    if connection is not None:
        return DataverseAdapter(connection)
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
    row = outbox.outbox_add(
        CrmDelivery,
        key=key,
        council_id=council_id,
        request_id=request_id,
        event=event,
        payload=payload(),
        created_at=now(),
    )
    if row is not None:
        _queue([row.pk])
    return row


def _queue(ids: list[int]) -> None:
    from carebridge.integrations import tasks

    deliveries.queue_on_commit(tasks.deliver_crm, ids)


def _send(row: CrmDelivery) -> Taken:
    adapter = adapter_for(row.council_id)
    if adapter is None:
        raise CrmPushError("The council no longer has a CRM", retryable=False)
    result = adapter.push(row.payload, key=row.key)
    return Taken(result.status_code, {"crm_reference": result.reference})


CRM_OUTBOX = deliveries.Outbox(
    model=CrmDelivery,
    what="CRM delivery",
    send=_send,
    queue=_queue,
    action="crm_delivery",
    detail=lambda row: {"request": row.request_id},
    related=("request",),
    # A decision pushed before the request itself (or an earlier decision) would leave the
    # CRM's case with an older status once the earlier push is retried: a request's pushes go
    # in order.
    stream="request",
)


def crm_delivery_attempt(delivery_id: int) -> tuple[Outcome, timedelta | None]:
    """Try one delivery once: claim it, post it, record the answer. Safe to call twice: a row
    delivered, given up or claimed by another worker is left alone. With RETRY comes the wait
    before the next try."""
    return deliveries.attempt(CRM_OUTBOX, delivery_id)


def crm_deliveries_due(moment: datetime | None = None) -> list[int]:
    """The rows nobody is delivering and whose try is due (delivery.due)."""
    return deliveries.due(CRM_OUTBOX, moment)


def crm_deliveries_give_up(moment: datetime | None = None) -> int:
    """Give up the rows tried MAX_ATTEMPTS times, or made more than GIVE_UP_AFTER ago; how many."""
    return deliveries.give_up(CRM_OUTBOX, moment)


def undelivered(council: Council | None = None) -> QuerySet[CrmDelivery]:
    """The pushes that failed, newest first: given up, or not delivered with an error."""
    return deliveries.undelivered(CRM_OUTBOX, council)


@transaction.atomic
def crm_delivery_retry(*, delivery: CrmDelivery, by: User | None) -> bool:
    """Push an undelivered request again (say, once the CRM is mended), with a fresh count of
    tries; False if it was delivered meanwhile. Its last error stays until a push succeeds."""
    return deliveries.retry(CRM_OUTBOX, row=delivery, by=by)


def crm_deliveries_purge(moment: datetime | None = None) -> int:
    """Empty the payloads of finished rows older than KEEP_PAYLOAD_FOR (the row, its key and
    its outcome stay, so the push is never made again); how many."""
    return deliveries.purge(CRM_OUTBOX, moment)
