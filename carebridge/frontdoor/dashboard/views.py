"""The council's front-door dashboard: headline figures, two charts (charts.py draws them as
SVG) and each chart's figures as a table; and what people thought of the front door: the
feedback list and its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.contracts.exports import neutralise
from carebridge.core import calendar
from carebridge.core.formats import guide_date, guide_datetime
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, require_function
from carebridge.reports.charts import (
    BLUE,
    GREY,
    ORANGE,
    TEAL,
    BarChart,
    Series,
    bar_chart,
    number_text,
)
from carebridge.frontdoor.dashboard.filters import FeedbackFilters
from carebridge.frontdoor.dashboard.forms import FeedbackFiltersForm
from carebridge.frontdoor.dashboard.selectors import (
    DEFAULT_WEEKS,
    WEEK_CHOICES,
    Dashboard,
    Figures,
    Share,
    Week,
    dashboard_for,
    feedback_list,
)
from carebridge.frontdoor.models import Feedback
from carebridge.frontdoor.requests.forms_public import RATINGS


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def decision_unit(dashboard: Dashboard) -> str:
    """The one unit every time to decision on the page is given in, so a column reads as one
    scale: days once any median reaches two days, hours otherwise."""
    medians = [
        figures.median_hours
        for figures in (*dashboard.weeks, dashboard.total)
        if figures.median_hours is not None
    ]
    return "days" if medians and max(medians) >= 48 else "hours"


def duration_text(value: timedelta | None, unit: str) -> str:
    """A time to decision in the page's unit ("hours" or "days"): "5.5 hours", "1.5 days"."""
    if value is None:
        return ""
    hours = value.total_seconds() / 3600
    shown = number_text(hours / 24 if unit == "days" else hours)
    if shown == "0" and hours > 0:
        return f"under 0.1 {unit}"
    return f"{shown} {unit.removesuffix('s') if shown == '1' else unit}"


def share_text(share: Share) -> str:
    """ "12 (30%)", or "0" with no percentage when there is nothing to take a share of."""
    if share.percent is None:
        return str(share.count)
    return f"{share.count} ({share.percent}%)"


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# --- The two charts ----------------------------------------------------------------------


def _requests_chart(dashboard: Dashboard) -> BarChart:
    total = dashboard.total
    busiest = max(dashboard.weeks, key=lambda week: week.requests)
    description = (
        f"Bar chart of the {len(dashboard.weeks)} weeks from {_long_day(dashboard.starts)} to "
        f"{_long_day(dashboard.ends)}: {_plural(total.requests, 'request')} in all, "
        f"{share_text(total.likely_eligible_share)} likely eligible and "
        f"{share_text(total.signposted_share)} signposted. The busiest week began "
        f"{_long_day(busiest.starts)}, with {_plural(busiest.requests, 'request')}. "
        "The table below gives each week's figures."
    )
    return bar_chart(
        id="requests-chart",
        title="Requests per week",
        description=description,
        unit="",
        axis_title="Requests",
        series=[
            Series("All requests", GREY),
            Series("Likely eligible", BLUE),
            Series("Signposted", ORANGE),
        ],
        groups=[
            (
                _short_day(week.starts),
                f"Week beginning {_long_day(week.starts)}",
                (week.requests, week.likely_eligible, week.signposted),
            )
            for week in dashboard.weeks
        ],
    )


def _decision_chart(dashboard: Dashboard) -> BarChart:
    unit = decision_unit(dashboard)
    scale = 24.0 if unit == "days" else 1.0
    decided = [w for w in dashboard.weeks if w.median_to_decision is not None]
    if decided:
        slowest = max(decided, key=lambda w: w.median_hours or 0)
        quickest = min(decided, key=lambda w: w.median_hours or 0)
        description = (
            f"Bar chart of the median time from request to decision, in {unit}, for each of "
            f"the {len(dashboard.weeks)} weeks from {_long_day(dashboard.starts)} to "
            f"{_long_day(dashboard.ends)}; weeks with no decisions have no bar. Over the whole "
            f"range it was {duration_text(dashboard.total.median_to_decision, unit)}; longest "
            f"in the week beginning {_long_day(slowest.starts)} "
            f"({duration_text(slowest.median_to_decision, unit)}), shortest in the week "
            f"beginning {_long_day(quickest.starts)} "
            f"({duration_text(quickest.median_to_decision, unit)}). "
            "The table below gives each week's figures."
        )
    else:
        description = "No request in these weeks has been decided yet, so there are no bars."
    return bar_chart(
        id="decision-chart",
        title="Median time from request to decision",
        description=description,
        unit=unit,
        axis_title=f"Median {unit}",
        series=[Series("Median time to decision", TEAL)],
        groups=[
            (
                _short_day(week.starts),
                f"Week beginning {_long_day(week.starts)}",
                (None if week.median_hours is None else round(week.median_hours / scale, 2),),
            )
            for week in dashboard.weeks
        ],
        whole=False,
    )


# --- The page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One week's figures (or the whole range's) as the tables show them."""

    label: str
    figures: Figures
    unit: str = "hours"  # of the times to decision: one for the whole page

    @property
    def likely_eligible(self) -> str:
        return share_text(self.figures.likely_eligible_share)

    @property
    def signposted(self) -> str:
        return share_text(self.figures.signposted_share)

    @property
    def inappropriate(self) -> str:
        share = self.figures.inappropriate_share
        if share.of == 0:
            return "None judged"
        return f"{share.count} of {share.of} ({share.percent}%)"

    @property
    def median(self) -> str:
        return duration_text(self.figures.median_to_decision, self.unit) or "No decisions"


def _weeks_chosen(value: str | None) -> int:
    try:
        weeks = int(value or DEFAULT_WEEKS)
    except ValueError:
        return DEFAULT_WEEKS
    return weeks if weeks in WEEK_CHOICES else DEFAULT_WEEKS


def _week_label(week: Week) -> str:
    return guide_date(week.starts)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.FRONT_DOOR)
    council = user.council
    if council is None:
        raise PermissionDenied
    weeks = _weeks_chosen(request.GET.get("weeks"))
    figures = dashboard_for(council, weeks=weeks)
    unit = decision_unit(figures)
    context: dict[str, object] = {
        "dashboard": figures,
        "weeks": weeks,
        "week_choices": WEEK_CHOICES,
        "unit": unit,
        "total": Row(f"All {weeks} weeks", figures.total, unit),
        "starts": _long_day(figures.starts),
        "ends": _long_day(figures.ends),
    }
    if figures.has_requests:
        context |= {
            "requests_chart": _requests_chart(figures),
            "decision_chart": _decision_chart(figures),
            "rows": [Row(_week_label(week), week, unit) for week in figures.weeks],
        }
    return render(request, "frontdoor/dashboard.html", context)


# --- Feedback -----------------------------------------------------------------------------------

RATING_WORDS = dict(RATINGS)
HEADERS = ["Given", "Rating", "Rating in words", "Comment", "Request reference"]


def _feedback_officer(request: HttpRequest) -> User:
    user = acting_user(request)
    require_function(user, Function.FRONT_DOOR)
    if user.council_id is None:
        raise PermissionDenied
    return user


@require_GET
def feedback_page(request: HttpRequest) -> HttpResponse:
    """What people thought of the front door, for the council's front-door officers: a
    filtered, paginated list (rating, comment, when, and the request it came after)."""
    user = _feedback_officer(request)
    filters = FeedbackFilters(request.GET, feedback_list(user))
    page = page_of(request, filters.qs)
    valid = filters.form.is_valid()
    # The export gets the chosen filters only, never whatever else the address carried.
    query = urlencode(
        {name: request.GET[name] for name in filters.form.fields if valid and request.GET.get(name)}
    )
    return render(
        request,
        "frontdoor/feedback_list.html",
        {
            "page": page,
            # A value that is not valid shows the unfiltered list, and the form as if unfilled.
            "filters": filters.form if valid else FeedbackFiltersForm(),
            "chosen": filters.chosen(),
            "query": query,
            "ratings": RATING_WORDS,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def feedback_rows(feedback: Iterable[Feedback]) -> Iterator[list[Any]]:
    """The export's rows: a comment is typed by the public, so no cell may start a formula."""
    for given in feedback:
        yield [
            guide_datetime(given.submitted_at),
            given.rating,
            RATING_WORDS.get(given.rating, ""),
            neutralise(given.comment),
            neutralise(given.request.reference) if given.request is not None else "",
        ]


def _csv(feedback: Iterable[Feedback]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8 (comments with accents, dashes, £)
    yield writer.writerow(HEADERS)
    for row in feedback_rows(feedback):
        yield writer.writerow(row)


@require_GET
def feedback_export(request: HttpRequest) -> StreamingHttpResponse:
    user = _feedback_officer(request)
    listed = FeedbackFilters(request.GET, feedback_list(user)).qs
    record(
        action="front_door.feedback_exported",
        by=user,
        council=user.council_id,
        detail={"rows": listed.count()},
    )
    name = f"front-door-feedback-{calendar.today().isoformat()}.csv"
    response = StreamingHttpResponse(
        _csv(listed.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
