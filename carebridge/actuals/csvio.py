"""Actuals as a CSV file in the layout of the Bradford guide ("Importing/Exporting Actuals using
CSV file"): the export a provider fills in, and the import that saves it through actuals_save.

No client's name is ever written: the SS Ref is how the file identifies a client, as the guide
asks. Every text cell is neutralised so that a spreadsheet cannot run it as a formula, and the
import takes off the one quote the export added, so a file exported and imported again changes
nothing. An import is saved whole or not at all, and reports every problem of every row at once.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO
from typing import NamedTuple

from django.core.exceptions import PermissionDenied

from carebridge.accounts.models import User
from carebridge.actuals import services
from carebridge.actuals.forms import parse_visit_dates
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import WEEK, RuleSource, planned_for, today, week_has_ended
from carebridge.actuals.rules import Entry, shown
from carebridge.contracts.exports import neutralise
from carebridge.contracts.models import Cpli
from carebridge.core.bounds import DATE_OUT_OF_RANGE_MESSAGE, date_in_bounds, has_control_characters
from carebridge.core.formats import guide_date
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.organisations.choices import CsvLayout, FrustratedReason, Weekday
from carebridge.organisations.models import Council, Rulebook

BASIC_COLUMNS = (
    "Service",
    "Service level",
    "SS Ref",
    "Date",
    "Weekly Actual Quantity",
    "Weekly Frustrated Quantity",
    "Weekly Missed Quantity",
    "Weekly Extra Quantity",
    "Weekly Number Of Visits",
    "Comments",
)
REASON_COLUMNS = (*BASIC_COLUMNS, "Frustrated Reason", "Aborted Visit Dates", "Variation Code")
COLUMNS = {CsvLayout.BASIC: BASIC_COLUMNS, CsvLayout.WITH_REASONS: REASON_COLUMNS}

# The column each field's problems point at; the line is found by its SS Ref, the week by Date.
FIELD_COLUMN = {
    "service": 0,
    "service_level": 1,
    "ss_ref": 2,
    "cpli": 2,
    "week": 3,
    "actual": 4,
    "frustrated": 5,
    "missed": 6,
    "extra": 7,
    "visits": 8,
    "comments": 9,
    "frustrated_reason": 10,
    "aborted_visit_dates": 11,
    "variation_code": 12,
}
CELL_FIELD = {column: key for key, column in reversed(FIELD_COLUMN.items())}
# A file without the reason columns points their problems at the quantity they explain.
STAND_IN = {
    "frustrated_reason": "frustrated",
    "aborted_visit_dates": "frustrated",
    "variation_code": "extra",
}
QUANTITIES = ("actual", "frustrated", "missed", "extra")

BYTE_ORDER_MARK = "\ufeff"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# Beyond what a quantity column can hold (7 digits, 2 of them decimals).
QUANTITY_LIMIT = Decimal("100000")
VISITS_LIMIT = 32767
VARIATION_CODE_LENGTH = 30

# ASCII digits only: Decimal and int would also take other scripts' digits.
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_WHOLE = re.compile(r"-?\d+", re.ASCII)
_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", re.ASCII)
# The export writes year/month/day; Excel set to English (UK) saves those cells back as
# day/month/year, so a file round-tripped through Excel has them that way.
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
CONTROL_CHARACTERS_IN_CELL = (
    "Remove the hidden control characters from this cell: retype it, or paste it as plain text"
)

NO_MATCH = (
    "No care package line item of yours matches service, service level and SS Ref for that week"
)
SEVERAL = (
    "More than one care package line item of yours matches service, service level and SS Ref "
    "for that week: enter this week's actuals on the actuals page instead"
)
NEEDS_REASON_COLUMNS = (
    "add the columns Frustrated Reason, Aborted Visit Dates and Variation Code after Comments, "
    "or enter it on the actuals page"
)


# --- Problems -----------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """A spreadsheet's name for a column: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an import, where a spreadsheet would show it: rows are numbered as
    a spreadsheet numbers them (the header is row 1); row 0 is the whole file, column -1 the
    whole row."""

    row: int
    column: int
    message: str
    name: str = ""

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        if self.column < 0:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}, column {column_letter(self.column)} ({self.name}): {self.message}"


class ImportFailed(Exception):
    """The file was not imported, and nothing of it was saved: every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        self.messages = [str(problem) for problem in self.problems]
        super().__init__("; ".join(self.messages[:5]) or "The file was not imported")


def _file_problem(message: str) -> ImportFailed:
    return ImportFailed([Problem(0, -1, message)])


# --- Cells --------------------------------------------------------------------------------------


def unquoted(text: str) -> str:
    """A cell as it was before the export neutralised it: the one quote added is taken off."""
    rest = text[1:]
    if text.startswith("'") and neutralise(rest) != rest:
        return rest
    return text


def _text(cell: str) -> str:
    return unquoted(cell.strip())


def _key(text: str) -> str:
    """What two names must share to be the same: case and runs of spaces do not count."""
    return " ".join(text.split()).casefold()


def _quantity(cell: str, name: str, errors: dict[str, str], key: str) -> Decimal:
    text = cell.strip()
    if not text:
        if key == "actual":
            errors[key] = f"Enter the {name.lower()}"
        return Decimal("0")
    if not _NUMBER.fullmatch(text):
        errors[key] = f"Enter the {name.lower()} as a number, like 3.5"
        return Decimal("0")
    value = Decimal(text)
    if value < 0:
        errors[key] = f"The {name.lower()} cannot be less than 0"
    elif value >= QUANTITY_LIMIT:
        errors[key] = f"The {name.lower()} must be less than {QUANTITY_LIMIT}"
    elif value != value.quantize(Decimal("0.01")):
        errors[key] = f"The {name.lower()} can have at most 2 decimal places"
    return value


def _visits(cell: str, name: str, errors: dict[str, str]) -> int:
    text = cell.strip()
    if not text:
        return 0
    if not _WHOLE.fullmatch(text):
        errors["visits"] = f"Enter the {name.lower()} as a whole number, like 14"
        return 0
    value = int(text)
    if value < 0:
        errors["visits"] = f"The {name.lower()} cannot be less than 0"
    elif value > VISITS_LIMIT:
        errors["visits"] = f"The {name.lower()} must be {VISITS_LIMIT} or fewer"
    return value


def _week(cell: str, errors: dict[str, str]) -> date | None:
    text = cell.strip()
    if not text:
        errors["week"] = "Enter the date of the week's first day, like 2026/11/09"
        return None
    match = _DATE.fullmatch(text)
    uk = None if match else _UK_DATE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        errors["week"] = (
            "Enter the date as year/month/day, like 2026/11/09, or day/month/year, like 09/11/2026"
        )
        return None
    try:
        value = date(year, month, day)
    except ValueError:
        errors["week"] = "The date must be a real date"
        return None
    if not date_in_bounds(value):
        # A week far outside any period would overflow the date arithmetic further on.
        errors["week"] = DATE_OUT_OF_RANGE_MESSAGE
        return None
    return value


def _reason(cell: str, errors: dict[str, str]) -> str:
    text = _key(_text(cell))
    if not text:
        return ""
    for reason in FrustratedReason:
        if text in (_key(reason.value), _key(str(reason.label))):
            return reason.value
    names = ", ".join(str(reason.label) for reason in FrustratedReason)
    errors["frustrated_reason"] = f"Enter a frustrated reason from: {names}"
    return ""


def _visit_dates(cell: str, errors: dict[str, str]) -> tuple[date, ...]:
    # Read as the page reads them, so both store the same dates in the same order.
    dates, message = parse_visit_dates(_text(cell))
    if dates is None:
        errors["aborted_visit_dates"] = message
        return ()
    return dates


def _variation_code(cell: str, errors: dict[str, str]) -> str:
    code = _text(cell)
    if len(code) > VARIATION_CODE_LENGTH:
        errors["variation_code"] = (
            f"The variation code must be {VARIATION_CODE_LENGTH} characters or fewer"
        )
    return code


# --- Reading a file -----------------------------------------------------------------------------


@dataclass
class _Row:
    """One row of the file as read, before it is matched to a CPLI."""

    number: int
    service: str
    level: str
    ss_ref: str
    week: date
    entry: Entry
    has_reasons: bool


def text_of(data: bytes) -> str:
    """The file's text: UTF-8, with or without the byte order mark Excel writes, or Windows-1252,
    which Excel's plain "CSV (Comma delimited)" saves in (an en dash is byte 0x96 there). UTF-8 is
    tried first: a UTF-8 file is never valid Windows-1252 by accident of its multi-byte letters
    being read as two, because it is read as UTF-8 whenever it can be."""
    if len(data) > MAX_BYTES:
        raise _file_problem("The selected file must be smaller than 10 MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise _file_problem(
            "The file must be a CSV file saved as CSV UTF-8 or as Excel's CSV (Comma delimited)"
        ) from None


def _layout_of(header: list[str]) -> str | None:
    names = [_key(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    for layout, columns in COLUMNS.items():
        if names == [_key(column) for column in columns]:
            return layout
    return None


def _wrong_header() -> ImportFailed:
    return _file_problem(
        "The first row of the file must name its columns: "
        f"{', '.join(BASIC_COLUMNS)}; and, if you enter reasons, "
        f"{', '.join(REASON_COLUMNS[len(BASIC_COLUMNS) :])} after them"
    )


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(StringIO(text))
    try:
        yield from reader
    except csv.Error as error:
        raise _file_problem(
            f"The file cannot be read as CSV (near line {reader.line_num}): {error}"
        ) from None


def _read_row(number: int, cells: list[str], columns: Sequence[str]) -> tuple[_Row | None, dict]:
    """A row's values and what is wrong with them, field by field."""
    errors: dict[str, str] = {}
    cells = cells + [""] * (len(columns) - len(cells))
    service, level, ss_ref = (_text(cell) for cell in cells[:3])
    for key, value, what in (
        ("service", service, "Enter the service"),
        ("service_level", level, "Enter the service level"),
        ("ss_ref", ss_ref, "Enter the client's SS Ref"),
    ):
        if not value:
            errors[key] = what
    week = _week(cells[3], errors)
    amounts = {
        key: _quantity(cells[FIELD_COLUMN[key]], columns[FIELD_COLUMN[key]], errors, key)
        for key in QUANTITIES
    }
    visits = _visits(cells[8], columns[8], errors)
    has_reasons = len(columns) == len(REASON_COLUMNS)
    reason, code = "", ""
    dates: tuple[date, ...] = ()
    if has_reasons:
        reason = _reason(cells[10], errors)
        dates = _visit_dates(cells[11], errors)
        code = _variation_code(cells[12], errors)
    for column, key in CELL_FIELD.items():
        # PostgreSQL cannot store a NUL, and no other control character is ever typed: the
        # cell is refused whatever else is wrong with it.
        if column < len(columns) and has_control_characters(cells[column]):
            errors[key] = CONTROL_CHARACTERS_IN_CELL
    if errors or week is None:
        return None, errors
    entry = Entry(
        visits=visits,
        frustrated_reason=reason,
        aborted_visit_dates=dates,
        variation_code=code,
        comments=_text(cells[9]),
        **amounts,
    )
    return _Row(number, service, level, ss_ref, week, entry, has_reasons), errors


def _problems(number: int, errors: dict[str, str], columns: Sequence[str]) -> list[Problem]:
    found = []
    for key, message in errors.items():
        column = FIELD_COLUMN.get(key, -1)
        text = message
        if column >= len(columns):
            # Only a rule about a reason column the file does not have can land here.
            named = REASON_COLUMNS[column]
            column = FIELD_COLUMN[STAND_IN[key]]
            text = f"{message} (this file has no {named} column: {NEEDS_REASON_COLUMNS})"
        name = columns[column] if column >= 0 else ""
        found.append(Problem(number, column, text, name))
    return found


class _Line(NamedTuple):
    pk: int
    council_id: int
    start: date
    end: date | None


def _lines_of(
    provider_id: int, council_id: int | None, rows: list[_Row]
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
        found[(_key(service), _key(level), _key(ss_ref))].append(
            _Line(pk, line_council, start, end)
        )
    return found


def _weekday(day: int) -> str:
    return str(Weekday(day).label)


def _match(
    row: _Row, lines: list[_Line], rulebooks: dict[int, Rulebook]
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
    """What is stored for the reason columns of these (CPLI, week)s: a file without those
    columns leaves them as they are."""
    found: dict[tuple[int, date], tuple] = {}
    ids = sorted({cpli_id for cpli_id, _week in pairs})
    weeks = {week for _cpli, week in pairs}
    for start in range(0, len(ids), 900):
        for cpli_id, week, reason, dates, code in Actual.objects.filter(
            cpli_id__in=ids[start : start + 900], week_start__in=weeks
        ).values_list(
            "cpli_id", "week_start", "frustrated_reason", "aborted_visit_dates", "variation_code"
        ):
            found[(cpli_id, week)] = (reason, tuple(date.fromisoformat(d) for d in dates), code)
    return found


def _without_reason_columns(
    row: _Row, line: _Line, stored: tuple | None, rulebook: Rulebook
) -> tuple[Entry, dict[str, str]]:
    """A row of a file without the reason columns: the reason, visit dates and variation code
    stay as stored; a new frustrated quantity takes the council's only reason, if it has one."""
    entry = row.entry
    reason, dates, code = stored or ("", (), "")
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
        Entry(
            actual=entry.actual,
            frustrated=entry.frustrated,
            missed=entry.missed,
            extra=entry.extra,
            visits=entry.visits,
            frustrated_reason=reason,
            aborted_visit_dates=dates,
            variation_code=code,
            comments=entry.comments,
        ),
        {},
    )


def _read_file(text: str) -> tuple[str, Sequence[str], list[_Row], list[Problem]]:
    """The file's layout (by its header), its columns, the rows that could be read, and what
    is wrong with the others."""
    text = text.removeprefix(BYTE_ORDER_MARK)
    if not text.strip():
        raise _file_problem("The selected file is empty")
    records = _records(text)
    try:
        header = next(records, None)
    except ImportFailed:
        header = None  # not even its first row is CSV
    layout = _layout_of(header) if header is not None else None
    if layout is None:
        raise _wrong_header()
    columns = COLUMNS[CsvLayout(layout)]
    problems: list[Problem] = []
    rows: list[_Row] = []
    count = 0
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _file_problem(
                f"The file has more than {MAX_ROWS:,} rows of actuals: split it into files of "
                f"{MAX_ROWS:,} rows or fewer"
            )
        if any(cell.strip() for cell in cells[len(columns) :]):
            message = f"The row has {len(cells)} cells but the file has {len(columns)} columns"
            problems.append(Problem(number, -1, message))
            continue
        row, errors = _read_row(number, cells, columns)
        problems += _problems(number, errors, columns)
        if row is not None:
            rows.append(row)
    if not count:
        raise _file_problem("The file has no actuals: it only has the names of the columns")
    return layout, columns, rows, problems


def _items(
    provider_id: int, council_id: int | None, layout: str, columns: Sequence[str], rows: list[_Row]
) -> tuple[list[services.Item], list[Problem]]:
    """Each row matched to one of the provider's CPLIs with the council, as an item to save."""
    problems: list[Problem] = []
    lines = _lines_of(provider_id, council_id, rows)
    council_ids = {line.council_id for found in lines.values() for line in found}
    rulebooks = {r.council_id: r for r in Rulebook.objects.filter(council_id__in=council_ids)}
    matched: list[tuple[_Row, _Line]] = []
    for row in rows:
        key = (_key(row.service), _key(row.level), _key(row.ss_ref))
        line, errors = _match(row, lines.get(key, []), rulebooks)
        problems += _problems(row.number, errors, columns)
        if line is not None:
            matched.append((row, line))

    stored: dict[tuple[int, date], tuple] = {}
    if layout == CsvLayout.BASIC:
        stored = _stored_reasons(
            {
                (line.pk, row.week)
                for row, line in matched
                if row.entry.frustrated > 0 or row.entry.extra > 0
            }
        )
    items = []
    for row, line in matched:
        entry = row.entry
        if not row.has_reasons:
            entry, errors = _without_reason_columns(
                row, line, stored.get((line.pk, row.week)), rulebooks[line.council_id]
            )
            if errors:
                problems += _problems(row.number, errors, columns)
                continue
        items.append(
            services.Item(cpli_id=line.pk, week_start=row.week, entry=entry, ref=row.number)
        )
    return items, problems


def import_rows(user: User, text: str, *, council_id: int | None = None) -> services.Saved:
    """Import a file's text as the user's provider, for one council (the only one it has lines
    with, or the one named): every row checked, all saved or none. Raises ImportFailed with
    every problem found (nothing saved)."""
    if user.provider_id is None or not can_edit(user.role, Function.ACTUALS):
        raise PermissionDenied("Only a provider's own staff can import its actuals.")
    councils = _councils_of(user.provider_id)
    if council_id is None and len(councils) <= 1:
        # Without lines at all, every row is simply not matched, as for another's line.
        council_id = next(iter(councils), None)
    elif council_id not in councils:
        # Two councils' lines can share a service, a service level's name and even an SS Ref:
        # the file's rows are matched to one council's lines only, never guessed between.
        raise _file_problem("Choose the council whose actuals the file holds")
    layout, columns, rows, problems = _read_file(text)
    items, unmatched = _items(user.provider_id, council_id, layout, columns, rows)
    return _save(user, items, problems + unmatched, columns)


def _save(
    user: User, items: list[services.Item], problems: list[Problem], columns: Sequence[str]
) -> services.Saved:
    """Save the rows, or, if any row could not be read, only check the others: the rules'
    problems and the reading problems are reported together, and nothing is saved."""
    if not items:
        raise ImportFailed(problems)
    try:
        # With rows that could not be read, the rest are only checked: nothing is written.
        saved = services.actuals_save(user, items, source="csv", dry_run=bool(problems))
    except services.ActualsInvalid as invalid:
        for ref, errors in invalid.errors.items():
            assert isinstance(ref, int)
            problems += _problems(ref, errors, columns)
    except services.ActualsRefused as refused:
        raise _file_problem(refused.message) from None
    if problems:
        raise ImportFailed(problems)
    return saved


def import_bytes(user: User, data: bytes, *, council_id: int | None = None) -> services.Saved:
    """Import an uploaded file's bytes (see import_rows)."""
    return import_rows(user, text_of(data), council_id=council_id)


# --- Writing a file -----------------------------------------------------------------------------


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


def _councils_of(provider_id: int) -> set[int]:
    return set(
        Cpli.objects.filter(provider_id=provider_id, status__in=services.RUNNING)
        .order_by()
        .values_list("council_id", flat=True)
        .distinct()
    )


def councils_of(user: User) -> list[tuple[int, str]]:
    """The councils the user's provider has lines with, by name: whose files it may import."""
    if user.provider_id is None:
        return []
    return list(
        Council.objects.filter(pk__in=_councils_of(user.provider_id))
        .order_by("name")
        .values_list("pk", "name")
    )


def export_periods(user: User, *, on: date | None = None) -> list[ExportPeriod]:
    """The periods with a week that has ended, of every council the provider has lines with,
    newest first (the same dates at two councils are two choices, each naming its council)."""
    if user.provider_id is None:
        return []
    council_ids = _councils_of(user.provider_id)
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
