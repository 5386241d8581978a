"""Confirmations on time: for each of the council's actuals periods that has ended and each
provider that had a line running in it, the deadline the council's rulebook sets (through the one
calendar, `organisations.deadlines.actuals_confirm_by`), when the provider first confirmed the
period, whether that was on time, and by how many working days it was late (or is overdue).

The filters here (a provider and a date range, twelve weeks back by default) are shared by the
other council reports of "Actuals and payments" in this folder."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from carebridge.actuals.models import Confirmation, Period
from carebridge.actuals.services import RUNNING
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import LONDON, bank_holidays, now, to_london, today
from carebridge.core.formats import guide_date, guide_datetime, guide_time
from carebridge.organisations.choices import ConfirmationRule
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Rulebook
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.charts import BLUE, BarChart, Series, bar_chart
from carebridge.reports.filters import DateRangeFilters, provider_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

GROUP = "Actuals and payments"
DEFAULT_WEEKS = 12
ON_TIME, LATE, NOT_CONFIRMED, NOT_DUE = "Yes", "No", "Not confirmed", "Not yet due"

COLUMNS = (
    Column("Period starts", Kind.DATE, width=12),
    Column("Period ends", Kind.DATE, width=12),
    Column("Provider", width=30),
    Column("Confirm by", width=18),
    Column("Confirmed on", width=18),
    Column("On time", width=14),
    Column("Late by (working days)", Kind.COUNT, width=12),
    Column("Times confirmed", Kind.COUNT, total=True, width=10),
)


class CouncilRangeFilters(DateRangeFilters):
    """A council's report over a provider (or all of them) and a date range, by default the
    twelve weeks up to today."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["provider"] = provider_field(user)
        self.fields["starts"].initial = lambda: today() - timedelta(weeks=DEFAULT_WEEKS)
        self.fields["ends"].initial = today


def council_of(user: User) -> int:
    assert user.council_id is not None  # a council's report (Report.may_use)
    return user.council_id


def rules_in_words(rulebook: Rulebook, council: str) -> str:
    """The council's period and deadline rules, for the report's note."""
    period = str(rulebook.get_actuals_period_display()).lower()
    close = guide_time(datetime.combine(date(2000, 1, 1), rulebook.close_of_business, LONDON))
    if rulebook.actuals_confirmation_rule == ConfirmationRule.WORKING_DAYS_AFTER:
        days = rulebook.actuals_confirmation_working_days
        due = f"by close of business ({close}) {days} working days after it ends"
    else:
        weekday = rulebook.get_actuals_confirmation_weekday_display()
        due = (
            f"by close of business ({close}) on the {weekday} after it ends (the next working "
            "day if that is a bank holiday)"
        )
    return f"The figures follow {council}'s rules: {period} periods, each to be confirmed {due}."


def working_days(first: date, last: date) -> int:
    """Working days (England and Wales) from `first` to `last`, both included, counted without
    walking every day: five a whole week, the odd days one by one, less the bank holidays (which
    `bank_holidays` lists on weekdays only)."""
    if last < first:
        return 0
    weeks, odd = divmod((last - first).days + 1, 7)
    count = weeks * 5
    for n in range(odd):
        if (first + timedelta(days=weeks * 7 + n)).weekday() < 5:
            count += 1
    for year in range(first.year, last.year + 1):
        count -= sum(1 for day in bank_holidays(year) if first <= day <= last)
    return count


def working_days_late(deadline: datetime, moment: datetime, close: time) -> int:
    """The closes of business missed from the deadline's to `moment`: a confirmation after 5pm
    on the deadline's day is one working day late, after 5pm the next working day two."""
    if moment <= deadline:
        return 0
    local = to_london(moment)
    last = local.date() if local.time() > close else local.date() - timedelta(days=1)
    return working_days(to_london(deadline).date(), last)


@dataclass(frozen=True)
class _Period:
    pk: int
    starts: date
    ends: date
    deadline: datetime


def _periods(council_id: int, filters: Mapping[str, Any], rulebook: Rulebook) -> list[_Period]:
    """The council's periods that end in the range and have ended (one is confirmed after its
    last day), oldest first, each with its deadline."""
    found = (
        Period.objects.filter(
            council_id=council_id,
            end_date__gte=filters["starts"],
            end_date__lte=filters["ends"],
            end_date__lt=today(),
        )
        .order_by("start_date")
        .values_list("pk", "start_date", "end_date")
    )
    return [
        _Period(pk, starts, ends, actuals_confirm_by(rulebook, ends)) for pk, starts, ends in found
    ]


def _expected(
    council_id: int, provider: int | None, periods: list[_Period]
) -> dict[tuple[int, int], str]:
    """(period, provider) -> the provider's name, for each provider with a line running in a
    period: as the provider's own overdue periods (`actuals.selectors.periods`) count a period
    it must confirm. One query; each provider's lines are merged into runs of dates first, so a
    county's thousands of lines cost a few comparisons each."""
    lines = Cpli.objects.filter(
        council_id=council_id, status__in=RUNNING, start_date__lte=periods[-1].ends
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=periods[0].starts))
    if provider is not None:
        lines = lines.filter(provider_id=provider)
    spans: dict[tuple[int, str], list[tuple[date, date]]] = {}
    for provider_id, name, first, last in (
        lines.order_by()
        .values_list("provider_id", "provider__name", "start_date", "end_date")
        .distinct()
        .iterator(chunk_size=5000)
    ):
        spans.setdefault((provider_id, name), []).append((first, last or date.max))
    starts = [p.starts for p in periods]
    ends = [p.ends for p in periods]
    expected: dict[tuple[int, int], str] = {}
    for (provider_id, name), dates in spans.items():
        for first, last in _merged(dates):
            # The periods that end on or after the run's first day and start by its last.
            for each in periods[bisect_left(ends, first) : bisect_right(starts, last)]:
                expected[(each.pk, provider_id)] = name
    return expected


def _merged(spans: list[tuple[date, date]]) -> Iterable[tuple[date, date]]:
    spans.sort()
    first, last = spans[0]
    for start, end in spans[1:]:
        # An open-ended line (date.max) takes in every later one; a day after it overflows.
        if last < date.max and start > last + timedelta(days=1):
            yield first, last
            first, last = start, end
        else:
            last = max(last, end)
    yield first, last


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Four queries whatever the size: the rulebook, the periods, the lines, the confirmations."""
    council_id = council_of(user)
    rulebook = Rulebook.objects.select_related("council").get(council_id=council_id)
    notes = [
        rules_in_words(rulebook, rulebook.council.name),
        "On time follows each provider's first confirmation of a period; Times confirmed counts "
        "it again after a change to its actuals. Late by counts the closes of business missed "
        "since the deadline (working days, bank holidays aside), to now where a period is still "
        "not confirmed.",
    ]
    periods = _periods(council_id, filters, rulebook)
    if not periods:
        return Table(COLUMNS, [], notes=notes, empty="No period ended in these dates.")
    provider = filters.get("provider")
    expected = _expected(council_id, provider, periods)
    confirmations = Confirmation.objects.filter(period_id__in=[p.pk for p in periods])
    if provider is not None:
        confirmations = confirmations.filter(provider_id=provider)
    first: dict[tuple[int, int], datetime] = {}
    times: dict[tuple[int, int], int] = {}
    for period_id, provider_id, name, at in confirmations.order_by(
        "confirmed_at", "pk"
    ).values_list("period_id", "provider_id", "provider__name", "confirmed_at"):
        key = (period_id, provider_id)
        first.setdefault(key, at)
        times[key] = times.get(key, 0) + 1
        expected.setdefault(key, name)
    rows = _rows(periods, expected, first, times, rulebook.close_of_business, council_id)
    return Table(
        COLUMNS,
        rows,
        totals=_totals(rows),
        notes=[*notes, _summary(rows)],
        empty="No provider had a line running in a period that ended in these dates.",
    )


def _rows(
    periods: list[_Period],
    names: dict[tuple[int, int], str],
    first: dict[tuple[int, int], datetime],
    times: dict[tuple[int, int], int],
    close: time,
    council_id: int,
) -> list[Row]:
    moment = now()
    by_period: dict[int, list[tuple[str, int]]] = {}
    for (period_id, provider_id), name in names.items():
        by_period.setdefault(period_id, []).append((name, provider_id))
    rows = []
    for period in periods:
        for name, provider_id in sorted(by_period.get(period.pk, [])):
            at = first.get((period.pk, provider_id))
            if at is not None:
                state = ON_TIME if at <= period.deadline else LATE
                late = working_days_late(period.deadline, at, close)
            elif moment > period.deadline:
                state, late = NOT_CONFIRMED, working_days_late(period.deadline, moment, close)
            else:
                state, late = NOT_DUE, 0
            cells: tuple[Cell, ...] = (
                period.starts,
                period.ends,
                name,
                guide_datetime(period.deadline),
                guide_datetime(at) if at is not None else NOT_CONFIRMED,
                state,
                late if state != ON_TIME and state != NOT_DUE else None,
                times.get((period.pk, provider_id), 0),
            )
            rows.append(Row(cells, council_id=council_id))
    return rows


@dataclass(frozen=True)
class Tally:
    """Of some provider periods: how many, how many past their deadline, how many on time."""

    rows: int
    due: int
    on_time: int

    @property
    def share(self) -> Decimal | None:
        """The share of the due periods confirmed on time, as a percentage to one place."""
        if not self.due:
            return None
        return (Decimal(100 * self.on_time) / self.due).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def tally(rows: Iterable[Row]) -> Tally:
    states = [row.cells[5] for row in rows]
    return Tally(
        rows=len(states),
        due=sum(1 for s in states if s != NOT_DUE),
        on_time=sum(1 for s in states if s == ON_TIME),
    )


def _totals(rows: list[Row]) -> tuple[Cell, ...]:
    counted = tally(rows)
    periods = len({row.cells[0] for row in rows})
    share = counted.share
    on_time = f"{counted.on_time} of {counted.due}" + (f" ({share}%)" if share is not None else "")
    return (
        "Total",
        None,
        f"{periods} periods, {counted.rows} by provider",
        None,
        f"{sum(1 for row in rows if row.cells[4] != NOT_CONFIRMED)} confirmed",
        on_time,
        None,
        sum(n for row in rows if isinstance(n := row.cells[7], int)),
    )


def _summary(rows: list[Row]) -> str:
    counted = tally(rows)
    if not counted.due:
        return "No period's deadline has passed yet."
    return (
        f"Of {counted.due} provider periods past their deadline, {counted.on_time} were "
        f"confirmed on time: {counted.share}%."
    )


def chart(table: Table) -> BarChart | None:
    """The share of each period's providers that confirmed on time (periods not yet due have
    no bar)."""
    by_period: dict[tuple[date, date], list[Row]] = {}
    for row in table.rows:
        by_period.setdefault((row.cells[0], row.cells[1]), []).append(row)  # type: ignore[arg-type]
    groups = []
    for (starts, ends), rows in by_period.items():
        share = tally(rows).share
        groups.append(
            (
                f"{starts:%d/%m}",
                f"Period from {guide_date(starts)} to {guide_date(ends)}",
                (None if share is None else float(share),),
            )
        )
    if all(values[0] is None for _label, _words, values in groups):
        return None
    return bar_chart(
        id="confirmations-chart",
        title="Share of providers confirming on time",
        description=(
            f"Bar chart of the share of providers that confirmed each of {len(groups)} periods "
            "by its deadline, in per cent; a period whose deadline has not passed has no bar. "
            f"{_summary(list(table.rows))} The table below gives each provider's figures."
        ),
        unit="per cent",
        axis_title="Per cent on time",
        series=[Series("Confirmed on time", BLUE)],
        groups=groups,
    )


register(
    Report(
        slug="confirmations-on-time",
        title="Confirmations on time",
        summary="Whether each provider confirmed each period's actuals by the council's deadline, and how late.",
        side="council",
        group=GROUP,
        form=CouncilRangeFilters,
        build=build,
        chart=chart,
        order=40,
    )
)
