"""Reading an imported file: its text, its header, each row's cells. No row is matched to a CPLI
here, and nothing is saved."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO

from carebridge.actuals.csvio.layout import (
    BASIC_COLUMNS,
    BYTE_ORDER_MARK,
    CELL_FIELD,
    COLUMNS,
    FIELD_COLUMN,
    MAX_BYTES,
    MAX_ROWS,
    QUANTITIES,
    QUANTITY_LIMIT,
    REASON_COLUMNS,
    VARIATION_CODE_LENGTH,
    VISITS_LIMIT,
)
from carebridge.actuals.csvio.problems import CsvImportFailed, Problem, file_problem, problems_of
from carebridge.actuals.forms import parse_visit_dates
from carebridge.actuals.rules import Entry
from carebridge.contracts.exports import neutralise
from carebridge.core.bounds import DATE_OUT_OF_RANGE_MESSAGE, date_in_bounds, has_control_characters
from carebridge.organisations.choices import CsvLayout, FrustratedReason

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


# What a provider is told of a file that is not text: how to save it so that it is.
NOT_CSV = "The file must be a CSV file saved as CSV UTF-8 or as Excel's CSV (Comma delimited)"


def unquoted(text: str) -> str:
    """A cell as it was before the export neutralised it: the one quote added is taken off."""
    rest = text[1:]
    if text.startswith("'") and neutralise(rest) != rest:
        return rest
    return text


def cell_text(cell: str) -> str:
    return unquoted(cell.strip())


def name_key(text: str) -> str:
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
    text = name_key(cell_text(cell))
    if not text:
        return ""
    for reason in FrustratedReason:
        if text in (name_key(reason.value), name_key(str(reason.label))):
            return reason.value
    names = ", ".join(str(reason.label) for reason in FrustratedReason)
    errors["frustrated_reason"] = f"Enter a frustrated reason from: {names}"
    return ""


def _visit_dates(cell: str, errors: dict[str, str]) -> tuple[date, ...]:
    # Read as the page reads them, so both store the same dates in the same order.
    dates, message = parse_visit_dates(cell_text(cell))
    if dates is None:
        errors["aborted_visit_dates"] = message
        return ()
    return dates


def _variation_code(cell: str, errors: dict[str, str]) -> str:
    code = cell_text(cell)
    if len(code) > VARIATION_CODE_LENGTH:
        errors["variation_code"] = (
            f"The variation code must be {VARIATION_CODE_LENGTH} characters or fewer"
        )
    return code


@dataclass
class FileRow:
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
        raise file_problem("The selected file must be smaller than 10 MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise file_problem(NOT_CSV) from None


def _layout_of(header: list[str]) -> str | None:
    names = [name_key(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    for layout, columns in COLUMNS.items():
        if names == [name_key(column) for column in columns]:
            return layout
    return None


def _wrong_header() -> CsvImportFailed:
    return file_problem(
        "The first row of the file must name its columns: "
        f"{', '.join(BASIC_COLUMNS)}; and, if you enter reasons, "
        f"{', '.join(REASON_COLUMNS[len(BASIC_COLUMNS) :])} after them"
    )


def _records(text: str) -> Iterator[list[str]]:
    reader = csv.reader(StringIO(text))
    try:
        yield from reader
    except csv.Error as error:
        raise file_problem(
            f"The file cannot be read as CSV (near line {reader.line_num}): {error}"
        ) from None


def _read_row(number: int, cells: list[str], columns: Sequence[str]) -> tuple[FileRow | None, dict]:
    """A row's values and what is wrong with them, field by field."""
    errors: dict[str, str] = {}
    cells = cells + [""] * (len(columns) - len(cells))
    service, level, ss_ref = (cell_text(cell) for cell in cells[:3])
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
        actual=amounts["actual"],
        frustrated=amounts["frustrated"],
        missed=amounts["missed"],
        extra=amounts["extra"],
        visits=visits,
        frustrated_reason=reason,
        aborted_visit_dates=dates,
        variation_code=code,
        comments=cell_text(cells[9]),
    )
    return FileRow(number, service, level, ss_ref, week, entry, has_reasons), errors


def read_file(text: str) -> tuple[str, Sequence[str], list[FileRow], list[Problem]]:
    """The file's layout (by its header), its columns, the rows that could be read, and what
    is wrong with the others."""
    text = text.removeprefix(BYTE_ORDER_MARK)
    if not text.strip():
        raise file_problem("The selected file is empty")
    records = _records(text)
    try:
        header = next(records, None)
    except CsvImportFailed:
        header = None  # not even its first row is CSV
    layout = _layout_of(header) if header is not None else None
    if layout is None:
        raise _wrong_header()
    columns = COLUMNS[CsvLayout(layout)]
    problems: list[Problem] = []
    rows: list[FileRow] = []
    count = 0
    for number, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise file_problem(
                f"The file has more than {MAX_ROWS:,} rows of actuals: split it into files of "
                f"{MAX_ROWS:,} rows or fewer"
            )
        if any(cell.strip() for cell in cells[len(columns) :]):
            message = f"The row has {len(cells)} cells but the file has {len(columns)} columns"
            problems.append(Problem(number, -1, message))
            continue
        row, errors = _read_row(number, cells, columns)
        problems += problems_of(number, errors, columns)
        if row is not None:
            rows.append(row)
    if not count:
        raise file_problem("The file has no actuals: it only has the names of the columns")
    return layout, columns, rows, problems
