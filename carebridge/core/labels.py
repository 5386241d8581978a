"""Labels for choices that may come from several councils.

A provider that works for several councils sees each council's catalogue (service levels,
action types) in one list, and councils name things alike: "Home Care - Double Assist" at two
councils is two different things with different rates and rules, so the list says whose each is.
"""

from collections.abc import Iterable


def council_labelled(options: Iterable[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """(pk, name, council name) as (pk, label) choices, by label then pk. When the options come
    from more than one council, every label names its council: "Home Care - Double Assist
    (Northshire County Council)"; from one council, the names stand alone."""
    options = list(options)
    several = len({council for _pk, _name, council in options}) > 1
    labelled = [(pk, f"{name} ({council})" if several else name) for pk, name, council in options]
    return sorted(labelled, key=lambda choice: (choice[1].casefold(), choice[0]))
