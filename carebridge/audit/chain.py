"""The audit log's hash chain: each event's hash covers all its fields and the previous event's
hash, in id order (docs/decisions/0017-tamper-evident-audit.md)."""

import hashlib
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from carebridge.audit.models import Event

# What the first event of a never-pruned log chains to.
GENESIS = "0" * 64
PRUNED = "audit.pruned"
# The PostgreSQL function (migration 0003) that takes the chain's transaction-scoped lock and
# then, with a fresh snapshot, reads the head and the next id: one round trip an event.
HEAD_FUNCTION = "audit_chain_next"
HASHED_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_label",
    "council_id",
    "provider_id",
    "team_kind",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "detail",
    "ip_address",
    "previous_hash",
)
CHUNK = 2000


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "at":
        return value.astimezone(UTC).isoformat()
    if name == "ip_address":
        return ipaddress.ip_address(value).exploded  # PostgreSQL's inet spells it its own way
    if name in {"before", "after", "detail"}:
        return json.loads(json.dumps(value))  # as stored: tuples are lists, keys are strings
    return value


def hash_of(values: dict[str, Any]) -> str:
    """The SHA-256 of an event's fields (canonical JSON: sorted keys, times ISO in UTC)."""
    canonical = {name: _canonical(name, values[name]) for name in HASHED_FIELDS}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def next_link() -> tuple[int, str]:
    """The next event's id and the hash it chains to. Called inside the transaction that
    inserts it: on PostgreSQL the lock it takes is held until that transaction ends, so chain
    order is commit order; SQLite's IMMEDIATE transactions already write one at a time."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT * FROM {HEAD_FUNCTION}()")  # noqa: S608
            next_id, head = cursor.fetchone()
            return next_id, head or GENESIS
        cursor.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] + 1, row[1]) if row else (1, GENESIS)


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    id: int
    at: datetime
    what: str
    expected: str
    found: str

    def __str__(self) -> str:
        return (
            f"chain broken at event {self.id} ({self.at.astimezone(UTC).isoformat()}): "
            f"{self.what} expected {self.expected}, found {self.found}"
        )


@dataclass(frozen=True)
class Intact:
    """The whole chain verified."""

    count: int

    def __str__(self) -> str:
        return f"chain intact: {self.count} events"


def _rows() -> Iterator[dict[str, Any]]:
    """Every event in id order, a chunk at a time (memory stays bounded at millions)."""
    last = 0
    fields = (*HASHED_FIELDS, "hash")
    while True:
        chunk = list(Event.objects.filter(id__gt=last).order_by("id").values(*fields)[:CHUNK])
        yield from chunk
        if len(chunk) < CHUNK:
            return
        last = chunk[-1]["id"]


def start() -> tuple[str, int]:
    """What the oldest kept event chains to, and the id it must be past: the genesis value, or
    what the latest pruning recorded of the last event it removed."""
    pruned = Event.objects.filter(action=PRUNED).order_by("-id").values("detail").first()
    if pruned is None:
        return GENESIS, 0
    return str(pruned["detail"]["through_hash"]), int(pruned["detail"]["through_id"])


def verify() -> Break | Intact:
    """Walk the chain from its start (genesis or the pruning anchor) to its head."""
    expected_previous, past_id = start()
    count = 0
    for row in _rows():
        if count == 0 and row["id"] <= past_id:
            return Break(
                row["id"], row["at"], "id after the pruned part", f"> {past_id}", str(row["id"])
            )
        if row["previous_hash"] != expected_previous:
            return Break(
                row["id"], row["at"], "previous hash", expected_previous, row["previous_hash"]
            )
        recomputed = hash_of(row)
        if row["hash"] != recomputed:
            return Break(row["id"], row["at"], "hash", recomputed, row["hash"])
        expected_previous = row["hash"]
        count += 1
    return Intact(count)
