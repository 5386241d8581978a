"""Front-door decisions against the 24 business-hours target (Telford: a request with a clear
need for adult social care is processed "all within 24 hours (during business hours mon-fri
9-5)"): for each week's requests sent to the council, what the officers decided, how many
within the target and how many after it, and the median business hours to a decision.

The same figures as the weekly report (`frontdoor_weekly`), from the same read of the front
door's data, drawn as the decisions within and after the target each week."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from carebridge.core.permissions import Function
from carebridge.frontdoor.dashboard.selectors import Figures
from carebridge.reports.base import Cell, Column, Kind, Report, Table, register
from carebridge.reports.catalogue.frontdoor_weekly import (
    GROUP,
    WITHIN,
    Filters,
    count_in,
    long_day,
    week_of,
    weekly_table,
)
from carebridge.reports.charts import BLUE, ORANGE, BarChart, Series, bar_chart

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Week beginning", Kind.DATE, width=12),
    Column("Sent to the council", Kind.COUNT, width=10),
    Column("Not yet decided", Kind.COUNT, width=10),
    Column("Decided", Kind.COUNT, width=9),
    Column("Accepted for assessment", Kind.COUNT, width=11),
    Column("Redirected", Kind.COUNT, width=10),
    Column("No further action", Kind.COUNT, width=10),
    Column(f"Decided {WITHIN}", Kind.COUNT, width=12),
    Column("Decided after the target", Kind.COUNT, width=12),
    Column(f"Share decided {WITHIN}", Kind.PERCENT, width=12),
    Column("Median business hours to decision", Kind.NUMBER, width=12),
)
# The columns the chart draws, by position in a row.
DECIDED, IN_TARGET, AFTER = 3, 7, 8


def cells(starts: date | str, figures: Figures) -> tuple[Cell, ...]:
    return (
        starts,
        figures.sent,
        figures.sent - figures.decided,
        figures.decided,
        figures.accepted,
        figures.redirected,
        figures.no_further_action,
        figures.within_target,
        figures.decided - figures.within_target,
        figures.within_target_share.percent,
        figures.median_hours,
    )


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """One row per week of requests, oldest first, every week of the range."""
    return weekly_table(user, filters, COLUMNS, cells)


def chart(table: Table) -> BarChart | None:
    """Each week's decisions within the target and after it, side by side."""
    rows = list(table.rows)
    decided = sum(count_in(row, DECIDED) for row in rows)
    if not decided:
        return None
    within = sum(count_in(row, IN_TARGET) for row in rows)
    return bar_chart(
        id="decisions-chart",
        title=f"Decisions {WITHIN}",
        description=(
            f"Bar chart of the {len(rows)} weeks from {long_day(week_of(rows[0]))} to "
            f"{long_day(week_of(rows[-1]) + timedelta(days=6))}: for the requests of each week, "
            f"the decisions made {WITHIN} and those made after. Of {decided} decisions in all, "
            f"{within} were {WITHIN}. The table below gives each week's figures."
        ),
        unit="",
        axis_title="Decisions",
        series=[Series(f"Decided {WITHIN}", BLUE), Series("Decided after the target", ORANGE)],
        groups=[
            (
                f"{week_of(row).day} {week_of(row):%b}",
                f"Week beginning {long_day(week_of(row))}",
                (count_in(row, IN_TARGET), count_in(row, AFTER)),
            )
            for row in rows
        ],
    )


register(
    Report(
        slug="front-door-decisions",
        title=f"Front-door decisions {WITHIN}",
        summary=f"Each week's requests sent to the council, the officers' decisions, how many "
        f"came {WITHIN} and the median business hours to a decision.",
        side="council",
        group=GROUP,
        form=Filters,
        build=build,
        function=Function.FRONT_DOOR,
        chart=chart,
        order=61,
    )
)
