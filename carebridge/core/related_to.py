"""What an action is related to, where an app beside actions holds the link itself (a dispute's
further dialogue: the dispute names its action, actions never names disputes). The app registers
a source for its kind in its AppConfig.ready; the actions pages ask it for the "Re:" label and
link of the actions they show, so actions never imports that app and core imports neither."""

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
