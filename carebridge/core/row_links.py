"""Links an upper app offers on an actuals row (payments' "Ask for a temporary CPLI"): each app
registers a source in its AppConfig.ready, and the actuals pages ask them all for the rows they
show, so actuals never imports the apps above it and core imports neither."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RowLink:
    """A link shown in a row's exception cell; `hidden` follows the label for screen readers
    only (whose row it is), since a page of rows repeats the same label."""

    label: str
    url: str
    hidden: str = ""


# Given the acting user and a page's rows (the actuals shown), the links for some of them by
# the row's id. A source reads the whole page in a fixed number of queries, never one a row.
RowLinkSource = Callable[[Any, Sequence[Any]], dict[int, RowLink]]

# (order, source): the order is a link's place among a row's links, so it does not depend on
# the order of INSTALLED_APPS.
_sources: list[tuple[int, RowLinkSource]] = []


def register(source: RowLinkSource, *, order: int) -> None:
    """Add a source of row links; registering the same source again changes nothing."""
    if all(known is not source for _, known in _sources):
        _sources.append((order, source))
        _sources.sort(key=lambda entry: entry[0])


def sources() -> list[RowLinkSource]:
    return [source for _, source in _sources]


def links_for(user: Any, rows: Sequence[Any]) -> dict[int, list[RowLink]]:
    """Every source's links for these rows, by row id, in the sources' order; no query at all
    for a page without rows."""
    found: dict[int, list[RowLink]] = {}
    if not rows:
        return found
    for source in sources():
        for row_id, link in source(user, rows).items():
            found.setdefault(row_id, []).append(link)
    return found
