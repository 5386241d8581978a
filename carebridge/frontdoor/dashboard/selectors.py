"""The council's front-door figures, and what people thought of the front door.

The figures, week by week (Telford's questions): how many asked and by which route, what the
rules recommended, how many were signposted or sent to the council, what its officers decided
and how quickly in business hours, how many booked a hub appointment, and the feedback given.
The reports (`reports/catalogue/frontdoor_*.py`) show them; this is the front door's own read
of its data.

Weeks start on Monday in London. A request counts in the week it was submitted, with its
decision (so a week's decisions are those on its requests); a hub booking in the week it was
made; feedback in the week it was given. Five queries whatever the number of requests: the
council's office hours, the requests counted per week in the database, the decided requests'
waits with their weeks (the business time to decision, in the office's hours, stored on each
request as it is decided: `frontdoor/requests/waits.py`), the bookings and the feedback counted
per week.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from carebridge.accounts.models import User
from carebridge.core.calendar import ServiceHours, london_midnight
from carebridge.core.permissions import Function, can_view
from carebridge.frontdoor.choices import Asker, Decision, Result, Route
from carebridge.frontdoor.dashboard.business_time import BusinessClock
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest, FrontDoorSettings

# Telford's target: a request sent to the council is decided within 24 business hours (its
# office hours, Monday to Friday 9 to 5 by default, bank holidays shut). Each council's own is
# its response promise (`FrontDoorSettings.response_promise_hours`, this by default), which the
# figures count against.
TARGET_BUSINESS_HOURS = 24
TARGET = timedelta(hours=TARGET_BUSINESS_HOURS)

# Counted per week in the database, each a Count of the week's requests matching its filter.
_SENT = Q(route=Route.QUEUE)
REQUEST_COUNTS: dict[str, Q | None] = {
    "requests": None,
    "professionals": Q(asker=Asker.PROFESSIONAL),
    "likely_eligible": Q(result=Result.LIKELY_ELIGIBLE),
    "signposted": Q(route=Route.SIGNPOSTED),
    "sent": _SENT,
    "accepted": Q(decision=Decision.ASSESSMENT),
    "redirected": Q(decision=Decision.REDIRECTED),
    "no_further_action": Q(decision=Decision.NO_FURTHER_ACTION),
    "judged": _SENT & Q(appropriate__isnull=False),
    "inappropriate": _SENT & Q(appropriate=False),
}
COUNTS = (*REQUEST_COUNTS, "bookings", "feedback", "rating_sum")


@dataclass(frozen=True)
class Share:
    """A part of a whole, as councils report it: "12 of 40 (30%)"."""

    count: int
    of: int

    @property
    def percent(self) -> Decimal | None:
        """To one decimal place, rounded half up; None when there is nothing to share."""
        if self.of == 0:
            return None
        return (Decimal(100 * self.count) / self.of).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The figures of one week, or of the whole range."""

    requests: int = 0
    professionals: int = 0  # asked by a professional; the rest by residents (for themselves
    # or for someone they care for)
    likely_eligible: int = 0  # the tool's recommendation
    signposted: int = 0
    sent: int = 0  # to the council's queue
    accepted: int = 0  # the officers' decisions: for assessment,
    redirected: int = 0  # to another service,
    no_further_action: int = 0  # or closed
    judged: int = 0  # sent, with the officer's view of whether that was appropriate
    inappropriate: int = 0
    bookings: int = 0  # hub appointments booked (and confirmed)
    feedback: int = 0
    rating_sum: int = 0
    # The business time each decided request waited for its decision, in the office's hours.
    waits: tuple[timedelta, ...] = field(default=(), repr=False)
    # The council's response promise the waits are counted against.
    target: timedelta = field(default=TARGET, repr=False)

    @property
    def residents(self) -> int:
        return self.requests - self.professionals

    @property
    def decided(self) -> int:
        return len(self.waits)

    @property
    def within_target(self) -> int:
        return sum(1 for wait in self.waits if wait <= self.target)

    @property
    def within_target_share(self) -> Share:
        return Share(self.within_target, self.decided)

    @property
    def median_to_decision(self) -> timedelta | None:
        return median(self.waits)

    @property
    def median_hours(self) -> Decimal | None:
        """The median business hours to decision, to one decimal place."""
        wait = self.median_to_decision
        if wait is None:
            return None
        hours = Decimal(int(wait.total_seconds())) / 3600
        return hours.quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def average_rating(self) -> Decimal | None:
        """Of the feedback given, 1 very dissatisfied to 5 very satisfied, to one place."""
        if not self.feedback:
            return None
        return (Decimal(self.rating_sum) / self.feedback).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True, kw_only=True)
class Week(Figures):
    starts: date  # Monday

    @property
    def ends(self) -> date:
        """The week's last day, Sunday."""
        return self.starts + timedelta(days=6)


@dataclass(frozen=True)
class TeamFigures:
    """Of one front-door team's requests in the range: how many were decided within the
    council's response promise ("No team" for those the routing gave none)."""

    team: str
    within_promise: Share


@dataclass(frozen=True)
class Weekly:
    council_id: int
    weeks: list[Week]  # oldest first, every week of the range even when empty
    total: Figures
    hours: ServiceHours  # the office's, in which the times to decision are counted
    promise_hours: int = TARGET_BUSINESS_HOURS  # the council's response promise
    by_team: list[TeamFigures] = field(default_factory=list)  # by team name

    @property
    def starts(self) -> date:
        return self.weeks[0].starts

    @property
    def ends(self) -> date:
        return self.weeks[-1].ends


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def median(durations: tuple[timedelta, ...] | list[timedelta]) -> timedelta | None:
    """The middle wait, or the mean of the middle two."""
    if not durations:
        return None
    ordered = sorted(durations)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _week_of(moment: str, bounds: list[datetime]) -> Case:
    """Which week (0 for the first) a moment falls in. Weeks are London weeks, so their bounds
    move with summer time: a CASE the database stops at the first bound the moment is before."""
    return Case(
        *[When(**{f"{moment}__lt": bound}, then=Value(n)) for n, bound in enumerate(bounds[1:])],
        output_field=IntegerField(),
    )


def _in_range(moment: str, bounds: list[datetime]) -> dict[str, datetime]:
    return {f"{moment}__gte": bounds[0], f"{moment}__lt": bounds[-1]}


def _counted(
    rows: QuerySet, moment: str, bounds: list[datetime], **counts: Count | Sum
) -> dict[int, dict[str, int]]:
    """Each week's counts, in one query: {week number: {name: count}}."""
    per_week = (
        rows.filter(**_in_range(moment, bounds))
        .order_by()
        .annotate(week=_week_of(moment, bounds))
        .values("week")
        .annotate(**counts)
    )
    return {row.pop("week"): {k: v or 0 for k, v in row.items()} for row in per_week}


def weekly_figures(council_id: int, *, first: date, last: date) -> Weekly:
    """The council's figures for each week from the one beginning on Monday `first` to the one
    beginning on Monday `last`, both included, and for them all."""
    if first.weekday() or last.weekday() or last < first:
        raise ValueError(f"Give two Mondays, the first no later than the last: {first}, {last}")
    mondays = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    bounds = [london_midnight(monday) for monday in mondays]
    bounds.append(london_midnight(last + timedelta(weeks=1)))
    office = FrontDoorSettings.objects.filter(council_id=council_id).first()
    hours = (office or FrontDoorSettings(council_id=council_id)).office_hours()
    promise_hours = office.response_promise_hours if office else TARGET_BUSINESS_HOURS
    target = timedelta(hours=promise_hours)

    requests = FrontDoorRequest.objects.filter(council_id=council_id)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    named = {
        name: Count("pk") if q is None else Count("pk", filter=q)
        for name, q in REQUEST_COUNTS.items()
    }
    for source in (
        _counted(requests, "submitted_at", bounds, **named),
        _counted(
            Booking.objects.filter(slot__hub__council_id=council_id, confirmed_at__isnull=False),
            "created_at",
            bounds,
            bookings=Count("pk"),
        ),
        _counted(
            Feedback.objects.filter(council_id=council_id),
            "submitted_at",
            bounds,
            feedback=Count("pk"),
            rating_sum=Sum("rating"),
        ),
    ):
        for n, figures in source.items():
            counts[n].update(figures)
    waits, team_waits = _waits(requests, bounds, first, hours)

    weeks = [
        Week(starts=monday, waits=tuple(waits.get(n, ())), target=target, **counts.get(n, {}))
        for n, monday in enumerate(mondays)
    ]
    sums = {name: sum(getattr(week, name) for week in weeks) for name in COUNTS}
    total = Figures(
        waits=tuple(wait for week in weeks for wait in week.waits), target=target, **sums
    )
    by_team = [
        TeamFigures(
            team=name or "No team",
            within_promise=Share(sum(1 for wait in each if wait <= target), len(each)),
        )
        for name, each in sorted(team_waits.items(), key=lambda item: (not item[0], item[0]))
    ]
    return Weekly(
        council_id=council_id,
        weeks=weeks,
        total=total,
        hours=hours,
        promise_hours=promise_hours,
        by_team=by_team,
    )


def _waits(
    requests: QuerySet[FrontDoorRequest], bounds: list[datetime], first: date, hours: ServiceHours
) -> tuple[dict[int, list[timedelta]], dict[str, list[timedelta]]]:
    """The business time each decided request of the range waited, per week of its request: the
    wait stored when it was decided, read with its week as two integers. A decided request
    without one (written by hand rather than by the triage services) is counted from its two
    times, which the query reads for those rows only. The same waits by the request's team's
    name come second."""
    unstored = Q(decision_wait_us__isnull=True)
    decided = (
        requests.filter(decided_at__isnull=False, **_in_range("submitted_at", bounds))
        .order_by()
        .annotate(
            week=_week_of("submitted_at", bounds),
            unstored_from=Case(When(unstored, then="submitted_at"), output_field=DateTimeField()),
            unstored_to=Case(When(unstored, then="decided_at"), output_field=DateTimeField()),
        )
        .values_list("week", "decision_wait_us", "unstored_from", "unstored_to", "team__name")
    )
    waits: dict[int, list[timedelta]] = defaultdict(list)
    by_team: dict[str, list[timedelta]] = defaultdict(list)
    clock: BusinessClock | None = None
    for week, wait_us, submitted, decided_at, team in decided.iterator(chunk_size=5000):
        if wait_us is not None:
            wait = timedelta(microseconds=wait_us)
        else:
            clock = clock or BusinessClock(hours, first)
            wait = clock.between(submitted, decided_at)
        waits[week].append(wait)
        by_team[team or ""].append(wait)
    return waits, by_team


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
