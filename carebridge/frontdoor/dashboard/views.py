"""What people thought of the front door: the feedback list and its CSV export, for the
council's front-door officers. The figures that were the dashboard are reports now (the front
door's weekly figures, `reports/catalogue/frontdoor_weekly.py`); the dashboard's address sends
its bookmarks there."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.contracts.exports import neutralise
from carebridge.core import calendar
from carebridge.core.formats import guide_datetime
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, require_function
from carebridge.frontdoor.dashboard.filters import FeedbackFilters
from carebridge.frontdoor.dashboard.forms import FeedbackFiltersForm
from carebridge.frontdoor.dashboard.selectors import feedback_list, monday_of
from carebridge.frontdoor.models import Feedback
from carebridge.frontdoor.requests.forms_public import RATINGS

# The report the dashboard became, named by its URL (the front door imports nothing of reports,
# which sits above it); and the numbers of weeks the dashboard offered, which a bookmark may carry.
WEEKLY_REPORT = "front-door-weekly"
DASHBOARD_WEEKS = frozenset({"4", "12", "26", "52"})


@require_GET
def dashboard(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """The old dashboard's address, kept for bookmarks: its figures are the weekly report's.
    A bookmark's number of weeks becomes the report's dates (those weeks up to today)."""
    target = reverse("reports:report", args=[WEEKLY_REPORT])
    # Compared as text: anything else (a huge number, "²") is left behind, never parsed.
    weeks = request.GET.get("weeks", "")
    if weeks in DASHBOARD_WEEKS:
        today = calendar.today()
        starts = monday_of(today) - timedelta(weeks=int(weeks) - 1)
        dates = {"starts": starts, "ends": today}
        target += "?" + urlencode(
            {
                f"{name}_{n}": part
                for name, day in dates.items()
                for n, part in enumerate((day.day, day.month, day.year))
            }
        )
    return HttpResponsePermanentRedirect(target)


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
