"""What the actions pages call an action's side, subject and assignee, for the side reading it."""

from __future__ import annotations

from typing import Any

from carebridge.accounts.models import User
from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action


def is_council(user: User) -> bool:
    return user.council_id is not None


def related_label(action: Action) -> str:
    """The guide's "Re:" column: "Diamond Home Care - Marple (Service)"."""
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


def assigned_label(user: User, action: Action) -> str:
    if action.assigned_team_id is None:
        return "Provider" if not is_council(user) else action.provider.name
    assert action.assigned_team is not None
    return (
        f"Council ({action.assigned_team.name})"
        if not is_council(user)
        else (action.assigned_team.name)
    )
