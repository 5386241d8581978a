"""The council's front-door figures, and what people thought of the front door.

The figures, week by week: how many asked, how many the rules found
likely eligible, how many were signposted, how many of those sent to the council its officers
found inappropriate, and how long a decision took.

Weeks start on Monday in London and a request counts in the week it was submitted. Two queries
whatever the number of requests: the counts per week, in the database, and the decided
requests' two times, from which the medians are taken.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from carebridge.accounts.models import User
from carebridge.core import calendar
from carebridge.core.calendar import london_midnight, to_london
from carebridge.core.permissions import Function, can_view
from carebridge.frontdoor.choices import Result, Route
from carebridge.frontdoor.models import Feedback, FrontDoorRequest
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
    today = today or calendar.today()
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    after = monday_of(today) + timedelta(weeks=1)
    # Weeks are London weeks, so their bounds move with summer time: each request is placed by
    # comparing it with the bounds (a CASE the database stops at the first match), counted per
    # week in the database; only the decided requests' two times come back, for the medians.
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    bounds = [london_midnight(monday) for monday in mondays] + [london_midnight(after)]
    in_range = FrontDoorRequest.objects.filter(
        council=council, submitted_at__gte=bounds[0], submitted_at__lt=bounds[-1]
    ).order_by()
    week = Case(
        *[When(submitted_at__lt=bound, then=Value(n)) for n, bound in enumerate(bounds[1:])],
        output_field=IntegerField(),
    )
    sent = Q(route=Route.QUEUE)
    counted = (
        in_range.annotate(week=week)
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
    )
    per_week = {mondays[row.pop("week")]: row for row in counted}
    week_waits: dict[date, list[timedelta]] = defaultdict(list)
    all_waits: list[timedelta] = []
    decided = in_range.filter(decided_at__isnull=False).values_list("submitted_at", "decided_at")
    for submitted, decided_at in decided.iterator(chunk_size=5000):
        assert decided_at is not None  # filtered above
        waited = decided_at - submitted
        week_waits[monday_of(to_london(submitted).date())].append(waited)
        all_waits.append(waited)

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


# --- Feedback -----------------------------------------------------------------------------------


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    """The feedback of the user's council, for those who work its front door; none otherwise."""
    if user.council_id is None or not can_view(user.role, Function.FRONT_DOOR):
        return Feedback.objects.none()
    return Feedback.objects.filter(council_id=user.council_id)


def feedback_list(user: User) -> QuerySet[Feedback]:
    """The council's feedback, newest first, for its front-door officers' list and its export
    (dashboard/filters.py filters it)."""
    return feedback_visible_to(user).select_related("request").order_by("-submitted_at", "-pk")
