"""Bounds on every value that comes in from a URL, form, file or API.

Each check is written once here and used by forms, question pages, CSV imports and the API, so a
value that one entry point refuses is refused by all of them.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError

# C0 controls and DEL, except tab, line feed and carriage return (which multi-line text keeps).
# PostgreSQL cannot store NUL in text at all; the others are never typed by a person and only
# arrive by tampering or a broken paste.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS_MESSAGE = (
    "Remove the hidden control characters from this answer: retype it, or paste it as plain text"
)

# Dates people and files give us: care records start after 1900 and nothing is planned past 2100.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
EARLIEST_DATE = date(EARLIEST_YEAR, 1, 1)
LATEST_DATE = date(LATEST_YEAR, 12, 31)
DATE_OUT_OF_RANGE_MESSAGE = f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}"


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL_CHARACTERS.search(value))


def refuse_control_characters(value: object) -> None:
    """A Django validator: text with a control character (NUL and the like) is refused."""
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def date_in_bounds(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def refuse_date_out_of_bounds(value: object) -> None:
    """A Django validator: a date before 1900 or after 2100 is refused."""
    if isinstance(value, date) and not date_in_bounds(value):
        raise ValidationError(DATE_OUT_OF_RANGE_MESSAGE, code="date_out_of_range")


def parse_iso_date(text: str | None) -> date | None:
    """A `YYYY-MM-DD` date from a URL parameter, or None when it is missing, malformed or out of
    bounds: views then fall back to their default or answer 404, never 500."""
    if not text or len(text) != 10:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if date_in_bounds(value) else None


# The largest id a database integer column (SQLite's, PostgreSQL's bigint) can hold.
LARGEST_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """A whole number from a URL or form parameter (an id, a count), or None when it is missing,
    not plain digits, or beyond what the database holds. `str.isdigit` is not enough: "²" is a
    digit to it but not to `int`, and 40 nines overflow the database driver."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    value = int(text[:20])
    return value if len(text) <= 19 and value <= LARGEST_ID else None
