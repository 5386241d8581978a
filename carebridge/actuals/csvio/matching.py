"""Matching each row read to one of the provider's CPLIs with the council, by service, service
level and SS Ref, as an item to save."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import NamedTuple

from carebridge.actuals import services
from carebridge.actuals.csvio.layout import (
    NEEDS_REASON_COLUMNS,
    NO_MATCH,
    SEVERAL,
)
from carebridge.actuals.csvio.problems import Problem, problems_of
from carebridge.actuals.csvio.reading import FileRow, name_key
from carebridge.actuals.models import Actual
from carebridge.actuals.periods import WEEK
from carebridge.actuals.rules import Entry
from carebridge.contracts.models import Cpli
from carebridge.organisations.choices import CsvLayout, Weekday
from carebridge.organisations.models import Rulebook


class _Line(NamedTuple):
    pk: int
    council_id: int
    start: date
    end: date | None


def _lines_of(
    provider_id: int, council_id: int | None, rows: list[FileRow]
) -> dict[tuple[str, str, str], list[_Line]]:
    """The provider's CPLIs with the council running in the file's weeks, by (service, service
    level, SS Ref). Another provider's or council's line is never here, so a row about it is
    simply not matched."""
    if not rows or council_id is None:
        return {}
    first = min(row.week for row in rows)
    last = max(row.week for row in rows) + WEEK - timedelta(days=1)
    found: dict[tuple[str, str, str], list[_Line]] = defaultdict(list)
    for pk, line_council, service, level, ss_ref, start, end in (
        Cpli.objects.filter(provider_id=provider_id, council_id=council_id)
        .filter(services.running_in(first, last))
        .order_by()
        .values_list(
            "pk",
            "council_id",
            "service__name",
            "service_level__name",
            "service_user__ss_ref",
            "start_date",
            "end_date",
        )
    ):
        found[(name_key(service), name_key(level), name_key(ss_ref))].append(
            _Line(pk, line_council, start, end)
        )
    return found


def _weekday(day: int) -> str:
    return str(Weekday(day).label)


def _match(
    row: FileRow, lines: list[_Line], rulebooks: dict[int, Rulebook]
) -> tuple[_Line | None, dict[str, str]]:
    if not lines:
        return None, {"cpli": NO_MATCH}
    starts = {rulebooks[line.council_id].actuals_week_start for line in lines}
    if row.week.weekday() not in starts:
        first = _weekday(min(starts))
        return None, {
            "week": (
                f"The date must be the first day of the week, a {first}: "
                f"{row.week:%Y/%m/%d} is a {_weekday(row.week.weekday())}"
            )
        }
    last = row.week + WEEK - timedelta(days=1)
    running = [
        line
        for line in lines
        if line.start <= last
        and (line.end is None or line.end >= row.week)
        and rulebooks[line.council_id].actuals_week_start == row.week.weekday()
    ]
    if not running:
        return None, {"cpli": NO_MATCH}
    if len(running) > 1:
        return None, {"cpli": SEVERAL}
    return running[0], {}


def _stored_reasons(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], tuple]:
    """What is stored for the reason columns of these (CPLI, week)s, and their missed reason: a
    file without those columns leaves them as they are."""
    found: dict[tuple[int, date], tuple] = {}
    ids = sorted({cpli_id for cpli_id, _week in pairs})
    weeks = {week for _cpli, week in pairs}
    for start in range(0, len(ids), 900):
        for cpli_id, week, reason, dates, code, missed_reason in Actual.objects.filter(
            cpli_id__in=ids[start : start + 900], week_start__in=weeks
        ).values_list(
            "cpli_id",
            "week_start",
            "frustrated_reason",
            "aborted_visit_dates",
            "variation_code",
            "missed_reason",
        ):
            found[(cpli_id, week)] = (
                reason,
                tuple(date.fromisoformat(d) for d in dates),
                code,
                missed_reason,
            )
    return found


def _with_stored_missed_reason(entry: Entry, stored: tuple | None) -> Entry:
    """No layout has a Missed Reason column: adding one would break every council's existing
    files (a file's header must be one layout's exactly). A file's missed quantity keeps the
    reason entered on the page; without one it is paid nothing of Msd, as before reasons."""
    if entry.missed <= 0 or stored is None or not stored[3]:
        return entry
    return replace(entry, missed_reason=stored[3])


def _without_reason_columns(
    row: FileRow, line: _Line, stored: tuple | None, rulebook: Rulebook
) -> tuple[Entry, dict[str, str]]:
    """A row of a file without the reason columns: the reason, visit dates and variation code
    stay as stored; a new frustrated quantity takes the council's only reason, if it has one."""
    entry = row.entry
    reason, dates, code = stored[:3] if stored is not None else ("", (), "")
    if entry.frustrated > 0 and not reason:
        allowed = rulebook.frustrated_reasons()
        if len(allowed) == 1:
            (reason,) = allowed
        elif rulebook.actuals_csv_layout == CsvLayout.WITH_REASONS:
            return entry, {
                "frustrated": (
                    f"A frustrated quantity needs a reason, and {rulebook.council}'s layout has "
                    "a Frustrated Reason column for it: export the file again and enter the "
                    "reason there, or enter it on the actuals page"
                )
            }
        else:
            return entry, {
                "frustrated": (
                    "A frustrated quantity needs a reason, and this file has no Frustrated "
                    f"Reason column: {NEEDS_REASON_COLUMNS}"
                )
            }
    return (
        replace(entry, frustrated_reason=reason, aborted_visit_dates=dates, variation_code=code),
        {},
    )


def items_of(
    provider_id: int,
    council_id: int | None,
    layout: str,
    columns: Sequence[str],
    rows: list[FileRow],
) -> tuple[list[services.Item], list[Problem]]:
    """Each row matched to one of the provider's CPLIs with the council, as an item to save."""
    problems: list[Problem] = []
    lines = _lines_of(provider_id, council_id, rows)
    council_ids = {line.council_id for found in lines.values() for line in found}
    rulebooks = {r.council_id: r for r in Rulebook.objects.filter(council_id__in=council_ids)}
    matched: list[tuple[FileRow, _Line]] = []
    for row in rows:
        key = (name_key(row.service), name_key(row.level), name_key(row.ss_ref))
        line, errors = _match(row, lines.get(key, []), rulebooks)
        problems += problems_of(row.number, errors, columns)
        if line is not None:
            matched.append((row, line))

    basic = layout == CsvLayout.BASIC
    stored = _stored_reasons(
        {
            (line.pk, row.week)
            for row, line in matched
            if row.entry.missed > 0 or (basic and (row.entry.frustrated > 0 or row.entry.extra > 0))
        }
    )
    items = []
    for row, line in matched:
        entry = _with_stored_missed_reason(row.entry, stored.get((line.pk, row.week)))
        if not row.has_reasons:
            entry, errors = _without_reason_columns(
                replace(row, entry=entry),
                line,
                stored.get((line.pk, row.week)),
                rulebooks[line.council_id],
            )
            if errors:
                problems += problems_of(row.number, errors, columns)
                continue
        items.append(
            services.Item(
                cpli_id=line.pk,
                week_start=row.week,
                entry=entry,
                ref=row.number,
                missed_reason_asked=False,
            )
        )
    return items, problems


def councils_with_lines(provider_id: int) -> set[int]:
    return set(
        Cpli.objects.filter(provider_id=provider_id, status__in=services.RUNNING)
        .order_by()
        .values_list("council_id", flat=True)
        .distinct()
    )
