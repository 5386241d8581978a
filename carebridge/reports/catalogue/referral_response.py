"""Referral response (issue 19; Nottinghamshire's Home First statistics): for each provider and
month, the referrals the council sent, how many were answered within the response window and
how long answers took in service minutes, the missed ones, the refusals by reason, the failed
starts and whether provider updates came on time.

Every figure of a row is about the referrals received in that month, whatever happened to them
later, so each referral is counted in one row only and a row's figures add up. Service minutes
are counted by the calendar (as `core.calendar.service_time_between` counts them) inside the council's referral
service hours; the deadlines are the ones the provider was shown (`respond_by`, `update_due_by`,
set by `organisations.deadlines`)."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear

from carebridge.core.calendar import LONDON, london_midnight, now, to_london, today
from carebridge.organisations.models import Rulebook
from carebridge.referrals.choices import ReferralStatus, RefusalReason
from carebridge.referrals.models import Referral
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.charts import BLUE, GREY, ORANGE, BarChart, Series, bar_chart
from carebridge.reports.filters import DateRangeFilters, provider_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.core.calendar import ServiceHours

COLUMNS = (
    Column("Provider", width=26),
    Column("Month", width=14),
    Column("Received", Kind.COUNT, total=True, width=10),
    Column("Answered in window", Kind.COUNT, total=True, width=11),
    Column("Share in window", Kind.PERCENT, width=10),
    Column("Median service minutes to answer", Kind.NUMBER, width=12),
    Column("Missed", Kind.COUNT, total=True, width=9),
    Column("Refused", Kind.COUNT, total=True, width=9),
    Column("Refused by reason", width=34),
    Column("Failed starts", Kind.COUNT, total=True, width=9),
    Column("Provider updates on time", Kind.COUNT, total=True, width=10),
    Column("Provider updates due", Kind.COUNT, total=True, width=10),
)
# The columns the chart draws, by position in a row.
RECEIVED, IN_WINDOW, MISSED = 2, 3, 6

TENTH = Decimal("0.1")
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")


class Filters(DateRangeFilters):
    """A council's providers (or one of them) over a range of dates: the last 12 months at first."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["provider"] = provider_field(user)
        # Called at each first visit, so the default range moves with the date.
        self.fields["starts"].initial = _year_ago
        self.fields["ends"].initial = today
        self.order_fields(["provider", "starts", "ends"])


def _year_ago() -> date:
    """The first day of the month eleven months back: with this month, the last 12 months."""
    day = today()
    months = day.year * 12 + day.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1)


@dataclass
class Tally:
    """One provider's figures for one month (or the council's over all of them)."""

    received: int = 0
    in_window: int = 0
    missed: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    updates_on_time: int = 0
    updates_due: int = 0
    seconds: list[int] = field(default_factory=list)  # whole service seconds to each answer

    @property
    def share(self) -> Decimal | None:
        """Of the referrals whose window has closed (answered in it or missed), the share
        answered in it, as a percentage; None when no window has closed yet."""
        due = self.in_window + self.missed
        if not due:
            return None
        return (Decimal(100 * self.in_window) / due).quantize(TENTH, ROUND_HALF_UP)

    @property
    def median(self) -> Decimal | None:
        """The median of the answers' service minutes, each to a tenth of a minute."""
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        half = len(ordered) // 2
        # Rounding to a tenth of a minute keeps the order, so the middle one (or two) of the
        # seconds are those of the minutes: only they need rounding.
        middle = ordered[half - 1 : half + 1] if len(ordered) % 2 == 0 else [ordered[half]]
        minutes = [minutes_of(seconds) for seconds in middle]
        return Decimal(statistics.median(minutes)).quantize(TENTH, ROUND_HALF_UP)

    def add(self, other: Tally) -> None:
        self.received += other.received
        self.in_window += other.in_window
        self.missed += other.missed
        self.refused.update(other.refused)
        self.failed += other.failed
        self.updates_on_time += other.updates_on_time
        self.updates_due += other.updates_due
        self.seconds += other.seconds

    def cells(self, provider: str, month: str | None) -> tuple[Cell, ...]:
        return (
            provider,
            month,
            self.received,
            self.in_window,
            self.share,
            self.median,
            self.missed,
            sum(self.refused.values()),
            refusals_text(self.refused),
            self.failed,
            self.updates_on_time,
            self.updates_due,
        )


def refusals_text(refused: Counter[str]) -> str:
    """The refusals by reason, in the guide's order: "No capacity in the area 3; Other 1"."""
    return "; ".join(
        f"{reason.label} {refused[reason.value]}"
        for reason in RefusalReason
        if refused[reason.value]
    )


def minutes_of(seconds: int) -> Decimal:
    """Whole seconds of service time in minutes, to one decimal place."""
    return (Decimal(seconds) / 60).quantize(TENTH, ROUND_HALF_UP)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_PER_SECOND = 1_000_000


def micro_of(moment: datetime) -> int:
    """A moment as whole microseconds since 1970 began in UTC."""
    return (moment - _EPOCH) // _MICROSECOND


def _moment(micro: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micro)


class ServiceClock:
    """The service time from the first day to a moment, as a running total of the service's
    windows (`ServiceHours.window_on`, day by day from `first` to `last`): the time between two
    moments in those days is then a difference of two look-ups, the same sum of each day's
    window that `core.calendar.service_time_between` adds up by walking the days between.
    Moments are microseconds since 1970 (`micro_of`), as the report reads them."""

    def __init__(self, hours: ServiceHours, first: date, last: date) -> None:
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.before: list[int] = []  # service microseconds before each window opens
        total = 0
        day = first
        while day <= last:
            window = hours.window_on(day)
            if window is not None:
                opens, closes = micro_of(window[0]), micro_of(window[1])
                self.opens.append(opens)
                self.closes.append(closes)
                self.before.append(total)
                total += closes - opens
            day += timedelta(days=1)

    def _total_at(self, at: int) -> int:
        i = bisect_right(self.opens, at) - 1
        if i < 0:
            return 0
        return self.before[i] + min(at, self.closes[i]) - self.opens[i]

    def seconds_between(self, start: int, end: int) -> int:
        """Whole seconds of service time from start to end (negative if end is before)."""
        return (self._total_at(end) - self._total_at(start)) // _PER_SECOND


@dataclass
class ReferralTable(Table):
    """The table, with every month of the range (the chart draws the months with no referrals
    too, as no bars)."""

    months: Sequence[tuple[date, str]] = ()


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def months_between(starts: date, ends: date) -> list[date]:
    month, last = starts.replace(day=1), ends.replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _counts(at: datetime) -> dict[str, Count]:
    """Each figure of a Tally but the minutes, as a count over a month's referrals."""
    moment = Value(at, output_field=DateTimeField())
    answered_in_window = Q(answered_at__isnull=False, answered_at__lte=F("respond_by"))
    # Missed: the window closed before an answer came (a late answer), before the council
    # withdrew it, or before now (still pending) - the glossary's "passed without an answer".
    missed = Q(respond_by__lt=Coalesce("answered_at", "closed_at", moment))
    # An update is due once sent, or once its deadline passed while the service still waited
    # for it (a service that failed or was withdrawn first owed no update).
    update_due = Q(update_due_by__isnull=False) & (
        Q(provider_update_at__isnull=False) | Q(update_due_by__lt=Coalesce("closed_at", moment))
    )
    on_time = Q(update_due_by__isnull=False, provider_update_at__lte=F("update_due_by"))
    refused = Q(status=ReferralStatus.REFUSED)
    return {
        "received": Count("pk"),
        "in_window": Count("pk", filter=answered_in_window),
        "missed": Count("pk", filter=missed),
        "refused": Count("pk", filter=refused),
        **{
            f"refused_{reason.value}": Count("pk", filter=refused & Q(refusal_reason=reason))
            for reason in RefusalReason
        },
        "failed": Count("pk", filter=Q(status=ReferralStatus.FAILED)),
        "updates_due": Count("pk", filter=update_due),
        "updates_on_time": Count("pk", filter=on_time),
    }


def _since_epoch(field: str) -> ExpressionWrapper:
    # Read as a duration: a database hands over an interval several times faster than a
    # moment with its time zone, and a year of answers is two of them each.
    return ExpressionWrapper(F(field) - Value(_EPOCH), output_field=DurationField())


def _figures(referrals: QuerySet[Referral], at: datetime) -> QuerySet[Referral, tuple[Any, ...]]:
    """In one query: per answered referral a row of its provider and when it was received and
    answered, since 1970 (its month and minutes are worked out in Python, the minutes by the
    service's calendar); and per provider and month (London's) a row of its name, the month's
    year and number, and its counts, with no times. The answers come first: a query's rows
    are converted as its first part's columns say, and the tens of thousands of answers then
    pass unconverted (a row of counts is whole numbers as every database gives them)."""
    counts = _counts(at)
    empty = Value(None, output_field=CharField())
    answers = (
        referrals.order_by()
        .filter(answered_at__isnull=False)
        .annotate(
            name=empty,
            year=empty,
            month=empty,
            **dict.fromkeys(counts, empty),
            start=_since_epoch("received_at"),
            end=_since_epoch("answered_at"),
        )
        .values_list("provider_id", "name", "year", "month", *counts, "start", "end")
    )
    no_time = Value(None, output_field=DurationField())
    sums = (
        referrals.order_by()
        .values(
            "provider_id",
            "provider__name",
            year=ExtractYear("received_at", tzinfo=LONDON),
            month=ExtractMonth("received_at", tzinfo=LONDON),
        )
        .annotate(**counts, start=no_time, end=no_time)
        .values_list("provider_id", "provider__name", "year", "month", *counts, "start", "end")
    )
    return answers.union(sums, all=True)


def _sums(figures: Sequence[int]) -> Tally:
    """A month's counts as the query gives them (`_counts`' order), as a Tally."""
    reasons = list(RefusalReason)
    received, in_window, missed, refused_all, *by_reason = figures[: 4 + len(reasons)]
    failed, updates_due, updates_on_time = figures[4 + len(reasons) :]
    refused: Counter[str] = Counter()
    for reason, count in zip(reasons, by_reason, strict=True):
        if count:
            refused[reason.value] = count
    # A refusal for a reason the guide no longer lists still counts among the refused.
    if refused_all > sum(by_reason):
        refused[""] += refused_all - sum(by_reason)
    return Tally(received, in_window, missed, refused, failed, updates_on_time, updates_due)


def _tallies(
    rows: Iterable[tuple[Any, ...]], hours: ServiceHours
) -> dict[tuple[str, int, date], Tally]:
    """Each provider's month of figures, by name, provider and month."""
    names: dict[tuple[int, date], tuple[str, Tally]] = {}
    answers: list[tuple[int, int, int]] = []
    for provider_id, name, year, month, *figures, start, end in rows:
        if start is not None:
            answers.append((provider_id, start // _MICROSECOND, end // _MICROSECOND))
        else:
            day = date(int(year), int(month), 1)
            names[(provider_id, day)] = (name, _sums([int(figure) for figure in figures]))
    if answers:
        first = to_london(_moment(min(start for _pk, start, _end in answers))).date()
        last = to_london(_moment(max(end for _pk, _start, end in answers))).date()
        clock = ServiceClock(hours, first, last)
        # Each answer's month, London's, by when its referral was received.
        months = months_between(first, last)
        starts = [micro_of(london_midnight(month)) for month in months]
        for provider_id, start, end in answers:
            month = months[bisect_right(starts, start) - 1]
            names[(provider_id, month)][1].seconds.append(clock.seconds_between(start, end))
    return {(name, pk, day): tally for (pk, day), (name, tally) in names.items()}


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Each provider's months with referrals received in the range, by provider then month:
    two queries (the rulebook, then the counts and the answers' times)."""
    assert user.council_id is not None  # a council's report (Report.may_use)
    starts, ends = filters["starts"], filters["ends"]
    rulebook = Rulebook.objects.select_related("council").get(council_id=user.council_id)
    referrals = Referral.objects.filter(
        council_id=user.council_id,
        received_at__gte=london_midnight(starts),
        received_at__lt=london_midnight(ends + timedelta(days=1)),
    )
    if filters.get("provider"):
        referrals = referrals.filter(provider_id=filters["provider"])
    tallies = _tallies(_figures(referrals, now()), rulebook.referral_service_hours())
    overall = Tally()
    for tally in tallies.values():
        overall.add(tally)
    council_id = user.council_id
    rows = [
        Row(tally.cells(name, month_label(month)), council_id=council_id)
        for (name, _pk, month), tally in sorted(tallies.items())
    ]
    return ReferralTable(
        columns=COLUMNS,
        rows=rows,
        totals=overall.cells("Total", None) if rows else None,
        notes=notes(rulebook, starts, ends),
        empty="No referrals were received in these dates.",
        months=[(month, month_label(month)) for month in months_between(starts, ends)],
    )


def notes(rulebook: Rulebook, starts: date, ends: date) -> list[str]:
    days = sorted(int(day) for day in rulebook.referral_service_days)
    service_days = ", ".join(WEEKDAYS[day] for day in days) or "no days"
    holidays = (
        "closed on bank holidays"
        if rulebook.referral_service_closed_on_bank_holidays
        else "open on bank holidays"
    )
    return [
        f"These figures follow {rulebook.council.name}'s rules: a referral is answered within "
        f"{rulebook.referral_response_minutes} service minutes, counted "
        f"{rulebook.referral_service_start:%H:%M} to {rulebook.referral_service_end:%H:%M} on "
        f"{service_days}, {holidays}; the provider update is due "
        f"{rulebook.referral_update_hours} hours after the first visit.",
        "Each row counts the referrals received in its month, whatever happened to them later. "
        "Missed: the response window passed without an answer (answered late, or never). The "
        "share in window is of the referrals whose window has closed. A provider update is due "
        "once sent or once its deadline has passed.",
    ]


@dataclass(frozen=True)
class MonthSums:
    """One month's figures over every row of the table (every provider shown)."""

    month: date | None
    label: str
    received: int
    in_window: int
    missed: int

    @property
    def axis_label(self) -> str:
        """ "Jan 2026" for January and the first month, else "Feb": short enough for 13 months."""
        if self.month is None:
            return self.label
        return self.label if self.month.month == 1 else f"{self.month:%b}"


def sums_by_month(table: Table) -> list[MonthSums]:
    """Each month of the range, in order, with the rows' received, answered in window and
    missed added up."""
    months = table.months if isinstance(table, ReferralTable) else ()
    dates: dict[str, date | None] = {label: month for month, label in months}
    sums: dict[str, list[int]] = {label: [0, 0, 0] for label in dates}
    for row in table.rows:
        figures = sums.setdefault(str(row.cells[1]), [0, 0, 0])
        for i, column in enumerate((RECEIVED, IN_WINDOW, MISSED)):
            figures[i] += int(row.cells[column] or 0)  # type: ignore[arg-type]
    return [MonthSums(dates.get(label), label, *figures) for label, figures in sums.items()]


def chart(table: Table) -> BarChart | None:
    """Per month over every provider shown: referrals received, answered within the window and
    missed; the same figures as the table's rows, added up."""
    months = sums_by_month(table)
    if not months:
        return None
    first = months[0]
    return bar_chart(
        id="referral-response-chart",
        title="Referrals received, answered within the response window and missed, per month",
        description=description(months),
        unit="",
        axis_title="Referrals",
        series=[
            Series("Received", GREY),
            Series("Answered in window", BLUE),
            Series("Missed", ORANGE),
        ],
        groups=[
            (
                m.label if m is first else m.axis_label,
                m.label,
                (m.received, m.in_window, m.missed),
            )
            for m in months
        ],
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def description(months: Sequence[MonthSums]) -> str:
    """The chart in words, for screen readers: the totals, their share, the busiest month."""
    received = sum(m.received for m in months)
    in_window = sum(m.in_window for m in months)
    missed = sum(m.missed for m in months)
    span = f"the {_plural(len(months), 'month')} from {months[0].label} to {months[-1].label}"
    if not received:
        return f"Bar chart of {span}: no referrals were received, so there are no bars."
    due = in_window + missed
    share = (
        f" ({(Decimal(100 * in_window) / due).quantize(TENTH, ROUND_HALF_UP)}% of those whose "
        "window has closed)"
        if due
        else ""
    )
    busiest = max(months, key=lambda m: m.received)
    return (
        f"Bar chart of {span}: {_plural(received, 'referral')} received, {in_window:,} answered "
        f"within the response window{share} and {missed:,} missed. The most were received in "
        f"{busiest.label} ({busiest.received:,}). The table below gives each provider's figures "
        "for each month."
    )


register(
    Report(
        slug="referral-response",
        title="Referral response",
        summary="How quickly each provider answered the council's referrals each month, the "
        "missed and refused ones, failed starts and provider updates on time.",
        side="council",
        group="Referrals",
        form=Filters,
        build=build,
        chart=chart,
        order=40,
    )
)
