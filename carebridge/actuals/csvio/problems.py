"""What is wrong with an imported file, where a spreadsheet would show it: every problem of every
row, reported at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carebridge.actuals.csvio.layout import (
    FIELD_COLUMN,
    NEEDS_REASON_COLUMNS,
    REASON_COLUMNS,
    STAND_IN,
)


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


class CsvImportFailed(Exception):
    """The file was not imported, and nothing of it was saved: every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        self.messages = [str(problem) for problem in self.problems]
        super().__init__("; ".join(self.messages[:5]) or "The file was not imported")


def file_problem(message: str) -> CsvImportFailed:
    return CsvImportFailed([Problem(0, -1, message)])


def problems_of(number: int, errors: dict[str, str], columns: Sequence[str]) -> list[Problem]:
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
