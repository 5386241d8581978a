"""The council's front-door figures, week by week: how many asked, how many the rules found
likely eligible, how many were signposted, how many of those sent to the council its officers
found inappropriate, and how long a decision took.

Weeks start on Monday in London and a request counts in the week it was submitted. One query
whatever the number of requests, reading five columns of the range's requests; the counts and
medians are taken from them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

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


def _median(durations: list[timedelta]) -> timedelta | None:
    """The middle wait, or the mean of the middle two."""
    if not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def dashboard_for(
    council: Council, *, weeks: int = DEFAULT_WEEKS, today: date | None = None
) -> Dashboard:
    """The council's figures for the `weeks` weeks up to and including the current one."""
    if weeks not in WEEK_CHOICES:
        raise ValueError(f"weeks must be one of {WEEK_CHOICES}, got {weeks}")
    today = today or to_london(now()).date()
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    after = monday_of(today) + timedelta(weeks=1)
    # One query for the few columns the figures need; the weeks and medians are worked out
    # here. Truncating to London weeks and ranking in the database cost SQLite most of a second
    # for a county's year (a Python function per row), for some tens of thousands of rows.
    found = FrontDoorRequest.objects.filter(
        council=council,
        submitted_at__gte=_london_midnight(first),
        submitted_at__lt=_london_midnight(after),
    ).values_list("submitted_at", "result", "route", "appropriate", "decided_at")
    per_week: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    week_waits: dict[date, list[timedelta]] = defaultdict(list)
    all_waits: list[timedelta] = []
    for submitted, result, route, appropriate, decided in found.iterator(chunk_size=5000):
        counts = per_week[monday_of(to_london(submitted).date())]
        counts["requests"] += 1
        counts["likely_eligible"] += result == Result.LIKELY_ELIGIBLE
        counts["signposted"] += route == Route.SIGNPOSTED
        if route == Route.QUEUE:
            counts["sent"] += 1
            counts["judged"] += appropriate is not None
            counts["inappropriate"] += appropriate is False
        if decided is not None:
            counts["decided"] += 1
            week_waits[monday_of(to_london(submitted).date())].append(decided - submitted)
            all_waits.append(decided - submitted)

    rows = []
    for n in range(weeks):
        starts = first + timedelta(weeks=n)
        rows.append(
            Week(
                starts=starts,
                median_to_decision=_median(week_waits.get(starts, [])),
                **per_week.get(starts, {}),
            )
        )
    sums = {name: sum(getattr(row, name) for row in rows) for name in COUNTS}
    total = Figures(median_to_decision=_median(all_waits), **sums)
    return Dashboard(council=council, weeks=rows, total=total, today=today)
