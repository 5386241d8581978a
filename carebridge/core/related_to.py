"""What an action is related to, where the thing lives in an app above actions: a dispute's
further dialogue (the dispute names its action, actions never names disputes) or an invoice (the
action keeps its id, Action.related_id). The app registers, in its AppConfig.ready, a source of
the "Re:" label and link of the actions it holds and, where a new action may choose one of its
things, a source of those choices. So actions never imports that app and core imports neither."""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RelatedTo:
    """An action's "Re:": its label, and the page it opens for the user reading it (empty when
    that user may not see the thing)."""

    label: str
    url: str = ""


# Given the acting user and some actions' ids (all of the kind), what each of them is related
# to, by action id. A source reads them all in a fixed number of queries, never one an action.
RelatedSource = Callable[[Any, Collection[int]], dict[int, RelatedTo]]

_sources: dict[str, RelatedSource] = {}


def register(kind: str, source: RelatedSource) -> None:
    """Be the source of a related kind's labels; registering the same source again changes
    nothing, and a kind has one source."""
    known = _sources.get(kind)
    if known is not None and known is not source:
        raise ValueError(f"The related kind {kind!r} has a source already")
    _sources[kind] = source


def kinds() -> frozenset[str]:
    """The related kinds whose labels come from a registered source."""
    return frozenset(_sources)


def related_to(user: Any, kind: str, action_ids: Collection[int]) -> dict[int, RelatedTo]:
    """The kind's source's answer for these actions; no query at all for none, and nothing for a
    kind no app has registered (its actions keep their plain label)."""
    source = _sources.get(kind)
    if source is None or not action_ids:
        return {}
    return source(user, action_ids)


# Given the acting user, the council and the provider's id: the (id, label) pairs of the things of
# the kind the user may choose for a new action between them, in the order to offer them.
ChoicesSource = Callable[[Any, Any, int], list[tuple[int, str]]]

_choice_sources: dict[str, ChoicesSource] = {}


def register_choices(kind: str, source: ChoicesSource) -> None:
    """Offer a kind's things on a new action; the same rules as register."""
    known = _choice_sources.get(kind)
    if known is not None and known is not source:
        raise ValueError(f"The related kind {kind!r} has a source of choices already")
    _choice_sources[kind] = source


def choosable_kinds() -> tuple[str, ...]:
    """The kinds a new action may choose a thing of, in the order they registered."""
    return tuple(_choice_sources)


def choices(user: Any, council: Any, provider_id: int, kind: str) -> list[tuple[int, str]]:
    """What a new action of this kind may be about; nothing for a kind no app registered."""
    source = _choice_sources.get(kind)
    return source(user, council, provider_id) if source is not None else []
