"""Reading what a provider typed into the actuals rows: each row's inputs are named
"<CPLI id>-<field>", so one form holds a page of clients and saves them together."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from carebridge.actuals.rules import ENTERED, LABELS, Entry
from carebridge.core.bounds import (
    CONTROL_CHARACTERS_MESSAGE,
    DATE_OUT_OF_RANGE_MESSAGE,
    date_in_bounds,
    has_control_characters,
)

ROW_FIELDS = ENTERED
_NUMBER = re.compile(r"^\d{1,5}(\.\d{1,2})?$")
_DATE_SPLIT = re.compile(r"[,;\s]+")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def field_name(cpli_id: int, name: str) -> str:
    return f"line{cpli_id}-{name}"


def _quantity(text: str, label: str) -> tuple[Decimal | None, str]:
    text = text.strip()
    if not text:
        return Decimal("0"), ""
    if not _NUMBER.match(text):
        return None, f"Enter {label} as a number, like 3.25"
    try:
        return Decimal(text), ""
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None, f"Enter {label} as a number, like 3.25"


def parse_visit_dates(text: str) -> tuple[tuple[date, ...] | None, str]:
    """ "14/01/2020, 16/01/2020" (commas, semicolons or spaces between) as dates."""
    found = []
    for part in _DATE_SPLIT.split(text.strip()):
        if not part:
            continue
        match = _DATE.match(part)
        try:
            if match is None:
                raise ValueError(part)
            day, month, year = (int(value) for value in match.groups())
            found.append(date(year, month, day))
        except ValueError:
            return None, "Enter each aborted visit date like 14/01/2020, separated by commas"
        if not date_in_bounds(found[-1]):
            return None, f"Aborted visit dates: {DATE_OUT_OF_RANGE_MESSAGE.lower()}"
    return tuple(sorted(set(found))), ""


def parse_rows(
    data: Mapping[str, Any], cpli_ids: Iterable[int]
) -> tuple[dict[int, Entry], dict[int, dict[str, str]]]:
    """Each posted row as an Entry, and the rows' typing errors. A row whose inputs were all
    left empty (a line with no actual yet that the provider did not touch) is left out."""
    entries: dict[int, Entry] = {}
    errors: dict[int, dict[str, str]] = {}
    for cpli_id in cpli_ids:
        raw = {name: str(data.get(field_name(cpli_id, name), "")) for name in ROW_FIELDS}
        if not any(raw[name].strip() for name in ROW_FIELDS):
            continue
        wrong: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name in ("actual", "frustrated", "missed", "extra"):
            value, message = _quantity(raw[name], LABELS[name])
            if message:
                wrong[name] = message
            values[name] = value
        visits = raw["visits"].strip() or "0"
        if not visits.isdigit() or len(visits) > 4:
            wrong["visits"] = "Enter Vst as a whole number of visits"
        dates, message = parse_visit_dates(raw["aborted_visit_dates"])
        if message:
            wrong["aborted_visit_dates"] = message
        if len(raw["comments"]) > 2000:
            wrong["comments"] = "Comments must be 2,000 characters or fewer"
        if len(raw["variation_code"].strip()) > 30:
            wrong["variation_code"] = "The variation code must be 30 characters or fewer"
        for name in (
            "comments",
            "variation_code",
            "aborted_visit_dates",
            "frustrated_reason",
            "missed_reason",
        ):
            # PostgreSQL cannot store a NUL; no other control character is ever typed.
            if has_control_characters(raw[name]):
                wrong[name] = CONTROL_CHARACTERS_MESSAGE
        if wrong:
            errors[cpli_id] = wrong
            continue
        entries[cpli_id] = Entry(
            actual=values["actual"],
            frustrated=values["frustrated"],
            missed=values["missed"],
            extra=values["extra"],
            visits=int(visits),
            frustrated_reason=raw["frustrated_reason"].strip(),
            missed_reason=raw["missed_reason"].strip(),
            aborted_visit_dates=dates or (),
            variation_code=raw["variation_code"].strip(),
            comments=raw["comments"].strip(),
        )
    return entries, errors
