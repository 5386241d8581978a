"""Pages of the council's list of every referral it has sent, counted only so far.

A council sends thousands of referrals a year and keeps them: counting every one of them for
each page made the list slower the longer the council had used the portal (205,000 referrals
took most of a second). Nobody reads "204,317 referrals"; an officer pages through the newest,
or filters. So the list counts its rows up to a bound past the page asked for, and says "more
than 10,000" beyond it; Next still leads on, page after page (`docs/decisions/0015-counting-long-lists.md`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from carebridge.core.lists import PAGE_SIZE

# The most rows counted before the list says "more than": 400 pages of 25.
COUNT_BOUND = 10_000


class BoundedPaginator(Paginator):
    """A paginator whose count stops at `limit`: the exact count when there are fewer rows,
    else `limit` itself, which is enough to page on to the page asked for and one more."""

    def __init__(self, rows: QuerySet[Any], per_page: int, *, limit: int) -> None:
        super().__init__(rows, per_page)
        self.rows = rows
        self.limit = limit

    @cached_property
    def count(self) -> int:
        # Which rows are counted does not matter, only how many up to the limit: no order, no
        # joins, so the database reads no more than `limit` index entries.
        return self.rows.order_by().values("pk")[: self.limit].count()

    @property
    def exact(self) -> bool:
        """Whether `count` is every row, rather than "more than"."""
        return self.count < self.limit

    @property
    def at_least(self) -> str:
        """The rows the list has more than, when not exact, as a page says it: "10,000"."""
        return f"{self.limit - 1:,}"

    @property
    def pages_at_least(self) -> str:
        """The pages the list has more than, when not exact: "400"."""
        return f"{(self.limit - 1) // self.per_page:,}"


def _asked_page(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    # Past a million rows the count is exact anyway: a page number no list reaches.
    return min(max(number, 1), 1_000_000 // PAGE_SIZE)


def bounded_page_of(
    request: HttpRequest, items: QuerySet[Any], *, per_page: int = PAGE_SIZE
) -> Page:
    """The page the query string asks for, as `core.lists.page_of`, counting the rows only up to
    `COUNT_BOUND` or the page asked for and the next, whichever is further."""
    limit = max(COUNT_BOUND, _asked_page(request) * per_page) + 1
    return BoundedPaginator(items, per_page, limit=limit).get_page(request.GET.get("page"))
