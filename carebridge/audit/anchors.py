"""Anchors of the audit log's hash chain: its head published where the database's users cannot
write, and checked again later (docs/decisions/0017-tamper-evident-audit.md).

The chain alone shows a change made by someone who did not rewrite everything after it; someone
able to recompute every later hash is caught only by comparing with a copy kept elsewhere. Each
night `publish` writes the head (event id, hash, how many events, when) to the security log,
which is forwarded off the host (docs/deploy.md), and e-mails it through the outbox when
`AUDIT_ANCHOR_EMAIL` is set. `carebridge audit_verify --anchor ID:HASH` (or `--anchors FILE` of
such lines) then checks that each event still has the hash it had.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from carebridge.audit import chain
from carebridge.audit.models import Event
from carebridge.core.calendar import now

security_log = logging.getLogger("carebridge.security")

# "ID:HASH" wherever it stands in a line: a security log line (JSON), the e-mail, or alone.
ANCHOR = re.compile(r"(?<![\w])(?P<id>\d{1,18}):(?P<hash>[0-9a-f]{64})(?![\w])")
# Lines longer than this are not anchor lines (a security log line is a few hundred characters);
# only their start is read, so a hostile file cannot make the check slow.
LINE_LIMIT = 4096
# Ten years of nightly anchors and more; a file naming more is refused, not read whole.
MOST_ANCHORS = 20_000
# An outbox kind of its own: it goes to an address, never to a user's subscription, so the
# choices of Notification.kind need not name it (as the digest's sections).
EMAIL_KIND = "audit_anchor"


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"


def parse(text: str) -> Anchor | None:
    """The anchor in a line or argument, or None."""
    match = ANCHOR.search(text[:LINE_LIMIT])
    return Anchor(int(match["id"]), match["hash"]) if match else None


class TooManyAnchors(ValueError):
    pass


def read(lines: Iterable[str]) -> Iterator[Anchor]:
    """Every anchor in the lines (a forwarded security log: other lines are passed over)."""
    found = 0
    for line in lines:
        anchor = parse(line)
        if anchor is not None:
            found += 1
            if found > MOST_ANCHORS:
                raise TooManyAnchors(f"More than {MOST_ANCHORS} anchors: check fewer at a time.")
            yield anchor


@dataclass(frozen=True)
class Head:
    """The chain's newest event and how many events the log holds up to it."""

    anchor: Anchor
    count: int
    at: datetime


def head() -> Head | None:
    last = Event.objects.order_by("-id").values("id", "hash").first()
    if last is None:
        return None
    count = Event.objects.filter(id__lte=last["id"]).count()
    return Head(Anchor(last["id"], last["hash"]), count, now())


def publish() -> Head | None:
    """Write the chain's head to the security log and, when an address is set, queue it by
    e-mail (sent once the transaction commits). None when the log is empty."""
    with transaction.atomic():
        current = head()
        if current is None:
            security_log.info(
                "Audit log empty: no anchor", extra={"security": {"kind": EMAIL_KIND}}
            )
            return None
        at = current.at.astimezone(UTC).isoformat()
        security_log.info(
            "Audit chain head %s",
            current.anchor,
            extra={
                "security": {
                    "kind": EMAIL_KIND,
                    "anchor": str(current.anchor),
                    "event": current.anchor.id,
                    "hash": current.anchor.hash,
                    "count": current.count,
                    "at": at,
                }
            },
        )
        address = getattr(settings, "AUDIT_ANCHOR_EMAIL", "")
        if address:
            _email(address, current, at)
    return current


def _email(address: str, current: Head, at: str) -> None:
    # Same layer as the audit log (docs/architecture.md); imported here, where it is used.
    from carebridge.notifications.services import email_queue

    email_queue(
        to=address,
        kind=EMAIL_KIND,
        key=f"audit-anchor:{current.anchor}:{at[:10]}",
        subject=f"Audit log anchor {at[:10]}",
        body=(
            "The audit log's hash chain ended here. Keep this e-mail: `carebridge audit_verify "
            "--anchor` checks the log against it later.\n\n"
            f"anchor: {current.anchor}\nevents: {current.count}\nat: {at} (UTC)\n"
        ),
    )


@dataclass(frozen=True)
class AnchorBroken:
    """The first anchor (in id order) the log no longer matches."""

    anchor: Anchor
    found: str

    def __str__(self) -> str:
        return f"anchor {self.anchor} no longer matches: {self.found}"


@dataclass(frozen=True)
class AnchorsHeld:
    checked: int
    pruned: list[Anchor]
    through_id: int

    def lines(self) -> list[str]:
        held = [f"anchors hold: {self.checked} checked"]
        return held + [
            f"anchor {anchor} is older than the pruned part of the log (events up to "
            f"{self.through_id} were removed by retention): not checked"
            for anchor in self.pruned
        ]


def check(anchors: Iterable[Anchor]) -> AnchorBroken | AnchorsHeld:
    """Each anchor's event must still have its hash. An event retention removed cannot be
    checked (reported, not a break), except the last removed one, whose hash the pruning
    recorded; an event otherwise missing is a break."""
    through_hash, through_id = chain.start()
    wanted = sorted(set(anchors), key=lambda a: (a.id, a.hash))
    ids = sorted({a.id for a in wanted})
    stored: dict[int, str] = {}
    for at in range(0, len(ids), chain.CHUNK):
        chunk = ids[at : at + chain.CHUNK]
        stored.update(Event.objects.filter(id__in=chunk).values_list("id", "hash"))
    checked, pruned = 0, []
    for anchor in wanted:
        if anchor.id in stored:
            found = stored[anchor.id]
        elif anchor.id == through_id:
            found = through_hash  # the pruning recorded the last removed event's hash
        elif anchor.id < through_id:
            pruned.append(anchor)
            continue
        else:
            return AnchorBroken(anchor, f"event {anchor.id} is missing")
        if found != anchor.hash:
            return AnchorBroken(anchor, f"event {anchor.id} has hash {found}")
        checked += 1
    return AnchorsHeld(checked, pruned, through_id)
