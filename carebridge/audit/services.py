"""Writing to the audit log: every business action calls `record` in its own transaction."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pgtrigger
from django.db import models, transaction

from carebridge.audit import chain
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.organisations.models import Council, Provider


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of a record's fields, for the before and after of an event."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password", "passcode"}:
            continue  # secrets never go into the log, not even hashed
        if getattr(field, "auto_now", False):
            continue  # the event's own time says when
        value = field.value_from_object(instance)
        data[field.attname if field.is_relation else field.name] = (
            value if value is None or isinstance(value, bool | int | str) else str(value)
        )
    return data


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after.get(key))


def record(
    *,
    action: str,
    by: Any = None,
    obj: models.Model | None = None,
    council: Council | int | None = None,
    provider: Provider | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
    team_kind: str = "",
) -> Event:
    """Append one event. `by` is the acting user, or None for the system or an anonymous visitor.
    `team_kind`: only the council's staff in a team of that kind read it (see Event.team_kind)."""
    actor = by if by is not None and getattr(by, "pk", None) is not None else None
    if council is None and provider is None and actor is not None:
        council, provider = actor.council_id, actor.provider_id
    event = Event(
        at=now(),
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        council_id=council.pk if isinstance(council, Council) else council,
        provider_id=provider.pk if isinstance(provider, Provider) else provider,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        detail=detail or {},
        ip_address=ip_address,
        team_kind=team_kind,
    )
    return _append(event)


def _append(event: Event) -> Event:
    """Insert the event as the chain's new head. Without a savepoint: a caller's transaction
    holds the chain's lock until it commits, and a lone call gets a transaction of its own."""
    with transaction.atomic(savepoint=False):
        event.id, event.previous_hash = chain.next_link()
        event.hash = chain.hash_of({name: getattr(event, name) for name in chain.HASHED_FIELDS})
        event.save(force_insert=True)
    return event


def record_listed(
    *,
    action: str,
    by: Any,
    counts: Mapping[int, int],
    detail: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> list[Event]:
    """A list or download naming many people is one event per council whose people it names,
    never one per row: each council's log then shows what was read of its people, and how many
    rows ("count"). `counts` maps each council's id to its rows; a council given with 0 rows
    (a system's empty page) still gets its event. With no council at all, one event in the
    reader's own log says the download happened."""
    provider = getattr(by, "provider_id", None)
    rows = {council: n for council, n in counts.items() if n} or dict(counts)
    if not rows:
        return [
            record(
                action=action, by=by, detail={**(detail or {}), "count": 0}, ip_address=ip_address
            )
        ]
    return [
        record(
            action=action,
            by=by,
            council=council,
            provider=provider,
            detail={**(detail or {}), "count": n},
            ip_address=ip_address,
        )
        for council, n in sorted(rows.items())
    ]


def remove_events_before(cutoff: datetime, *, reason: str) -> int:
    """Retention: remove the oldest part of the log, every event before the first one at or
    after `cutoff`, in one transaction, first recording an "audit.pruned" event that carries the
    last removed event's id and hash, from which `audit_verify` then starts. Returns how many."""
    if cutoff > now():
        raise ValueError("Only events already past can be removed.")
    with transaction.atomic():
        kept_from = (
            Event.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
        ).first()
        removed = (
            Event.objects.all() if kept_from is None else Event.objects.filter(id__lt=kept_from)
        )
        last = removed.order_by("-id").values("id", "hash").first()
        if last is None:
            return 0
        count = removed.count()
        pruning = record(
            action=chain.PRUNED,
            detail={
                "through_id": last["id"],
                "through_hash": last["hash"],
                "count": count,
                "cutoff": cutoff.isoformat(),
                "reason": reason,
            },
        )
        doomed = Event._base_manager.filter(id__lte=last["id"]).exclude(pk=pruning.pk)
        with pgtrigger.ignore("audit.Event:protect_deletes"):
            doomed._raw_delete(doomed.db)
    return count
