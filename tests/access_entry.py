"""One access-matrix entry: how to fill a URL's arguments with another organisation's object,
and who owns it. Apart from tests/access_matrix.py so that each part's registry can use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from tests.access_matrix import World


@dataclass(frozen=True)
class Entry:
    """How to fill a URL's arguments with another organisation's object, and who owns it.
    `more`: other values of some arguments (each decision of one object), tried the same way."""

    kwargs: Callable[[World], dict[str, Any]]
    owner: Callable[[World], User] | None = None
    more: tuple[dict[str, Any], ...] = ()

    def every_kwargs(self, world: World) -> Iterator[dict[str, Any]]:
        first = self.kwargs(world)
        yield first
        for other in self.more:
            yield {**first, **other}
