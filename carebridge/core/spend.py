"""What has been spent through a purchase order: payments registers a source in its
AppConfig.ready, and the purchase order pages (contracts, below payments) ask the registry, so
contracts never imports payments and core imports neither (decision 0011, spend to date)."""

from collections.abc import Callable, Collection
from decimal import Decimal

# A purchase order is a client's from one provider: (service_user_id, provider_id).
Pair = tuple[int, int]

# Given a page's purchase orders (their pairs), a financial year (the year it starts in) and,
# when the page shows one service only, that service: what was spent on each pair, in a fixed
# number of queries whatever the number of pairs. A pair with nothing spent may be left out.
SpendSource = Callable[[Collection[Pair], int, int | None], dict[Pair, Decimal]]

ZERO = Decimal("0.00")

_sources: list[SpendSource] = []


def register(source: SpendSource) -> None:
    """Add a source of spend; registering the same source again changes nothing."""
    if all(known is not source for known in _sources):
        _sources.append(source)


def sources() -> list[SpendSource]:
    return list(_sources)


def spend_to_date(
    pairs: Collection[Pair], *, year: int, service_id: int | None = None
) -> dict[Pair, Decimal]:
    """Every source's spend for each pair (zero where none spent), with no query at all for a
    page without purchase orders."""
    spent = dict.fromkeys(pairs, ZERO)
    if not spent:
        return spent
    for source in _sources:
        for pair, amount in source(list(spent), year, service_id).items():
            if pair in spent:
                spent[pair] += amount
    return spent
