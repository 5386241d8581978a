"""The week's lines at a service, read once for the whole week page (issue 22).

The page used to ask the database about the same lines five times, each time building the same
filter again (the lines running in the week, at the service, of the chosen council): for the
filter's service levels, for the clients it pages through, for the page's lines, for each
council's lines still to generate and for the total of the lines shown. Building that SQL was a
quarter of the page's time. Now two light reads (the week's lines, the week's actuals: ids,
names and costs only) feed all of those, and the page's own lines and actuals are then read by
id. The chosen filters still run as the FilterSet says, as one more read of the ids they keep,
only when some filter is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet

from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK
from carebridge.actuals.rules import ZERO
from carebridge.actuals.services import running_in
from carebridge.contracts.models import Cpli
from carebridge.core.labels import council_labelled
from carebridge.organisations.models import Service


def week_cplis(service: Service, week: date, council_id: int | None = None) -> QuerySet[Cpli]:
    """The lines running at the service in the week (of one council, when a provider of
    several chose it)."""
    cplis = Cpli.objects.filter(service=service).filter(
        running_in(week, week + WEEK - timedelta(days=1))
    )
    return cplis if council_id is None else cplis.filter(council_id=council_id)


def week_actuals(service: Service, week: date, council_id: int | None = None) -> QuerySet[Actual]:
    """The actuals entered at the service for the week (of one council, when chosen)."""
    entered = Actual.objects.filter(service=service, week_start=week)
    return entered if council_id is None else entered.filter(council_id=council_id)


class WeekLine(NamedTuple):
    """What the page needs to know of every line of the week, on the page or not."""

    pk: int
    client: int
    council_id: int
    council_name: str
    level_id: int
    level_name: str
    yearly_allocation: Decimal | None


class Entered(NamedTuple):
    """An actual of the week at the service: which line's, whose, and its cost."""

    cpli_id: int
    client: int
    cost: Decimal


@dataclass(frozen=True)
class WeekLines:
    """The week's lines at a service (of one council, when a provider of several chose it),
    ordered by client name, then service level name, then id (the database's order, so its
    collation decides names as it did before), and the week's actuals there."""

    lines: list[WeekLine]
    entered: list[Entered]

    def levels(self) -> list[tuple[int, str]]:
        """The service levels of the lines, for the filter, each named with its council when the
        lines are of several."""
        return council_labelled({(x.level_id, x.level_name, x.council_name) for x in self.lines})

    def clients(self, kept: set[int] | None = None) -> list[int]:
        """The clients of the lines the filters kept (None: every line), by name: what the page
        pages through."""
        return list(dict.fromkeys(x.client for x in self.lines if kept is None or x.pk in kept))

    def councils(self) -> dict[int, int]:
        """Each council of the lines, with its count of weekly lines (a short break has no
        weekly plan) still without an actual for the week."""
        with_actual = {each.cpli_id for each in self.entered}
        missing: dict[int, int] = {}
        for x in self.lines:
            missing.setdefault(x.council_id, 0)
            if x.yearly_allocation is None and x.pk not in with_actual:
                missing[x.council_id] += 1
        return missing

    def on_page(self, clients: list[int], kept: set[int] | None = None) -> list[int]:
        """The ids of these clients' lines the filters kept, client by client in the page's
        order, each client's by service level name and id."""
        order = {client: n for n, client in enumerate(clients)}
        found = [x for x in self.lines if x.client in order and (kept is None or x.pk in kept)]
        # Stable: within a client the lines keep the read's order.
        found.sort(key=lambda x: order[x.client])
        return [x.pk for x in found]

    def totals(self, kept: set[int] | None = None) -> tuple[Decimal, Decimal]:
        """The cost of the actuals of the lines the filters kept, and of every actual of the
        week at the service (a line no longer running in the week included)."""
        shown = kept if kept is not None else {x.pk for x in self.lines}
        week = sum((each.cost for each in self.entered), ZERO)
        return sum((each.cost for each in self.entered if each.cpli_id in shown), ZERO), week


def week_lines(service: Service, week: date, council_id: int | None = None) -> WeekLines:
    """The week's lines at the service and its actuals there, in two queries whatever the
    page's filters."""
    lines = (
        week_cplis(service, week, council_id)
        .order_by(
            "service_user__last_name",
            "service_user__first_name",
            "service_user_id",
            "service_level__name",
            "pk",
        )
        .values_list(
            "pk",
            "service_user_id",
            "council_id",
            "council__name",
            "service_level_id",
            "service_level__name",
            "yearly_allocation",
        )
    )
    entered = (
        week_actuals(service, week, council_id)
        .order_by()
        .values_list("cpli_id", "service_user_id", "cost")
    )
    return WeekLines(
        lines=[WeekLine._make(row) for row in lines],
        entered=[Entered._make(row) for row in entered],
    )
