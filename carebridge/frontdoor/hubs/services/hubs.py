"""Writes to a council's hubs: adding one and changing its details (or whether it takes
bookings). Only the council's front-door officers may."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.audit.services import changed_fields, record, snapshot
from carebridge.core.calendar import now
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import Function, can_edit
from carebridge.frontdoor.models import Hub
from carebridge.organisations.models import Council
from carebridge.people.validators import normalise_postcode, validate_postcode


def require_officer(by: User, council_id: int) -> None:
    """Refuse anyone but the council's front-door officers a change to its hubs or bookings."""
    if by.council_id != council_id or not can_edit(by.role, Function.FRONT_DOOR):
        raise PermissionError("Only the council's front-door officers can change its hubs.")


HUB_FIELDS = (
    "name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "opening_notes",
    "access_notes",
    "is_active",
)


def _clean_hub(hub: Hub) -> None:
    for name in HUB_FIELDS:
        value = getattr(hub, name)
        if isinstance(value, str):
            setattr(hub, name, value.strip())
    errors: dict[str, list[str]] = {}
    try:
        validate_postcode(hub.postcode)
        hub.postcode = normalise_postcode(hub.postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages
    if (
        Hub.objects.filter(council_id=hub.council_id, name__iexact=hub.name)
        .exclude(pk=hub.pk)
        .exists()
    ):
        errors["name"] = ["The council already has a hub with this name"]
    try:
        hub.full_clean(
            exclude=["created_at", "changed_at", "postcode"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@once_per_key(
    "frontdoor.hub_create",
    find=lambda pk, call: Hub.objects.filter(pk=pk, council=call["council"]).first(),
)
def hub_create(
    *, council: Council, by: User, idempotency_key: str | None = None, **fields: Any
) -> Hub:
    """Add a hub where the council's professionals meet people by appointment (once per the
    form's key)."""
    require_officer(by, council.pk)
    unknown = set(fields) - set(HUB_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hub fields: {sorted(unknown)}")
    moment = now()
    hub = Hub(council=council, created_at=moment, changed_at=moment, **fields)
    _clean_hub(hub)
    hub.save()
    record(
        action="hub.created",
        by=by,
        obj=hub,
        council=council.pk,
        after=snapshot(hub, list(HUB_FIELDS)),
    )
    return hub


@transaction.atomic
def hub_update(*, hub: Hub, by: User, **changes: Any) -> Hub:
    """Change a hub's details; stop or restart its taking bookings with `is_active`."""
    require_officer(by, hub.council_id)
    unknown = set(changes) - set(HUB_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hub fields: {sorted(unknown)}")
    current = Hub.objects.select_for_update().get(pk=hub.pk)
    before = snapshot(current, list(HUB_FIELDS))
    for name, value in changes.items():
        setattr(current, name, value)
    _clean_hub(current)
    after = snapshot(current, list(HUB_FIELDS))
    changed = changed_fields(before, after)
    if changed:
        current.changed_at = now()
        current.save()
        record(
            action="hub.updated",
            by=by,
            obj=current,
            council=current.council_id,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return current
