"""What the actions pages call an action's side, subject and assignee, for the side reading it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from carebridge.accounts.models import User
from carebridge.actions.choices import RELATED_FIELD, RelatedKind
from carebridge.actions.models import Action
from carebridge.core import related_to as related_registry
from carebridge.core.related_to import RelatedTo


def is_council(user: User) -> bool:
    return user.council_id is not None


def _field_label(action: Action) -> str:
    """The guide's "Re:" column for a thing the action holds: "Diamond Home Care - Marple
    (Service)"."""
    related: Any = action.related
    kind = RelatedKind(action.related_kind)
    if kind == RelatedKind.CLIENT:
        name = related.full_name
    elif kind == RelatedKind.CPLI:
        name = f"{related.service_user.full_name}: {related.description}"
    elif kind == RelatedKind.CONTRACT_DOCUMENT:
        name = related.reference
    elif kind == RelatedKind.CONTACT:
        name = related.full_name or related.email
    else:
        name = str(related)
    return f"{name} ({kind.label})"


def related_to(user: User, actions: Sequence[Action]) -> dict[int, RelatedTo]:
    """Each action's "Re:", by its id. What an app beside actions holds (a dispute names its
    action) comes from that app's source in core.related_to, one call a kind for all the
    actions shown, with a link to it for a user who may see it."""
    found: dict[int, RelatedTo] = {}
    elsewhere: dict[str, list[int]] = {}
    for action in actions:
        if RelatedKind(action.related_kind) in RELATED_FIELD:
            found[action.pk] = RelatedTo(_field_label(action))
        else:
            elsewhere.setdefault(action.related_kind, []).append(action.pk)
    for kind, ids in elsewhere.items():
        answers = related_registry.related_to(user, kind, ids)
        for pk in ids:
            found[pk] = answers.get(pk) or RelatedTo(RelatedKind(kind).label)
    return found


def assigned_label(user: User, action: Action) -> str:
    if action.assigned_team_id is None:
        return "Provider" if not is_council(user) else action.provider.name
    assert action.assigned_team is not None
    return (
        f"Council ({action.assigned_team.name})"
        if not is_council(user)
        else (action.assigned_team.name)
    )
