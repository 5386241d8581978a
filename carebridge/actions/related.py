"""What a new action may be about, where the thing lives in an app above actions (an invoice,
in payments). The app registers, in its AppConfig.ready, the things of a kind an action between
a council and a provider may be about; the action keeps the chosen one's id (Action.related_id),
and the app's source in core.related_to names it on the actions pages. So actions never imports
the app, and a kind no app registered is simply not offered."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carebridge.organisations.models import Council

# Given the acting user, the council and the provider's id: the (id, label) pairs of the things
# of the kind the user may choose, in the order to offer them.
ChoicesSource = Callable[[Any, "Council", int], list[tuple[int, str]]]

_sources: dict[str, ChoicesSource] = {}


def register(kind: str, source: ChoicesSource) -> None:
    """Offer a kind held by an app above actions; registering the same source again changes
    nothing, and a kind has one source."""
    known = _sources.get(kind)
    if known is not None and known is not source:
        raise ValueError(f"The related kind {kind!r} has a source of choices already")
    _sources[kind] = source


def held_elsewhere() -> tuple[str, ...]:
    """The kinds registered by apps above actions, in the order they registered."""
    return tuple(_sources)


def choices(user: Any, council: Council, provider_id: int, kind: str) -> list[tuple[int, str]]:
    """What an action of this registered kind may be about; nothing for a kind not registered."""
    source = _sources.get(kind)
    return source(user, council, provider_id) if source is not None else []
