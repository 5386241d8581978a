"""Front-door requests per week (Telford's questions; the front-door dashboard that was): for
each week, the requests by route (residents, professionals), the tool's recommendation, how
many were signposted or sent to the council, the officers' decisions and how many of them came
within the 24 business-hours target, the median business hours to a decision, hub bookings and
the feedback people gave.

The figures are the front door's own (`frontdoor.dashboard.selectors.weekly_figures`): a
request counts in the week it was made, with whatever was decided on it since; a hub booking in
the week it was made, feedback in the week it was given. Business hours are the council's
front-door office hours (its front-door settings), counted by `core.calendar`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from carebridge.core.calendar import ServiceHours, today
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function
from carebridge.frontdoor.dashboard.selectors import (
    Figures,
    Weekly,
    monday_of,
    weekly_figures,
)
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.charts import BLUE, GREY, ORANGE, BarChart, Series, bar_chart
from carebridge.reports.filters import DateRangeFilters

if TYPE_CHECKING:
    from carebridge.accounts.models import User

GROUP = "Front door"
# The figures count against each council's own promise (the notes give its hours), so the
# headings name the promise, not a number of hours that may not be this council's.
WITHIN = "within the response promise"

COLUMNS = (
    Column("Week beginning", Kind.DATE, width=12),
    Column("Requests", Kind.COUNT, width=9),
    Column("From residents", Kind.COUNT, width=9),
    Column("From professionals", Kind.COUNT, width=11),
    Column("Likely eligible", Kind.COUNT, width=9),
    Column("Signposted", Kind.COUNT, width=10),
    Column("Sent to the council", Kind.COUNT, width=10),
    Column("Accepted for assessment", Kind.COUNT, width=11),
    Column("Redirected", Kind.COUNT, width=10),
    Column("No further action", Kind.COUNT, width=10),
    Column("Judged inappropriate", Kind.COUNT, width=12),
    Column("Decided", Kind.COUNT, width=9),
    Column(f"Decided {WITHIN}", Kind.COUNT, width=12),
    Column(f"Share decided {WITHIN}", Kind.PERCENT, width=12),
    Column("Median business hours to decision", Kind.NUMBER, width=12),
    Column("Hub bookings", Kind.COUNT, width=9),
    Column("Feedback given", Kind.COUNT, width=9),
    Column("Average rating (1 to 5)", Kind.NUMBER, width=9),
)
# The columns the chart draws, by position in a row.
WEEK, REQUESTS, LIKELY_ELIGIBLE, SIGNPOSTED = 0, 1, 4, 5

WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


class Filters(DateRangeFilters):
    """The weeks from one date to another, widened to whole weeks (Monday to Sunday): the last
    12 weeks, this one included, at first (as the dashboard showed)."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        # Called at each first visit, so the default range moves with the date.
        self.fields["starts"].initial = _twelve_weeks_ago
        self.fields["ends"].initial = today


def _twelve_weeks_ago() -> date:
    return monday_of(today()) - timedelta(weeks=11)


def whole_weeks(filters: Mapping[str, Any]) -> tuple[date, date]:
    """The Mondays of the first and the last week the filters' dates fall in."""
    return monday_of(filters["starts"]), monday_of(filters["ends"])


def figures_for(user: User, filters: Mapping[str, Any]) -> Weekly:
    """The council's figures for the whole weeks the filters' dates fall in."""
    assert user.council_id is not None  # a council's report (Report.may_use)
    first, last = whole_weeks(filters)
    return weekly_figures(user.council_id, first=first, last=last)


def weeks_note(first: date, last: date) -> str:
    weeks = (last - first).days // 7 + 1
    return (
        f"Weeks run Monday to Sunday: these are the {weeks} week{'' if weeks == 1 else 's'} from "
        f"{guide_date(first)} to {guide_date(last + timedelta(days=6))}. A request counts in "
        "the week it was made, with whatever has been decided on it since."
    )


def hours_in_words(hours: ServiceHours) -> str:
    """ "Mondays, Tuesdays, Wednesdays, Thursdays, Fridays, 09:00 to 17:00, not on bank holidays"."""
    days = ", ".join(WEEKDAYS[day] for day in sorted(hours.weekdays)) or "no days"
    holidays = "not on bank holidays" if hours.bank_holidays_closed else "bank holidays too"
    return f"{days}, {hours.start:%H:%M} to {hours.end:%H:%M}, {holidays}"


def rules_notes(weekly: Weekly) -> list[str]:
    """Which council's rules the figures follow, for the page and the files."""
    return [
        weeks_note(weekly.starts, weekly.weeks[-1].starts)
        + " A hub booking (confirmed) counts in the week it was made; feedback in the week it "
        "was given.",
        f"Business hours are the council's front-door office hours: "
        f"{hours_in_words(weekly.hours)} (its front-door settings). The target is the "
        f"council's response promise: a decision within {weekly.promise_hours} business hours "
        "of the request.",
        *([team_note(weekly)] if weekly.by_team else []),
    ]


def team_note(weekly: Weekly) -> str:
    """The share decided within the promise by team: "North team 2 of 2 (100.0%)"."""
    shares = "; ".join(
        f"{each.team} {each.within_promise.count} of {each.within_promise.of}"
        + (f" ({each.within_promise.percent}%)" if each.within_promise.percent is not None else "")
        for each in weekly.by_team
    )
    return f"Decided within the promise, by team: {shares}."


def cells(starts: date | str, figures: Figures) -> tuple[Cell, ...]:
    return (
        starts,
        figures.requests,
        figures.residents,
        figures.professionals,
        figures.likely_eligible,
        figures.signposted,
        figures.sent,
        figures.accepted,
        figures.redirected,
        figures.no_further_action,
        figures.inappropriate,
        figures.decided,
        figures.within_target,
        figures.within_target_share.percent,
        figures.median_hours,
        figures.bookings,
        figures.feedback,
        figures.average_rating,
    )


def weekly_table(
    user: User,
    filters: Mapping[str, Any],
    columns: Sequence[Column],
    cells_of: Callable[[date | str, Figures], tuple[Cell, ...]],
) -> Table:
    """One row per week, oldest first, every week of the range even when nothing happened: the
    weekly figures as this report and the decisions report each show them."""
    weekly = figures_for(user, filters)
    rows = (Row(cells_of(week.starts, week), council_id=weekly.council_id) for week in weekly.weeks)
    return Table(
        columns=columns,
        rows=rows,
        # The medians, shares and average of the whole range are not sums of the weeks'.
        totals=cells_of("Total", weekly.total),
        notes=rules_notes(weekly),
        empty="No weeks in these dates.",
    )


def build(user: User, filters: Mapping[str, Any]) -> Table:
    return weekly_table(user, filters, COLUMNS, cells)


def long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def count_in(row: Row, column: int) -> int:
    value = row.cells[column]
    assert isinstance(value, int)
    return value


def week_of(row: Row) -> date:
    value = row.cells[WEEK]
    assert isinstance(value, date)
    return value


def chart(table: Table) -> BarChart | None:
    """Requests per week, with the likely eligible and the signposted beside them."""
    rows = list(table.rows)
    if not any(count_in(row, REQUESTS) for row in rows):
        return None
    total = sum(count_in(row, REQUESTS) for row in rows)
    busiest = max(rows, key=lambda row: count_in(row, REQUESTS))
    return bar_chart(
        id="requests-chart",
        title="Requests per week",
        description=(
            f"Bar chart of the {len(rows)} weeks from {long_day(week_of(rows[0]))} to "
            f"{long_day(week_of(rows[-1]) + timedelta(days=6))}: {total} requests in all, with "
            "those the tool found likely eligible and those signposted beside each week's "
            f"requests. The busiest week began {long_day(week_of(busiest))}, with "
            f"{count_in(busiest, REQUESTS)}. The table below gives each week's figures."
        ),
        unit="",
        axis_title="Requests",
        series=[
            Series("All requests", GREY),
            Series("Likely eligible", BLUE),
            Series("Signposted", ORANGE),
        ],
        groups=[
            (
                f"{week_of(row).day} {week_of(row):%b}",
                f"Week beginning {long_day(week_of(row))}",
                tuple(count_in(row, i) for i in (REQUESTS, LIKELY_ELIGIBLE, SIGNPOSTED)),
            )
            for row in rows
        ],
    )


register(
    Report(
        slug="front-door-weekly",
        title="Front-door requests per week",
        summary="Each week's requests by route, the tool's recommendation, signposting, the "
        f"officers' decisions {WITHIN}, hub bookings and feedback.",
        side="council",
        group=GROUP,
        form=Filters,
        build=build,
        function=Function.FRONT_DOOR,
        chart=chart,
        order=60,
    )
)
