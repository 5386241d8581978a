"""The poller of a council's case-management feed: new referrals taken from the council's own
system, as HomeFirst's portal polls Mosaic, instead of typed in again.

A council's `CaseSystem` is polled every `Rulebook.case_feed_poll_seconds` (the periodic task in
`tasks.py` queues `poll` for each council `polls_due`). A poll asks

    GET <base_url>/referrals?after=<checkpoint>&limit=100     Authorization: Bearer <api_key>

and reads `{"items": [...], "next": "<checkpoint>", "more": true|false}` pages until `more` is
false, at most PAGES_PER_POLL a poll (docs/decisions/0013-integrations.md). Each item is a push
API body and goes through the same intake (`intake.referral_intake`): made, a duplicate (the
council has a referral with its `external_id`, or the id came twice on one page) or refused
with its reasons. A page is settled in one transaction: its referrals, the acknowledgement of
each (the first update sent back, which starts the reply window the system sees), the poll's
counts and the checkpoint `next`; so a crash part-way leaves the page to be taken whole by the
next poll, and nothing is made twice.

A failed poll (a connection error, a timeout, an answer that is not 2xx, a body that is not the
shape above or larger than MAX_BODY_BYTES) keeps the checkpoint of the last page it settled,
records the error and waits longer before the next: the interval times 2, 4, 8… up to MAX_WAIT
(`CaseSystem.failures`, the failed polls in a row). A poll that succeeds waits the interval
again; one that settled pages before it failed counts as the first failure, not one more, since
the system is answering: a flaky system then slows the feed by one doubled interval a poll
rather than by an hour.

Two workers never poll one council at once: a poll claims the council with one conditional
update (next_poll_at moved forward where it still has the value read), which only one of them
can make.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import F, Q

from carebridge.core.bounds import has_control_characters
from carebridge.core.calendar import now
from carebridge.core.outbound import OutboundRefused, open_url
from carebridge.integrations.case_updates import case_update_queue
from carebridge.integrations.models import CaseSystem, FeedPoll
from carebridge.referrals.intake import Intake, referral_intake, refusal_reason
from carebridge.referrals.models import Referral

logger = logging.getLogger(__name__)

PAGE_LIMIT = 100
# A poll reads at most this many pages, so one council's backlog cannot hold a worker for long;
# the rest is due at once, for the next minute's periodic task.
PAGES_PER_POLL = 10
TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = 5 * 1024 * 1024
# The longest wait between polls after failures, in seconds.
MAX_WAIT = 3600
# How long a claimed poll holds its council: longer than a poll can take (PAGES_PER_POLL pages
# of TIMEOUT_SECONDS each, and their referrals), so a worker that dies mid-poll frees it.
CLAIM = timedelta(minutes=15)
# The checkpoint is the feed's own cursor, stored as it came.
CHECKPOINT_MAX = CaseSystem._meta.get_field("checkpoint").max_length or 200
USER_AGENT = "carebridge-casefeed/1"
COUNTS = ("received", "created", "duplicates", "refused", "refusals")
# A page holds what was asked for and what the system serves again; far more is no page of
# this feed, and would make one poll's work (and its record) unbounded.
MAX_ITEMS = 10 * PAGE_LIMIT
# The reasons kept in one poll's record; `refused` counts them all.
REFUSALS_KEPT = 1000


class FeedFailure(Exception):
    """The feed could not be read: why, in words a council administrator can act on."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next: str
    more: bool


# --- Which councils, and claiming one ------------------------------------------------------------


def polls_due(moment: datetime) -> list[int]:
    """The councils whose feed is to be polled now: polling on, and never polled or due."""
    return list(
        CaseSystem.objects.filter(polling_enabled=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=moment))
        .order_by(F("next_poll_at").asc(nulls_first=True), "council_id")
        .values_list("council_id", flat=True)
    )


def _claim(council_id: int) -> CaseSystem | None:
    """The council's system, claimed for this poll; None when it is not due, not polled, or
    another worker claimed it first."""
    system = (
        CaseSystem.objects.select_related("council__rulebook")
        .filter(council_id=council_id, polling_enabled=True)
        .first()
    )
    if system is None:
        return None
    moment = now()
    read = system.next_poll_at
    if read is not None and read > moment:
        return None
    # Only one worker can move next_poll_at from the value they all read.
    same = Q(next_poll_at__isnull=True) if read is None else Q(next_poll_at=read)
    claimed = (
        CaseSystem.objects.filter(same, council_id=council_id, polling_enabled=True).update(
            next_poll_at=moment + CLAIM
        )
        == 1
    )
    if not claimed:
        return None
    # Where the last poll left the feed, as it is now that no one else can move it.
    system.refresh_from_db(fields=["checkpoint", "failures", "name", "base_url", "api_key"])
    return system


# --- Polling ------------------------------------------------------------------------------------


def poll(council_id: int) -> FeedPoll | None:
    """Poll the council's feed once, if it is due and no other worker is polling it: the
    poll's record, or None when nothing was polled."""
    system = _claim(council_id)
    if system is None:
        return None
    record = FeedPoll.objects.create(
        council_id=council_id,
        started_at=now(),
        checkpoint_before=system.checkpoint,
        checkpoint_after=system.checkpoint,
    )
    more = False
    try:
        for _number in range(PAGES_PER_POLL):
            page = fetch_page(system, record.checkpoint_after)
            _settle(system, record, page)
            more = page.more
            if not more:
                break
    except FeedFailure as failure:
        record.error = failure.message
        record.status_code = failure.status_code
    except Exception as error:  # a fault of ours: recorded and backed off, not left claimed
        logger.exception("Polling the case-management feed of council %s failed", council_id)
        record.error = f"Carebridge could not take the feed's page ({type(error).__name__})."
    _finish(system, record, more=more)
    return record


def fetch_page(system: CaseSystem, checkpoint: str) -> Page:
    """One page of the feed after `checkpoint`, or FeedFailure."""
    query = urlencode({"after": checkpoint, "limit": PAGE_LIMIT})
    request = urllib.request.Request(  # noqa: S310 (open_url checks the address)
        f"{system.base_url.rstrip('/')}/referrals?{query}",
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
    )
    if system.api_key:
        request.add_header("Authorization", f"Bearer {system.api_key}")
    status: int | None = None
    try:
        with open_url(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
            length = response.headers.get("Content-Length") or ""
            if length.isdigit() and int(length) > MAX_BODY_BYTES:
                raise FeedFailure(_too_large(), status)
            raw = response.read(MAX_BODY_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        raise FeedFailure(
            f"The feed answered {error.code} {error.reason}"[:300], error.code
        ) from None
    except OutboundRefused as refused:
        raise FeedFailure(f"The feed's address cannot be used: {refused.message}") from None
    except TimeoutError:
        raise FeedFailure(_timed_out(), status) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        if isinstance(reason, TimeoutError):
            raise FeedFailure(_timed_out(), status) from None
        raise FeedFailure(
            f"The feed could not be reached: {type(reason).__name__} {reason}"[:300], status
        ) from None
    if len(raw) > MAX_BODY_BYTES:
        raise FeedFailure(_too_large(), status)
    return page_of(raw, status)


def _timed_out() -> str:
    return f"The feed did not answer within {TIMEOUT_SECONDS:g} seconds"


def _too_large() -> str:
    megabytes, rest = divmod(MAX_BODY_BYTES, 1024 * 1024)
    size = f"{MAX_BODY_BYTES:,} bytes" if rest else f"{megabytes} MB"
    return f"The feed's page is larger than {size}"


def page_of(raw: bytes, status: int | None = None) -> Page:
    """The page in the feed's answer, or FeedFailure when it is not of the feed's shape."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise FeedFailure("The feed's answer is not JSON", status) from None
    if not isinstance(body, dict):
        raise FeedFailure("The feed's answer is not an object with items, next and more", status)
    items, cursor, more = body.get("items"), body.get("next"), body.get("more")
    problems = []
    if not isinstance(items, list):
        problems.append("items is not a list")
    elif len(items) > MAX_ITEMS:
        problems.append(f"items holds more than {MAX_ITEMS:,}")
    if not isinstance(cursor, str) or len(cursor) > CHECKPOINT_MAX:
        problems.append(f"next is not text of up to {CHECKPOINT_MAX} characters")
    elif has_control_characters(cursor):
        problems.append("next holds control characters")
    if not isinstance(more, bool):
        problems.append("more is not true or false")
    if problems:
        raise FeedFailure(f"The feed's answer is not a page: {', '.join(problems)}", status)
    assert isinstance(items, list) and isinstance(cursor, str) and isinstance(more, bool)
    return Page(items=items, next=cursor, more=more)


@transaction.atomic
def _settle(system: CaseSystem, record: FeedPoll, page: Page) -> None:
    """Take every item of the page, then move the checkpoint past it: all in one transaction,
    so the page is settled whole or not at all."""
    seen: set[str] = set()
    for item in page.items:
        record.received += 1
        external_id = _id_of(item)
        if external_id and external_id in seen:
            record.duplicates += 1
            continue
        if external_id:
            seen.add(external_id)
        taken = _take(system, item)
        if taken.errors is not None:
            record.refused += 1
            if len(record.refusals) < REFUSALS_KEPT:
                reason = refusal_reason(taken.errors)
                record.refusals.append({"id": external_id, "reason": reason})
        elif taken.created:
            record.created += 1
        else:
            record.duplicates += 1
    record.checkpoint_after = page.next
    record.save(update_fields=[*COUNTS, "checkpoint_after"])
    CaseSystem.objects.filter(pk=system.pk).update(checkpoint=page.next)


def _take(system: CaseSystem, item: Any) -> Intake:
    """One item through the push API's intake, taken now; a referral made is acknowledged in
    the same transaction (its first update back to the system)."""
    moment = now()
    taken = referral_intake(
        council=system.council,
        body=item,
        via=system.name,
        received_at=moment,
        external_id_required=True,
    )
    if taken.created:
        assert taken.referral is not None
        _acknowledge(taken.referral, moment)
    return taken


def _acknowledge(referral: Referral, moment: datetime) -> None:
    """The first update back: the system learns when Carebridge took the referral and by when
    the provider must answer (nothing is queued when the council takes no updates)."""
    case_update_queue(
        referral=referral,
        event="acknowledged",
        at=moment,
        details={
            "received_at": _utc(referral.received_at),
            "respond_by": _utc(referral.respond_by),
        },
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id_of(item: Any) -> str:
    """The system's id of an item, as the intake reads it (trimmed), for the poll's records."""
    value = item.get("external_id") if isinstance(item, Mapping) else None
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return "" if has_control_characters(value) else value[:100]


def _finish(system: CaseSystem, record: FeedPoll, *, more: bool) -> None:
    """Record the poll's end and when the council is polled next: the rulebook's interval, or
    after failures in a row that interval times 2, 4, 8… up to MAX_WAIT; at once when the poll
    stopped at PAGES_PER_POLL with more to read (a backlog is taken a poll a minute)."""
    if record.error:
        # The counts of the page that failed part-way were rolled back with it.
        record.refresh_from_db(fields=[*COUNTS, "checkpoint_after"])
    moment = now()
    interval = system.council.rulebook.case_feed_poll_seconds
    failures = 0
    if record.error:
        progressed = record.checkpoint_after != record.checkpoint_before
        failures = 1 if progressed else system.failures + 1
    wait = 0 if more and not record.error else wait_seconds(interval, failures)
    record.finished_at = moment
    record.save(update_fields=["finished_at", "error", "status_code"])
    CaseSystem.objects.filter(pk=system.pk).update(
        failures=min(failures, 32767),
        next_poll_at=moment + timedelta(seconds=wait),
        last_polled_at=moment,
    )


def wait_seconds(interval: int, failures: int) -> int:
    """Seconds until the next poll: the interval, doubled for each failure in a row, at most
    MAX_WAIT."""
    if failures <= 0:
        return interval
    # 2 ** 12 already passes an hour from the shortest interval the rulebook allows.
    return int(min(interval * 2 ** min(failures, 12), MAX_WAIT))
