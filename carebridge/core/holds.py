"""Actual rows an upper app holds open after their period's payment has been processed: a row in
an open dispute is left out of the payment run, and the provider must still amend it from the
dispute page; a later run pays it at its final value (docs/decisions/0011-payment-runs.md).
Disputes registers a source in its AppConfig.ready and actuals asks them all, so actuals never
imports disputes and core imports neither."""

from collections.abc import Callable, Collection, Iterable

# Given some actual ids, those of them held open. A source answers in one query for the ids
# given, never one a row.
HoldSource = Callable[[Collection[int]], set[int]]

_sources: list[HoldSource] = []

# Ids sent to a source at a time: a CSV import reaching back into a processed period may name
# thousands of rows, and SQLite takes a bounded number of parameters in one query.
CHUNK = 900


def register(source: HoldSource) -> None:
    """Add a source of held rows; registering the same source again changes nothing."""
    if all(known is not source for known in _sources):
        _sources.append(source)


def sources() -> list[HoldSource]:
    return list(_sources)


def held(actual_ids: Iterable[int]) -> set[int]:
    """Which of these actual rows some source holds open; no query at all for no rows."""
    wanted = sorted(set(actual_ids))
    found: set[int] = set()
    if not wanted:
        return found
    for source in _sources:
        for start in range(0, len(wanted), CHUNK):
            found |= source(wanted[start : start + CHUNK])
    return found
