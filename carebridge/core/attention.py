"""What needs a user's attention: each app registers a source in its AppConfig.ready, and the
home pages read them all, so core and the apps never import each other for it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AttentionItem:
    """One line on a home page: a count of things waiting, linking to where to deal with them."""

    label: str
    count: int
    url: str
    hint: str = ""


# A source takes the user and, keyword-only, `council_id` (a provider's chosen council, or None).
AttentionSource = Callable[..., list[AttentionItem]]

# (order, source): the order is the place of a source's lines on the home page, so it does not
# depend on the order of INSTALLED_APPS.
_sources: list[tuple[int, AttentionSource]] = []


def register(source: AttentionSource, *, order: int) -> None:
    """Add a source of attention items; registering the same source again changes nothing."""
    if all(known is not source for _, known in _sources):
        _sources.append((order, source))
        _sources.sort(key=lambda entry: entry[0])


def sources() -> list[AttentionSource]:
    return [source for _, source in _sources]
