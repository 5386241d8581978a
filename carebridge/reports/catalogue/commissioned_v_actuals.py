"""Commissioned v Actuals (Stockport section 15): the care planned against the actuals posted,
per client, CPLI and week, for any dates, with the differences and their reasons.

A week is each council's own: it begins on that council's week start day, and a provider
working for two councils gets each council's weeks under its own rules. A CPLI running in a
week with nothing posted for it is shown too, as planned and "Not posted", so the differences
add up to what the plans would have paid. Quantities are Pl, Actual, Frstd, Msd and Xtr as the
actuals pages name them; the costs are the posted week's as the council's rules found it when
it was saved (`Actual.cost`), against the plan at the CPLI's rate."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING, Any, cast

from django.db.models import FilteredRelation, Q, QuerySet

from carebridge.actuals.periods import WEEK, period_bounds, planned_for, week_has_ended, week_of
from carebridge.actuals.services import running_in
from carebridge.actuals.services.common import RUNNING
from carebridge.contracts.choices import Unit
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.core.formats import round_money
from carebridge.organisations.choices import FrustratedReason, MissedReason, Weekday
from carebridge.organisations.models import Rulebook
from carebridge.reports.base import Column, Kind, Report, Row, Table, register
from carebridge.reports.catalogue.cva_paged import CvaPaged, WeekPlan
from carebridge.reports.filters import DateRangeFilters, council_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Council", width=20),
    Column("Week beginning", Kind.DATE, width=11),
    Column("Client", width=20),
    Column("SS Ref", width=10),
    Column("Service", width=18),
    Column("Service level", width=22),
    Column("CPLI", width=16),
    Column("Unit", width=8),
    Column("Pl", Kind.NUMBER, total=True, width=7),
    Column("Actual", Kind.NUMBER, total=True, width=7),
    Column("Frstd", Kind.NUMBER, total=True, width=7),
    Column("Msd", Kind.NUMBER, total=True, width=7),
    Column("Xtr", Kind.NUMBER, total=True, width=7),
    Column("Difference", Kind.NUMBER, total=True, width=9),
    Column("Planned cost", Kind.MONEY, total=True, width=11),
    Column("Cost", Kind.MONEY, total=True, width=11),
    Column("Cost difference", Kind.MONEY, total=True, width=11),
    Column("Reasons", width=30),
)
_QUANTITY_LABELS = {"Pl", "Actual", "Frstd", "Msd", "Xtr", "Difference"}
_QUANTITIES_UNTOTALLED = tuple(
    replace(column, total=False) if column.label in _QUANTITY_LABELS else column
    for column in COLUMNS
)

NOT_POSTED = "Not posted"
NOT_ENDED = "Not posted: the week has not ended yet"
# The weeks a first visit covers: the last four that have ended, from the start of each
# council's period holding the first of them (a 4-weekly council's whole period).
DEFAULT_WEEKS = 4

_FRUSTRATED = dict(FrustratedReason.choices)
_MISSED = dict(MissedReason.choices)


def _provider_rulebooks(provider_id: int | None, council_id: int | None = None) -> list[Rulebook]:
    """The rulebooks of the councils the provider works for (by contract or by a CPLI)."""
    if provider_id is None:
        return []
    councils = Cpli.objects.filter(provider_id=provider_id).values("council_id")
    rulebooks = Rulebook.objects.filter(
        Q(council_id__in=councils) | Q(council__contracts__provider_id=provider_id)
    )
    if council_id:
        rulebooks = rulebooks.filter(council_id=council_id)
    return list(rulebooks.select_related("council").distinct().order_by("council__name"))


def default_dates(rulebooks: Iterable[Rulebook], on: date) -> tuple[date, date]:
    """The last four weeks that have ended, widened back to the start of each council's period
    holding the first of them: a weekly council's last four periods, a 4-weekly council's last
    whole one (and the ended weeks of the current one)."""
    starts: list[date] = []
    ends: list[date] = []
    for rulebook in rulebooks:
        last = week_of(on, rulebook.actuals_week_start) - WEEK
        starts.append(period_bounds(rulebook, last - WEEK * (DEFAULT_WEEKS - 1))[0])
        ends.append(last + timedelta(days=6))
    if not starts:
        last = week_of(on, Weekday.MONDAY) - WEEK
        return last - WEEK * (DEFAULT_WEEKS - 1), last + timedelta(days=6)
    return min(starts), max(ends)


class Filters(DateRangeFilters):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        self.fields["council"] = council_field(user)
        self.order_fields(["council", "starts", "ends"])
        starts, ends = default_dates(_provider_rulebooks(user.provider_id), today())
        self.fields["starts"].initial = starts
        self.fields["ends"].initial = ends
        self.fields["starts"].help_text = "The first week beginning to show, for example 27 3 2026"
        self.fields["ends"].help_text = "The last week beginning to show, for example 27 3 2026"


@dataclass(frozen=True)
class Line:
    """One CPLI as the report reads it: who, what, and how to plan its weeks."""

    council_id: int
    council: str
    client: str
    ss_ref: str
    service: str
    level: str
    reference: str
    unit: str
    step: Decimal  # what the week's plan is rounded to (hours in the council's step)
    rate: Decimal
    is_allocation: bool  # a short break: nights taken as needed, never planned by the week
    plan: Cpli | None  # None where no week is planned (a short break, a line never running)


# The CPLI's fields, then the posted actual's (None where nothing is posted in the dates).
_CPLI_FIELDS = (
    "pk",
    "council_id",
    "council__name",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "service_user__ss_ref",
    "service__name",
    "service_level__name",
    "care_package_reference",
    "unit",
    "rate",
    "quantity",
    "yearly_allocation",
    "start_date",
    "end_date",
    "status",
)
_POSTED_FIELDS = (
    "posted__week_start",
    "posted__planned",
    "posted__actual",
    "posted__frustrated",
    "posted__missed",
    "posted__extra",
    "posted__frustrated_reason",
    "posted__missed_reason",
    "posted__variation_code",
    "posted__planned_cost",
    "posted__cost",
    "posted__does_not_add_up",
    "posted__over_threshold",
    "posted__zero_without_comment",
    "posted__varies_from_fixed",
)


# The rows' order of CPLIs (each CPLI's weeks then in order).
_ORDER = (
    "council__name",
    "council_id",
    "service_user__last_name",
    "service_user__first_name",
    "service_user_id",
    "service__name",
    "service_level__name",
    "pk",
)


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Every week of every CPLI of the provider's planned or posted in the dates: three queries
    (the councils' rulebooks, the lines' units, then the CPLIs joined to their posted weeks),
    however many."""
    assert user.provider_id is not None  # a provider's report (Report.may_use)
    starts: date = filters["starts"]
    ends: date = filters["ends"]
    rulebooks = {
        r.council_id: r for r in _provider_rulebooks(user.provider_id, filters.get("council"))
    }
    # A week is in the report when it begins in the dates: its last day may be six days on.
    posted = FilteredRelation(
        "actuals", condition=Q(actuals__week_start__gte=starts, actuals__week_start__lte=ends)
    )
    cplis = (
        Cpli.objects.filter(provider_id=user.provider_id, council_id__in=list(rulebooks))
        .annotate(posted=posted)
        .filter(running_in(starts, ends + timedelta(days=6)) | Q(posted__isnull=False))
    )
    # Hours, sessions and nights do not add up: the quantities are totalled only in one unit.
    units = set(cplis.order_by().values_list("unit", flat=True).distinct())
    columns = COLUMNS if len(units) <= 1 else _QUANTITIES_UNTOTALLED

    def rows_of(chosen: QuerySet[Cpli]) -> Iterator[Row]:
        values = chosen.order_by(*_ORDER, "posted__week_start").values_list(
            *_CPLI_FIELDS, *_POSTED_FIELDS
        )
        return _rows(values.iterator(chunk_size=2000), rulebooks, starts, ends)

    return Table(
        columns=columns,
        rows=rows_of(cplis),
        notes=_notes(rulebooks.values(), mixed_units=len(units) > 1),
        empty="Nothing was planned or posted for weeks beginning in these dates.",
        paged=CvaPaged(
            cplis=cplis,
            order=_ORDER,
            rulebooks=rulebooks,
            starts=starts,
            ends=ends,
            columns=columns,
            rows_of=rows_of,
        ),
    )


def _notes(rulebooks: Iterable[Rulebook], *, mixed_units: bool) -> list[str]:
    notes = [
        f"{r.council.name}: {r.get_actuals_period_display().lower()} periods, weeks beginning "
        f"on {Weekday(r.actuals_week_start).label}; its rows follow its own rules."
        for r in rulebooks
    ]
    notes.append(
        "A week is shown when it begins on a day from the first date to the last. Difference is "
        "Actual − Pl; a week with nothing posted shows its plan and a difference of minus the "
        "plan. Cost is what the posted week is paid under its council's rules; Planned cost is "
        "Pl at the CPLI's rate."
        + (
            " These lines are in more than one unit (hours, sessions, nights), so only the "
            "costs are totalled."
            if mixed_units
            else ""
        )
    )
    return notes


def _rows(
    values: Iterator[tuple[Any, ...]], rulebooks: Mapping[int, Rulebook], starts: date, ends: date
) -> Iterator[Row]:
    """Each CPLI's weeks in order: its posted weeks and the planned weeks with nothing posted."""
    cpli_width = len(_CPLI_FIELDS)
    for _pk, group in groupby(values, key=lambda each: each[0]):
        rows = list(group)
        rulebook = rulebooks[rows[0][1]]
        line = _line(rows[0][:cpli_width], rulebook)
        posted = {row[cpli_width]: row[cpli_width + 1 :] for row in rows if row[cpli_width]}
        weeks = set(posted)
        if line.plan is not None:
            weeks.update(_planned_weeks(line.plan, rulebook.actuals_week_start, starts, ends))
        for week in sorted(weeks):
            if week in posted:
                yield _posted_row(line, week, posted[week], rulebook)
            else:
                yield _unposted_row(line, week)


@cache
def _unit_labels() -> dict[str, str]:
    return {unit.value: str(unit.label) for unit in Unit}


def _line(cpli: tuple[Any, ...], rulebook: Rulebook) -> Line:
    (
        pk,
        council_id,
        council,
        title,
        first,
        last,
        ss_ref,
        service,
        level,
        reference,
        unit,
        rate,
        quantity,
        allocation,
        start_date,
        end_date,
        status,
    ) = cpli
    # What actuals' own planning rule (planned_for) reads of a CPLI, never saved: not a model
    # instance, which costs more than the rest of the line (thousands of lines a page).
    plan = None
    if allocation is None and status in RUNNING:
        plan = cast(Cpli, WeekPlan(quantity, start_date, end_date))
    return Line(
        council_id=council_id,
        council=council,
        client=" ".join(part for part in (title, first, last) if part),
        ss_ref=ss_ref,
        service=service,
        level=level,
        reference=f"{reference} / CPLI {pk}" if reference else f"CPLI {pk}",
        unit=_unit_labels().get(unit, unit),
        step=rulebook.actuals_hours_step if unit == Unit.HOURS else Decimal("1"),
        rate=rate,
        is_allocation=allocation is not None,
        plan=plan,
    )


def _planned_weeks(cpli: Cpli, week_start: int, starts: date, ends: date) -> Iterator[date]:
    """The council's weeks beginning in the dates on which the line runs at least one day."""
    week = week_of(starts, week_start)
    if week < starts:
        week += WEEK
    last = cpli.end_date
    while week <= ends:
        if cpli.start_date <= week + timedelta(days=6) and (last is None or last >= week):
            yield week
        week += WEEK


def _cells(line: Line, week: date) -> tuple[Any, ...]:
    return (
        line.council,
        week,
        line.client,
        line.ss_ref,
        line.service,
        line.level,
        line.reference,
        line.unit,
    )


def _unposted_row(line: Line, week: date) -> Row:
    assert line.plan is not None  # only a planned week can be missing
    planned = planned_for(line.plan, week, line.step)[0]
    planned_cost = round_money(planned * line.rate)
    reason = NOT_POSTED if week_has_ended(week) else NOT_ENDED
    cells = (
        *_cells(line, week),
        planned,
        None,
        None,
        None,
        None,
        -planned,
        planned_cost,
        None,
        -planned_cost,
        reason,
    )
    return Row(cells, council_id=line.council_id)


def _posted_row(line: Line, week: date, posted: tuple[Any, ...], rulebook: Rulebook) -> Row:
    planned, actual, frustrated, missed, extra, *_, planned_cost, cost = posted[:10]
    cells = (
        *_cells(line, week),
        planned,
        actual,
        frustrated,
        missed,
        extra,
        actual - planned,
        planned_cost,
        cost,
        cost - planned_cost,
        "; ".join(_reasons(line, posted, rulebook)),
    )
    return Row(cells, council_id=line.council_id)


def _reasons(line: Line, posted: tuple[Any, ...], rulebook: Rulebook) -> list[str]:
    """Why a posted week differs from its plan, in the actuals pages' words."""
    (_p, _a, frustrated, missed, extra, frustrated_reason, missed_reason, variation_code) = posted[
        :8
    ]
    does_not_add_up, over_threshold, zero_without_comment, varies_from_fixed = posted[10:]
    reasons = []
    if line.is_allocation:
        reasons.append("Short break: taken as needed, not planned by the week")
    if missed:
        reasons.append(f"Missed: {_MISSED.get(missed_reason, 'no reason given')}")
    if frustrated:
        reasons.append(f"Frustrated: {_FRUSTRATED.get(frustrated_reason, 'no reason given')}")
    if extra:
        reasons.append(
            f"Extra: variation code {variation_code}"
            if variation_code
            else "Extra: no variation code"
        )
    if does_not_add_up:
        reasons.append("Does not add up: Pl − Frstd − Msd + Xtr is not Actual")
    if over_threshold:
        reasons.append(f"Over plan by more than {rulebook.actuals_over_plan_percent}%")
    if zero_without_comment:
        reasons.append("Zero without comment")
    if varies_from_fixed:
        reasons.append("Fixed hours varied")
    return reasons


register(
    Report(
        slug="commissioned-v-actuals",
        title="Commissioned v Actuals",
        summary="The care planned against the actuals posted, per client, CPLI and week, with the differences and their reasons.",
        side="provider",
        group="Actuals",
        form=Filters,
        build=build,
        order=10,
    )
)
