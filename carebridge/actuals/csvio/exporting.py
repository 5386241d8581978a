"""Exporting a council's period as a file for the provider to fill in: its actuals, or each
line's plan where it has none. No client's name is ever read."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied

from carebridge.accounts.models import User
from carebridge.actuals import services
from carebridge.actuals.csvio.layout import (
    BASIC_COLUMNS,
    REASON_COLUMNS,
)
from carebridge.actuals.csvio.matching import councils_with_lines
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import WEEK, RuleSource, planned_for, week_has_ended
from carebridge.actuals.rules import shown
from carebridge.contracts.exports import neutralise
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.choices import CsvLayout, FrustratedReason
from carebridge.organisations.models import Rulebook


@dataclass(frozen=True)
class ExportPeriod:
    """A choice of weeks to export: one period of one council. A file holds one council's lines
    in that council's layout, and says whose they are, even where two councils' periods share
    their dates."""

    council_id: int
    council_name: str
    council_slug: str
    start: date
    end: date

    @property
    def value(self) -> str:
        return f"{self.council_id}_{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def label(self) -> str:
        return f"{guide_date(self.start)} to {guide_date(self.end)}, {self.council_name}"

    @property
    def file_name(self) -> str:
        return f"actuals-{self.council_slug}-{self.start.isoformat()}-to-{self.end.isoformat()}.csv"


def export_periods(user: User, *, on: date | None = None) -> list[ExportPeriod]:
    """The periods with a week that has ended, of every council the provider has lines with,
    newest first (the same dates at two councils are two choices, each naming its council)."""
    if user.provider_id is None:
        return []
    council_ids = councils_with_lines(user.provider_id)
    day = on or today()
    return [
        ExportPeriod(council_id, name, slug, start, end)
        for council_id, name, slug, start, end in Period.objects.filter(
            council_id__in=council_ids, start_date__lte=day - WEEK
        )
        .order_by("-start_date", "council__name")
        .values_list("council_id", "council__name", "council__slug", "start_date", "end_date")
    ]


def export_client_count(
    user: User, *, council_id: int, start: date, end: date, service_id: int | None = None
) -> int:
    """How many clients an export from start to end can name (those with a care package line
    running then): its audit event says so, as it cannot count rows it has not streamed yet."""
    if user.provider_id is None:
        return 0
    lines = Cpli.objects.filter(provider_id=user.provider_id, council_id=council_id)
    if service_id is not None:
        lines = lines.filter(service_id=service_id)
    return lines.filter(services.running_in(start, end)).values("service_user").distinct().count()


def _weeks_of(rulebook: Rulebook, start: date, end: date, day: date) -> Iterator[date]:
    """The council's weeks that start from start to end and have ended by the day."""
    week = start + timedelta(days=(rulebook.actuals_week_start - start.weekday()) % 7)
    while week <= end and week_has_ended(week, day):
        yield week
        week += WEEK


def _row_of(
    cpli: Cpli, week: date, actual: Actual | None, source: RuleSource, with_reasons: bool
) -> list[str] | None:
    cells = [
        neutralise(cpli.service.name),
        neutralise(cpli.service_level.name),
        neutralise(cpli.service_user.ss_ref),
        f"{week:%Y/%m/%d}",
    ]
    if actual is not None:
        cells += [
            shown(actual.actual),
            shown(actual.frustrated),
            shown(actual.missed),
            shown(actual.extra),
            str(actual.visits),
            neutralise(actual.comments),
        ]
        if with_reasons:
            reason = actual.frustrated_reason
            cells += [
                neutralise(str(FrustratedReason(reason).label)) if reason else "",
                ", ".join(guide_date(date.fromisoformat(d)) for d in actual.aborted_visit_dates),
                neutralise(actual.variation_code),
            ]
        return cells
    if cpli.is_allocation:
        return None  # a short break is not planned week by week: only its actuals are shown
    planned, visits = planned_for(cpli, week, source.rules(cpli, week).step)
    cells += [shown(planned), "0", "0", "0", str(visits), ""]
    if with_reasons:
        cells += ["", "", ""]
    return cells


# Only what a row needs: a client's name is never even read.
_CPLI_FIELDS = (
    "pk",
    "council_id",
    "provider_id",
    "quantity",
    "unit",
    "rate",
    "visits",
    "yearly_allocation",
    "start_date",
    "end_date",
    "service__name",
    "service_level__name",
    "service_level__hospital_retainer_weeks",
    "service_level__extras_allowed",
    "service_level__fixed_hours",
    "service_user__ss_ref",
)


def export_rows(
    user: User, *, council_id: int, start: date, end: date, service_id: int | None = None
) -> Iterator[list[str]]:
    """The header of the council's layout, then a row for each of the council's CPLIs of the
    user's provider running in each ended week from start to end (at one service, or all): its
    actual if it has one, else its plan with blank comments for the provider to fill in. Only
    that council's lines: another council's have their own periods, layout and file."""
    if user.provider_id is None or not can_view(user.role, Function.ACTUALS):
        raise PermissionDenied("Only a provider's own staff can export its actuals.")
    provider_id = user.provider_id
    lines = Cpli.objects.filter(provider_id=provider_id, council_id=council_id)
    if service_id is not None:
        lines = lines.filter(service_id=service_id)
    source = RuleSource.load({council_id})
    rulebook = source.rulebooks[council_id]
    with_reasons = rulebook.actuals_csv_layout == CsvLayout.WITH_REASONS
    yield list(REASON_COLUMNS if with_reasons else BASIC_COLUMNS)

    for week in _weeks_of(rulebook, start, end, today()):
        running = (
            lines.filter(services.running_in(week, week + WEEK - timedelta(days=1)))
            .select_related("service", "service_level", "service_user")
            .only(*_CPLI_FIELDS)
            .order_by("service__name", "service_user__ss_ref", "service_level__name", "pk")
        )
        actuals = {
            actual.cpli_id: actual
            for actual in Actual.objects.filter(
                provider_id=provider_id, week_start=week, cpli__in=running.values("pk")
            )
        }
        for cpli in running.iterator(chunk_size=2000):
            row = _row_of(cpli, week, actuals.get(cpli.pk), source, with_reasons)
            if row is not None:
                yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(
    user: User, *, council_id: int, start: date, end: date, service_id: int | None = None
) -> Iterator[str]:
    """The export as CSV text, a few hundred lines at a time so a big file streams."""
    writer = csv.writer(_Echo())
    lines: list[str] = []
    for row in export_rows(
        user, council_id=council_id, start=start, end=end, service_id=service_id
    ):
        lines.append(writer.writerow(row))
        if len(lines) >= 500:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
