"""The council's front-door figures, week by week: how many asked, how many the rules found
likely eligible, how many were signposted, how many of those sent to the council its officers
found inappropriate, and how long a decision took.

Weeks start on Monday in London and a request counts in the week it was submitted. Two queries
whatever the number of requests: one counts, per week, in the database; the other lets the
database sort the decision times and return only the middle one or two of each week and of the
whole range, from which the medians are taken.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber, TruncWeek

from carebridge.core.calendar import LONDON, now, to_london
from carebridge.frontdoor.choices import Result, Route
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.organisations.models import Council

WEEK_CHOICES = (4, 12, 26, 52)
DEFAULT_WEEKS = 12
COUNTS = ("requests", "likely_eligible", "signposted", "sent", "judged", "inappropriate", "decided")


@dataclass(frozen=True)
class Share:
    """A part of a whole, as councils report it: "12 of 40 (30%)"."""

    count: int
    of: int

    @property
    def percent(self) -> int | None:
        """Rounded half up to a whole percent; None when there is nothing to share."""
        if self.of == 0:
            return None
        return (200 * self.count + self.of) // (2 * self.of)


@dataclass(frozen=True)
class Figures:
    """The figures of one week, or of the whole range."""

    requests: int = 0
    likely_eligible: int = 0
    signposted: int = 0
    sent: int = 0  # to the council's queue
    judged: int = 0  # sent, with the officer's view of whether that was appropriate
    inappropriate: int = 0
    decided: int = 0
    median_to_decision: timedelta | None = None

    @property
    def likely_eligible_share(self) -> Share:
        return Share(self.likely_eligible, self.requests)

    @property
    def signposted_share(self) -> Share:
        return Share(self.signposted, self.requests)

    @property
    def inappropriate_share(self) -> Share:
        return Share(self.inappropriate, self.judged)

    @property
    def median_hours(self) -> float | None:
        if self.median_to_decision is None:
            return None
        return self.median_to_decision.total_seconds() / 3600


@dataclass(frozen=True, kw_only=True)
class Week(Figures):
    starts: date  # Monday

    @property
    def ends(self) -> date:
        """The week's last day, Sunday."""
        return self.starts + timedelta(days=6)


@dataclass(frozen=True)
class Dashboard:
    council: Council
    weeks: list[Week]  # oldest first, every week of the range even when empty
    total: Figures
    today: date

    @property
    def starts(self) -> date:
        return self.weeks[0].starts

    @property
    def ends(self) -> date:
        return self.weeks[-1].ends

    @property
    def has_requests(self) -> bool:
        return self.total.requests > 0


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _week_start(value: datetime | date) -> date:
    if isinstance(value, datetime):
        return to_london(value).date() if value.tzinfo is not None else value.date()
    return value


def _middle(position: int, count: int) -> bool:
    """Whether a 1-based position is the middle of `count` sorted values (one of the two)."""
    return (count + 1) // 2 <= position <= (count + 2) // 2


def _median(durations: list[timedelta]) -> timedelta | None:
    return sum(durations, timedelta()) / len(durations) if durations else None


def dashboard_for(
    council: Council, *, weeks: int = DEFAULT_WEEKS, today: date | None = None
) -> Dashboard:
    """The council's figures for the `weeks` weeks up to and including the current one."""
    if weeks not in WEEK_CHOICES:
        raise ValueError(f"weeks must be one of {WEEK_CHOICES}, got {weeks}")
    today = today or to_london(now()).date()
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    after = monday_of(today) + timedelta(weeks=1)
    requests: QuerySet[FrontDoorRequest] = FrontDoorRequest.objects.filter(
        council=council,
        submitted_at__gte=_london_midnight(first),
        submitted_at__lt=_london_midnight(after),
    ).order_by()
    week = TruncWeek("submitted_at", tzinfo=LONDON)

    sent = Q(route=Route.QUEUE)
    counted = (
        requests.annotate(week=week)
        .values("week")
        .annotate(
            requests=Count("pk"),
            likely_eligible=Count("pk", filter=Q(result=Result.LIKELY_ELIGIBLE)),
            signposted=Count("pk", filter=Q(route=Route.SIGNPOSTED)),
            sent=Count("pk", filter=sent),
            judged=Count("pk", filter=sent & Q(appropriate__isnull=False)),
            inappropriate=Count("pk", filter=sent & Q(appropriate=False)),
            decided=Count("pk", filter=Q(decided_at__isnull=False)),
        )
        .order_by("week")
    )
    per_week = {_week_start(row.pop("week")): row for row in counted}

    waited = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    middles = (
        requests.filter(decided_at__isnull=False)
        .annotate(
            week=week,
            waited=waited,
            in_week=Window(RowNumber(), partition_by=[week], order_by=[waited.asc(), "pk"]),
            of_week=Window(Count("pk"), partition_by=[week]),
            in_all=Window(RowNumber(), order_by=[waited.asc(), "pk"]),
            of_all=Window(Count("pk")),
        )
        .filter(
            Q(in_week__gte=(F("of_week") + 1) / 2, in_week__lte=(F("of_week") + 2) / 2)
            | Q(in_all__gte=(F("of_all") + 1) / 2, in_all__lte=(F("of_all") + 2) / 2)
        )
        .values_list("week", "waited", "in_week", "of_week", "in_all", "of_all")
    )
    week_middles: dict[date, list[timedelta]] = defaultdict(list)
    all_middles: list[timedelta] = []
    for starts, waited_for, in_week, of_week, in_all, of_all in middles:
        if _middle(in_week, of_week):
            week_middles[_week_start(starts)].append(waited_for)
        if _middle(in_all, of_all):
            all_middles.append(waited_for)

    rows = []
    for n in range(weeks):
        starts = first + timedelta(weeks=n)
        rows.append(
            Week(
                starts=starts,
                median_to_decision=_median(week_middles.get(starts, [])),
                **per_week.get(starts, {}),
            )
        )
    sums = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    total = Figures(median_to_decision=_median(all_middles), **sums)
    return Dashboard(council=council, weeks=rows, total=total, today=today)
