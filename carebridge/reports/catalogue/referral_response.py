"""Referral response (issue 19; Nottinghamshire's Home First statistics): for each provider and
month, the referrals the council sent, how many were answered within the response window and
how long answers took in service minutes, the missed ones, the refusals by reason, the failed
starts and whether provider updates came on time.

Every figure of a row is about the referrals received in that month, whatever happened to them
later, so each referral is counted in one row only and a row's figures add up. Service minutes
are counted by the calendar (`core.calendar.service_time_between`) inside the council's referral
service hours; the deadlines are the ones the provider was shown (`respond_by`, `update_due_by`,
set by `organisations.deadlines`)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from carebridge.core.calendar import london_midnight, now, service_time_between, to_london, today
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
    minutes: list[Decimal] = field(default_factory=list)  # service minutes to each answer

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
        if not self.minutes:
            return None
        return Decimal(statistics.median(self.minutes)).quantize(TENTH, ROUND_HALF_UP)

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


def service_minutes(start: datetime, end: datetime, hours: ServiceHours) -> Decimal:
    """The service time from `start` to `end`, in minutes to one decimal place."""
    elapsed = service_time_between(start, end, hours)
    return (Decimal(elapsed // timedelta(seconds=1)) / 60).quantize(TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class Answer:
    """What one referral's record says about its answer and its provider update."""

    received_at: datetime
    respond_by: datetime
    answered_at: datetime | None
    status: str
    refusal_reason: str
    update_due_by: datetime | None
    provider_update_at: datetime | None
    closed_at: datetime | None

    def count_in(self, tally: Tally, hours: ServiceHours, at: datetime) -> None:
        tally.received += 1
        if self.answered_at is not None:
            tally.minutes.append(service_minutes(self.received_at, self.answered_at, hours))
            if self.answered_at <= self.respond_by:
                tally.in_window += 1
        # Missed: the window closed before an answer came (a late answer), before the council
        # withdrew it, or before now (still pending) - the glossary's "passed without an answer".
        if self.respond_by < (self.answered_at or self.closed_at or at):
            tally.missed += 1
        if self.status == ReferralStatus.REFUSED:
            tally.refused[self.refusal_reason] += 1
        elif self.status == ReferralStatus.FAILED:
            tally.failed += 1
        if self.update_due_by is not None:
            updated = self.provider_update_at
            # Due once sent, or once its deadline passed while the service still waited for it
            # (a service that failed or was withdrawn first owed no update).
            if updated is not None or self.update_due_by < (self.closed_at or at):
                tally.updates_due += 1
            if updated is not None and updated <= self.update_due_by:
                tally.updates_on_time += 1


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


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Each provider's months with referrals received in the range, by provider then month."""
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
    values = referrals.order_by().values_list(
        "provider_id",
        "provider__name",
        "received_at",
        "respond_by",
        "answered_at",
        "status",
        "refusal_reason",
        "update_due_by",
        "provider_update_at",
        "closed_at",
    )
    hours, at = rulebook.referral_service_hours(), now()
    tallies: dict[tuple[str, int, date], Tally] = {}
    overall = Tally()
    for provider_id, name, *fields in values.iterator(chunk_size=2000):
        answer = Answer(*fields)  # type: ignore[arg-type]  # the fields in Answer's order
        month = to_london(answer.received_at).date().replace(day=1)
        answer.count_in(tallies.setdefault((name, provider_id, month), Tally()), hours, at)
        answer.count_in(overall, hours, at)
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
