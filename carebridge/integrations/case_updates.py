"""Every change to a referral sent back to the council's case-management system, once each, in
order (docs/decisions/0013-integrations.md, "Updates (outbound)").

Each change of a referral the system sent (it has an `external_id`) at a council whose
`CaseSystem.updates_enabled` is one `CaseUpdate` row, written by `case_update_queue` in the
change's own transaction (`referrals.services._event` calls it; the poller queues
"acknowledged"): a change rolled back queues nothing, and a change made is never lost. Its
`sequence` counts 1, 2, … per referral and its key, `referral-<id>-<sequence>`, goes with every
try as `Idempotency-Key`, so the system can ignore a repeat of a post it took.

The rows are delivered by `integrations.delivery` (claim, try, back off, give up, support's
retry), in order: a row is tried only once every earlier row of its referral is delivered, and
when a row is delivered the next one of its referral is queued at once. A row waiting behind
an undelivered one counts no try and is not given up for its age; a row given up holds the
referral's later rows until support sends it again (which starts their clock afresh too).

The post: `POST <base_url>/referrals/<external_id>/updates`, the JSON body of the record, with
`Authorization: Bearer <api key>`, `Idempotency-Key`, `X-Carebridge-Event` and
`X-Carebridge-Signature` (crm.signature of the body with the system's signing secret; nothing is
sent unsigned). A 2xx answer, or 409 `{"error": "duplicate"}` naming the same key, means taken.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import IntegerField, Max, Q, QuerySet, Subquery

import carebridge.integrations.delivery as deliveries
from carebridge.core.calendar import now
from carebridge.core.outbound import url_refusal
from carebridge.integrations.crm import signature
from carebridge.integrations.delivery import DeliveryError, Outcome, Taken
from carebridge.integrations.models import CaseSystem, CaseUpdate
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.referrals.models import Referral

SCHEMA = "carebridge.referral-update"
SCHEMA_VERSION = 1
EVENTS = frozenset(
    {"acknowledged", "accepted", "refused", "delayed", "failed", "updated", "actuals", "withdrawn"}
)
TIMEOUT_SECONDS = 10.0
USER_AGENT = "carebridge-case-updates/1"
PEER = "The case-management system"


# --- Queueing, in the change's transaction ----------------------------------------------------


def case_update_key(referral_id: int, sequence: int) -> str:
    return f"referral-{referral_id}-{sequence}"


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def case_update_payload(
    *, referral: Referral, event: str, sequence: int, at: datetime, details: dict[str, Any]
) -> dict[str, Any]:
    """The body posted (schema version 1), from the referral as the change left it."""
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "event": event,
        "sequence": sequence,
        "at": _utc(at),
        "referral": {
            "id": referral.pk,
            "external_id": referral.external_id,
            "status": referral.status,
            "received_at": _utc(referral.received_at),
            "respond_by": _utc(referral.respond_by),
            "first_visit_at": _utc(referral.first_visit_at),
        },
        # Plain JSON, as stored and posted: dates and amounts as the services wrote them.
        "details": json.loads(json.dumps(details, cls=DjangoJSONEncoder)),
    }


def case_update_queue(
    *, referral: Referral, event: str, at: datetime, details: dict[str, Any]
) -> CaseUpdate | None:
    """Queue the change for the council's case-management system: one row, the referral's next
    in sequence, posted once the transaction commits. None, and nothing queued, when the
    referral did not come from the system (no external_id) or the council sends no updates.

    Call it inside the change's transaction. Two changes of one referral at once cannot take the
    same sequence: the unique constraint refuses the second, and its change rolls back with it
    (never a change without its update)."""
    if event not in EVENTS:
        raise ValueError(f"Not an update the case-management system takes: {event!r}")
    if not referral.external_id:
        return None
    if not CaseSystem.objects.filter(council_id=referral.council_id, updates_enabled=True).exists():
        return None
    last = CaseUpdate.objects.filter(referral_id=referral.pk).aggregate(last=Max("sequence"))
    sequence = (last["last"] or 0) + 1
    update = CaseUpdate.objects.create(
        key=case_update_key(referral.pk, sequence),
        council_id=referral.council_id,
        referral_id=referral.pk,
        sequence=sequence,
        event=event,
        payload=case_update_payload(
            referral=referral, event=event, sequence=sequence, at=at, details=details
        ),
        created_at=now(),
    )
    _queue([update.pk])
    return update


def _queue(ids: list[int]) -> None:
    from carebridge.integrations import tasks

    deliveries.queue_on_commit(tasks.deliver_case_update, ids)


# --- The adapter ------------------------------------------------------------------------------


def case_update_send(update: CaseUpdate) -> Taken:
    """Post one update to the council's system; raises DeliveryError when it is not taken."""
    system = CaseSystem.objects.filter(council_id=update.council_id).first()
    if system is None or not system.updates_enabled:
        raise DeliveryError("The council no longer sends updates to its system", retryable=False)
    external_id = update.payload.get("referral", {}).get("external_id", "")
    url = f"{system.base_url.rstrip('/')}/referrals/{quote(str(external_id), safe='')}/updates"
    refusal = url_refusal(url)
    if refusal:
        raise DeliveryError(f"{PEER}'s address cannot be used: {refusal}", retryable=False)
    if not system.signing_secret:
        # The system could not tell our posts from anyone's: personal data is never sent so.
        raise DeliveryError(
            f"{PEER} has no signing secret: a council administrator must set one",
            retryable=False,
        )
    body = deliveries.body_of(update.payload)
    headers = {
        "User-Agent": USER_AGENT,
        "Idempotency-Key": update.key,
        "X-Carebridge-Delivery": update.key,
        "X-Carebridge-Event": update.event,
        "X-Carebridge-Signature": signature(system.signing_secret, body),
    }
    if system.api_key:
        headers["Authorization"] = f"Bearer {system.api_key}"
    try:
        status, _answer = deliveries.post_json(
            url,
            body,
            headers,
            timeout=TIMEOUT_SECONDS,
            peer=PEER,
            address=f"{PEER}'s address",
        )
    except DeliveryError as error:
        if error.status_code == 409 and _duplicate_of(error.answer, update.key):
            # The system took this update before (its answer to that try was lost).
            return Taken(409)
        raise
    return Taken(status)


def _duplicate_of(answer: bytes, key: str) -> bool:
    try:
        data = json.loads(answer)
    except ValueError:
        return False
    if not isinstance(data, dict) or data.get("error") != "duplicate":
        return False
    return data.get("key", key) == key


# --- Delivery, in order: a row waits while an earlier one of its referral is undelivered -------


CASE_UPDATES = deliveries.Outbox(
    model=CaseUpdate,
    what="Case update",
    send=case_update_send,
    queue=_queue,
    action="case_update",
    detail=lambda update: {
        "referral": update.referral_id,
        "sequence": update.sequence,
        "event": update.event,
    },
    related=("referral",),
    stream="referral",
    order="sequence",
)


def case_update_attempt(update_id: int) -> tuple[Outcome, timedelta | None]:
    """Try one update once (delivery.attempt): WAITING, and no try counted, while an earlier
    update of its referral is undelivered."""
    return deliveries.attempt(CASE_UPDATES, update_id)


def case_updates_due(moment: datetime | None = None) -> list[int]:
    """The updates nobody is delivering whose try is due and whose earlier updates are all
    delivered (delivery.due)."""
    return deliveries.due(CASE_UPDATES, moment)


def case_updates_give_up(moment: datetime | None = None) -> int:
    """Give up the updates tried too often or for too long (delivery.give_up); how many."""
    return deliveries.give_up(CASE_UPDATES, moment)


def case_updates_purge(moment: datetime | None = None) -> int:
    return deliveries.purge(CASE_UPDATES, moment)


@transaction.atomic
def case_update_retry(*, update: CaseUpdate, by: User | None) -> bool:
    """Send an undelivered update again with a fresh count of tries, audited; False if it was
    delivered meanwhile. The referral's later updates, held behind it, get their time afresh
    too, so the sweep does not give them up for the days they waited."""
    retried = deliveries.retry(CASE_UPDATES, row=update, by=by)
    if retried:
        CaseUpdate.objects.filter(
            referral_id=update.referral_id,
            sequence__gt=update.sequence,
            delivered_at__isnull=True,
            gave_up=False,
        ).update(retried_at=now())
    return retried


def undelivered_case_updates(council: Council | None = None) -> QuerySet[CaseUpdate]:
    """The updates not delivered that need a look, newest first: those that failed (given up,
    or with an error, to be tried again) and those held behind one of them. Each carries
    `held_by`: the sequence of the earliest undelivered update of its referral before it, or
    None when it is not waiting for another."""
    held_by = Subquery(
        deliveries.earlier_undelivered(CASE_UPDATES).order_by("sequence").values("sequence")[:1],
        output_field=IntegerField(),
    )
    found = (
        CaseUpdate.objects.filter(delivered_at__isnull=True)
        .annotate(held_by=held_by)
        .filter(Q(gave_up=True) | ~Q(last_error="") | Q(held_by__isnull=False))
    )
    if council is not None:
        found = found.filter(council=council)
    return found.select_related("council", "referral").order_by("-created_at", "-pk")


def case_update_held_by(update: CaseUpdate) -> CaseUpdate | None:
    """The earliest undelivered update of the referral before this one: what it waits for."""
    return deliveries.held_by(CASE_UPDATES, update)
