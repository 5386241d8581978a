"""What people thought of the front door, for the council's front-door officers: a filtered,
paginated list (rating, comment, when, and the request it came after) and its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.contracts.exports import neutralise
from carebridge.core.calendar import now, to_london
from carebridge.core.formats import guide_datetime
from carebridge.core.permissions import Function
from carebridge.frontdoor.forms import FeedbackFiltersForm
from carebridge.frontdoor.forms_public import RATINGS
from carebridge.frontdoor.models import Feedback
from carebridge.frontdoor.selectors_feedback import FeedbackFilters, feedback_list

PAGE_SIZE = 25
RATING_WORDS = dict(RATINGS)
HEADERS = ["Given", "Rating", "Rating in words", "Comment", "Request reference"]


def _officer(request: HttpRequest) -> User:
    user = acting_user(request)
    require_function(user, Function.FRONT_DOOR)
    if user.council_id is None:
        raise PermissionDenied
    return user


def _filters(request: HttpRequest) -> tuple[FeedbackFiltersForm, FeedbackFilters]:
    form = FeedbackFiltersForm(request.GET)
    if not form.is_valid():
        return FeedbackFiltersForm(), FeedbackFilters()
    data = form.cleaned_data
    days = data["period"]
    since = to_london(now()).date() - timedelta(days=days - 1) if days else None
    return form, FeedbackFilters(
        rating=data["rating"], with_comment=data["with_comment"], since=since
    )


@require_GET
def feedback_page(request: HttpRequest) -> HttpResponse:
    user = _officer(request)
    form, filters = _filters(request)
    page = Paginator(feedback_list(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    # The export gets the chosen filters only, never whatever else the address carried.
    query = urlencode(
        {name: request.GET[name] for name in form.fields if request.GET.get(name) and form.is_bound}
    )
    return render(
        request,
        "frontdoor/feedback_list.html",
        {
            "page": page,
            "filters": form,
            "chosen": filters,
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
    user = _officer(request)
    _form, filters = _filters(request)
    listed = feedback_list(user, filters)
    record(
        action="front_door.feedback_exported",
        by=user,
        council=user.council_id,
        detail={"rows": listed.count()},
    )
    name = f"front-door-feedback-{to_london(now()).date().isoformat()}.csv"
    response = StreamingHttpResponse(
        _csv(listed.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
