"""Commissioned v Actuals' page at a county's size: how many rows each CPLI has and what they
add up to, from one row per CPLI (the database counts its posted weeks) and the posted weeks'
sums per council, without building the rows; then the page's rows built for its CPLIs only.

A CPLI's rows are its planned weeks (a run of its council's weeks, `_planned_weeks`) and its
posted weeks. Where the posted weeks are a run of the council's weeks too (as generating and
posting make them), both are ranges and the count and the planned weeks with nothing posted
follow by arithmetic; any other CPLI (a gap in its posted weeks, a week posted on another day)
has its rows built as the download builds them, so the figures are the same either way."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, cached_property
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from carebridge.actuals.periods import WEEK, planned_for, week_of
from carebridge.actuals.services.common import RUNNING
from carebridge.contracts.choices import Unit
from carebridge.contracts.models import Cpli
from carebridge.core.formats import round_money
from carebridge.organisations.models import Rulebook
from carebridge.reports.base import Column, Paged, Row, Tally

# The columns' positions (COLUMNS in commissioned_v_actuals).
PL, ACTUAL, FRSTD, MSD, XTR, DIFFERENCE, PLANNED_COST, COST, COST_DIFFERENCE = range(8, 17)
_POSTED_SUMS = {
    PL: "posted__planned",
    ACTUAL: "posted__actual",
    FRSTD: "posted__frustrated",
    MSD: "posted__missed",
    XTR: "posted__extra",
    PLANNED_COST: "posted__planned_cost",
    COST: "posted__cost",
}
_WEEKS_POSTED = ("pk", "posted__week_start")
_PLAN_FIELDS = (
    "pk",
    "council_id",
    "unit",
    "rate",
    "quantity",
    "yearly_allocation",
    "start_date",
    "end_date",
    "status",
)


@dataclass(frozen=True)
class WeekPlan:
    """What `planned_for` reads of a CPLI (as commissioned_v_actuals' own)."""

    quantity: Decimal
    start_date: date
    end_date: date | None
    visits: int = 0
    is_allocation: bool = False


def _django_week_day(weekday: int) -> int:
    """Python's weekday (Monday 0) as Django's `week_day` lookup counts (Sunday 1)."""
    return (weekday + 1) % 7 + 1


class CvaPaged(Paged):
    """`cplis` is the report's CPLIs joined to their posted weeks (`posted`), unordered; `order`
    the rows' order of CPLIs; `rows_of` builds the rows of some of them as the download does."""

    def __init__(
        self,
        *,
        cplis: QuerySet[Cpli],
        order: tuple[str, ...],
        rulebooks: Mapping[int, Rulebook],
        starts: date,
        ends: date,
        columns: tuple[Column, ...],
        rows_of: Callable[[QuerySet[Cpli]], Iterator[Row]],
    ) -> None:
        self.cplis = cplis
        self.order = order
        self.rulebooks = rulebooks
        self.starts = starts
        self.ends = ends
        self.columns = columns
        self.rows_of = rows_of

    def tally(self) -> Tally:
        return self._tallied[1]

    def rows_between(self, start: int, stop: int) -> list[Row]:
        """The rows from `start` to `stop` (0-based) in the report's order: only the CPLIs
        holding them are read and built."""
        wanted: list[int] = []
        first = at = 0
        for pk, count in self._tallied[0]:
            if at + count > start and at < stop:
                if not wanted:
                    first = at
                wanted.append(pk)
            at += count
            if at >= stop:
                break
        if not wanted:
            return []
        rows = list(self.rows_of(self.cplis.filter(pk__in=wanted)))
        return rows[start - first : stop - first]

    @cached_property
    def _tallied(self) -> tuple[list[tuple[int, int]], Tally]:
        """Each CPLI's row count in the report's order, and the count and totals of all."""
        cplis = list(self._per_cpli())
        irregular = [c["pk"] for c in cplis if c["posted_n"] and not _one_run(c)]
        weeks: dict[int, set[date]] = {pk: set() for pk in irregular}
        if irregular:
            posted = self.cplis.filter(pk__in=irregular).values_list(*_WEEKS_POSTED)
            for pk, week in posted:
                weeks[pk].add(week)
        counts: list[tuple[int, int]] = []
        by_council: dict[int | None, int] = {}
        sums: dict[int, Decimal | int] = dict.fromkeys(range(PL, COST_DIFFERENCE + 1), 0)
        for cpli in cplis:
            rulebook = self.rulebooks[cpli["council_id"]]
            n = self._count_and_plan(cpli, rulebook, sums, weeks.get(cpli["pk"]))
            counts.append((cpli["pk"], n))
            by_council[cpli["council_id"]] = by_council.get(cpli["council_id"], 0) + n
        self._add_posted(sums)
        return counts, Tally(rows_by_council=by_council, sums=sums)

    def _per_cpli(self) -> Iterable[dict[str, Any]]:
        aligned = Q()
        for council_id, rulebook in self.rulebooks.items():
            day = _django_week_day(rulebook.actuals_week_start)
            aligned |= Q(council_id=council_id, posted__week_start__week_day=day)
        return (
            self.cplis.order_by(*self.order)
            .values(*_PLAN_FIELDS)
            .annotate(
                posted_n=Count("posted__pk"),
                posted_aligned=Count("posted__pk", filter=aligned),
                posted_first=Min("posted__week_start"),
                posted_last=Max("posted__week_start"),
            )
        )

    def _count_and_plan(
        self,
        cpli: Mapping[str, Any],
        rulebook: Rulebook,
        sums: dict[int, Decimal | int],
        posted: set[date] | None,
    ) -> int:
        """The CPLI's rows, adding its planned weeks with nothing posted to `sums`. `posted`
        is its posted weeks where they are not one run of its council's weeks (else they are
        the run from its first to its last)."""
        n, first, last = cpli["posted_n"], cpli["posted_first"], cpli["posted_last"]
        if cpli["yearly_allocation"] is not None or cpli["status"] not in RUNNING:
            return int(n)
        plan = WeekPlan(cpli["quantity"], cpli["start_date"], cpli["end_date"])
        week_start = rulebook.actuals_week_start
        lo, hi = self._weeks_of(week_start)
        lo = max(lo, week_of(plan.start_date, week_start))
        if plan.end_date is not None:
            hi = min(hi, week_of(plan.end_date, week_start))
        if hi < lo:
            return int(n)
        if posted is not None:
            planned = [lo + WEEK * i for i in range((hi - lo).days // 7 + 1)]
            unposted = [week for week in planned if week not in posted]
            count = len(posted) + len(unposted)
        elif not n:
            unposted = _weeks(lo, hi)
            count = len(unposted)
        else:
            unposted = _weeks(lo, min(hi, first - WEEK)) + _weeks(max(lo, last + WEEK), hi)
            count = n + len(unposted)
        step = rulebook.actuals_hours_step if cpli["unit"] == Unit.HOURS else Decimal("1")
        for week in unposted:
            quantity = planned_for(plan, week, step)[0]  # type: ignore[arg-type]
            cost = round_money(quantity * cpli["rate"])
            sums[PL] += quantity
            sums[DIFFERENCE] -= quantity
            sums[PLANNED_COST] += cost
            sums[COST_DIFFERENCE] -= cost
        return count

    @cache  # noqa: B019 (one report's few councils' week days, for as long as it lives)
    def _weeks_of(self, week_start: int) -> tuple[date, date]:
        """The first and last of the weeks beginning on `week_start` in the dates."""
        first = week_of(self.starts, week_start)
        if first < self.starts:
            first += WEEK
        return first, week_of(self.ends, week_start)

    def _add_posted(self, sums: dict[int, Decimal | int]) -> None:
        """The posted weeks' sums, per council by the database."""
        per_council = (
            self.cplis.order_by()
            .values("council_id")
            .annotate(**{f"s{i}": Sum(name) for i, name in _POSTED_SUMS.items()})
        )
        for each in per_council:
            values = {i: each[f"s{i}"] for i in _POSTED_SUMS}
            for i, value in values.items():
                if value is not None:
                    sums[i] += value
            if values[ACTUAL] is not None:
                sums[DIFFERENCE] += values[ACTUAL] - values[PL]
            if values[COST] is not None:
                sums[COST_DIFFERENCE] += values[COST] - values[PLANNED_COST]


def _one_run(cpli: Mapping[str, Any]) -> bool:
    """Whether the CPLI's posted weeks are all on its council's week day and one after
    another from the first to the last (so they are that range)."""
    n = cpli["posted_n"]
    span = (cpli["posted_last"] - cpli["posted_first"]).days // 7 + 1
    return bool(cpli["posted_aligned"] == n and span == n)


def _weeks(since: date, until: date) -> list[date]:
    return [since + WEEK * i for i in range(max((until - since).days // 7 + 1, 0))]
