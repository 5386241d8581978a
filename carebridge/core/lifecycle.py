"""Status changes: one table shape, and one compare-and-set that applies it.

Each record with a status (a referral, a contract document, a change request, an action, a
front-door request, a hub booking) keeps its own table of what may happen to it:

    {event: (the statuses it may happen from, the status it leads to)}

and moves by `Lifecycle.move`, one conditional UPDATE ... WHERE status IN (those statuses). Two
requests at once cannot both win: SQLite serialises them, and on PostgreSQL the second UPDATE waits
for the first, then finds the status changed and updates nothing. The service that lost says so
(its own Refused), re-reading the row to explain what it found.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from django.db import models

Event = TypeVar("Event", bound=Hashable)
Status = TypeVar("Status", bound=Hashable)


class Lifecycle(Generic[Event, Status]):
    """A record's table of allowed transitions, and the one way to make one."""

    def __init__(
        self, steps: Mapping[Event, tuple[Iterable[Status], Status]], *, field: str = "status"
    ) -> None:
        self.steps: dict[Event, tuple[frozenset[Status], Status]] = {
            event: (frozenset(sources), target) for event, (sources, target) in steps.items()
        }
        self.field = field

    def __getitem__(self, event: Event) -> tuple[frozenset[Status], Status]:
        return self.steps[event]

    def __iter__(self) -> Any:
        return iter(self.steps)

    def sources(self, event: Event) -> frozenset[Status]:
        """The statuses `event` may happen from."""
        return self.steps[event][0]

    def target(self, event: Event) -> Status:
        """The status `event` leads to."""
        return self.steps[event][1]

    def allows(self, status: Status, event: Event) -> bool:
        """Whether a record in `status` may have `event` (a page offers only these)."""
        return status in self.steps[event][0]

    def events_from(self, status: Status) -> list[Event]:
        """The events a record in `status` may have, in the table's order."""
        return [event for event, (sources, _target) in self.steps.items() if status in sources]

    def move(
        self,
        model: type[models.Model],
        pk: Any,
        event: Event,
        *,
        guard: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> bool:
        """Compare-and-set: give row `pk` the event's status (and `changes`) only if its status
        is still one the event may happen from and every `guard` field still has the value read
        (a `changed_at`, say). True if this call made the change; False if someone else moved the
        row first, in which case nothing was written."""
        sources, target = self.steps[event]
        rows = model._default_manager.filter(
            pk=pk, **{f"{self.field}__in": list(sources)}, **(guard or {})
        )
        return rows.update(**{self.field: target}, **changes) == 1
