"""Answers to the front door's questions: which pages apply, checking one page's answer, and
what check your answers shows.

Answers: a mapping of question id to a string (radios, text, e-mail, phone, postcode, and dates
as ISO "1941-03-03") or a list of strings (checkboxes). An optional page left blank is stored as
"" (or []) so that `first_unanswered` knows it was seen.

Which pages show depends only on earlier answers (`shown_if`), so `pages_for`, `prune`,
`next_question` and `previous_question` all walk the list in order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from carebridge.core import calendar
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from carebridge.frontdoor.assessment.pages import Question, say
from carebridge.frontdoor.assessment.questions import QUESTIONS
from carebridge.frontdoor.assessment.questions_professional import ADDRESS
from carebridge.people.validators import (
    NHS_NUMBER_CHECK_MESSAGE,
    NHS_NUMBER_FORMAT_MESSAGE,
    POSTCODE_MESSAGE,
    format_nhs_number,
    nhs_number_is_valid,
    normalise_nhs_number,
    normalise_postcode,
    postcode_is_valid,
)

Answer = str | list[str]

TEXT_MAX = 200
TEXTAREA_MAX = 2000
EMAIL_MAX = 254
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
PHONE_MESSAGE = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"

_POSITION: dict[str, int] = {question.id: index for index, question in enumerate(QUESTIONS)}


# --- Navigation ---------------------------------------------------------------------------------


def _walk(answers: Mapping[str, Any]) -> tuple[list[Question], dict[str, Any]]:
    # Pages show on earlier answers only, and only answers to pages still shown count.
    if not isinstance(answers, Mapping):
        answers = {}
    pages: list[Question] = []
    kept: dict[str, Any] = {}
    for question in QUESTIONS:
        if question.shown_if is not None and not question.shown_if(kept):
            continue
        pages.append(question)
        if question.id in answers and _storable(answers[question.id]):
            value = answers[question.id]
            kept[question.id] = list(value) if isinstance(value, list | tuple) else value
    return pages, kept


def _storable(value: Any) -> bool:
    # An answer kept in a session before control characters were refused would break the
    # request made from it (PostgreSQL cannot store a NUL): it is dropped, so its page is asked
    # again.
    if isinstance(value, str):
        return not has_control_characters(value)
    if isinstance(value, list | tuple):
        return all(isinstance(item, str) and not has_control_characters(item) for item in value)
    return True


def pages_for(answers: Mapping[str, Any]) -> list[Question]:
    """The pages that apply given the answers so far, in order."""
    return _walk(answers)[0]


def prune(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those to pages no longer shown, or to no page at all: for example
    the adult pages after "about" changes to carer."""
    return _walk(answers)[1]


def next_question(answers: Mapping[str, Any], current_id: str) -> Question | None:
    """The page after this one; None when the next step is check your answers. An unknown id
    starts again at the first page."""
    pages = pages_for(answers)
    position = _POSITION.get(current_id)
    if position is None:
        return pages[0] if pages else None
    return next((page for page in pages if _POSITION[page.id] > position), None)


def previous_question(answers: Mapping[str, Any], current_id: str) -> Question | None:
    """The page the back link goes to; None on the first page or for an unknown id."""
    position = _POSITION.get(current_id)
    if position is None:
        return None
    earlier = [page for page in pages_for(answers) if _POSITION[page.id] < position]
    return earlier[-1] if earlier else None


def first_unanswered(answers: Mapping[str, Any]) -> Question | None:
    """The first page that applies and has no answer yet (or none that can be kept); None when
    all are answered."""
    pages, kept = _walk(answers)
    return next((page for page in pages if page.id not in kept), None)


# --- Checking one page --------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_SEPARATORS = re.compile(r"[\s/.\-]+")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EARLIEST_YEAR = 1900


def _month_number(text: str) -> str:
    # GOV.UK date inputs accept a month's name or its first three letters ("Mar", "march").
    if len(text) >= 3:
        for number, name in enumerate(_MONTH_NAMES, start=1):
            if name.lower().startswith(text.lower()):
                return str(number)
    return text


def _strings(raw: Any) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list | tuple):
        return [item for item in raw if isinstance(item, str)]
    return []


def clean(
    question: Question,
    raw: Sequence[str] | str,
    *,
    answers: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> tuple[Answer, str | None]:
    """One page's submitted value, tidied, and a GOV.UK-style error message or None.

    `raw` is what the form sent: request.POST.getlist(name), or a string. A date comes as
    [day, month, year] from GOV.UK's three boxes, or as one string ("3/3/1941", "1941-03-03");
    it is stored as an ISO string. On an error the value is the input, tidied, for showing
    back on the page: never store it. `answers` sets the voice of the message; `today` (for
    tests) defaults to today in London. Never raises.
    """
    values = _strings(raw)
    if question.kind == "checkboxes":
        return _clean_checkboxes(question, values, answers)
    if question.kind == "date":
        return _clean_date(question, values, answers, today or calendar.today())
    if question.kind == "address":
        return _clean_address(question, values, answers)
    value = values[0].strip() if values else ""
    if has_control_characters(value):
        # Not shown back: the person retypes it.
        return "", CONTROL_CHARACTERS_MESSAGE
    if not value:
        return "", say(question.error_required, answers) if question.required else None
    if question.kind == "radios":
        if value not in question.values():
            return "", say(question.error_required, answers)
        return value, None
    if question.kind == "postcode":
        if not postcode_is_valid(value):
            return value, POSTCODE_MESSAGE
        return normalise_postcode(value), None
    if question.kind == "nhs_number":
        return _clean_nhs_number(value)
    if question.kind == "email":
        return _clean_email(value)
    if question.kind == "tel":
        return _clean_phone(value)
    return _clean_text(question, value)


def _clean_nhs_number(value: str) -> tuple[Answer, str | None]:
    digits = normalise_nhs_number(value)
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        return value, NHS_NUMBER_FORMAT_MESSAGE
    if not nhs_number_is_valid(digits):
        # The modulus 11 check: a digit mistyped or two swapped.
        return value, NHS_NUMBER_CHECK_MESSAGE
    return digits, None


ADDRESS_PARTS = ("line1", "line2", "town", "postcode")
_ADDRESS_LABELS = ("Address line 1", "Address line 2", "Town or city", "Postcode")


def address_problem(
    question: Question, parts: Sequence[str], answers: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    """The first box of an address page that is wrong, and what to say: (part, message)."""
    parts = [*parts, "", "", "", ""][:4]
    for part, label, value in zip(ADDRESS_PARTS, _ADDRESS_LABELS, parts, strict=True):
        if has_control_characters(value):
            return part, CONTROL_CHARACTERS_MESSAGE
        if len(value) > TEXT_MAX:
            return part, f"{label} must be {TEXT_MAX} characters or fewer"
    line1, _line2, town, postcode = parts
    if not line1:
        return "line1", say(question.error_required, answers)
    if not town:
        return "town", "Enter the town or city"
    if not postcode:
        return "postcode", "Enter the postcode"
    if not postcode_is_valid(postcode):
        return "postcode", POSTCODE_MESSAGE
    return None


def _clean_address(
    question: Question, values: list[str], answers: Mapping[str, Any] | None
) -> tuple[Answer, str | None]:
    parts = [" ".join(value.split()) for value in [*values, "", "", "", ""][:4]]
    problem = address_problem(question, parts, answers)
    if problem is not None:
        # Control characters are not shown back: the person retypes that box.
        shown = ["" if has_control_characters(value) else value for value in values[:4]]
        return [*shown, "", "", "", ""][:4], problem[1]
    parts[3] = normalise_postcode(parts[3])
    return parts, None


def postcode_of(answers: Mapping[str, Any]) -> str:
    """The person's postcode: the postcode page's answer, or a professional's address's."""
    value = answers.get("postcode")
    if isinstance(value, str) and value:
        return value
    address = answers.get(ADDRESS)
    if isinstance(address, list) and len(address) == 4 and isinstance(address[3], str):
        return address[3]
    return ""


def _clean_email(value: str) -> tuple[Answer, str | None]:
    if len(value) > EMAIL_MAX:
        return value, f"Email address must be {EMAIL_MAX} characters or fewer"
    if not _EMAIL.fullmatch(value):
        return value, EMAIL_MESSAGE
    return value, None


def _clean_phone(value: str) -> tuple[Answer, str | None]:
    value = " ".join(value.split())
    digits = sum(character.isdigit() for character in value)
    if not _PHONE_CHARACTERS.fullmatch(value) or not 10 <= digits <= 15:
        return value, PHONE_MESSAGE
    return value, None


def _clean_text(question: Question, value: str) -> tuple[Answer, str | None]:
    limit = TEXTAREA_MAX if question.kind == "textarea" else TEXT_MAX
    if question.kind == "text":
        value = " ".join(value.split())
    if len(value) > limit:
        return value, f"{question.summary_label} must be {limit:,} characters or fewer"
    return value, None


def _clean_checkboxes(
    question: Question, values: list[str], answers: Mapping[str, Any] | None
) -> tuple[Answer, str | None]:
    # Choice order, without repeats; values no form could send are dropped.
    chosen = [choice for choice in question.choices if choice.value in values]
    picked = [choice.value for choice in chosen]
    if not chosen:
        return [], say(question.error_required, answers) if question.required else None
    if len(chosen) > 1 and any(choice.exclusive for choice in chosen):
        return picked, say(question.error_exclusive or question.error_required, answers)
    return picked, None


def _clean_date(
    question: Question, values: list[str], answers: Mapping[str, Any] | None, today: date
) -> tuple[Answer, str | None]:
    parts = [value.strip() for value in values]
    if len(parts) == 1:
        iso = _ISO_DATE.fullmatch(parts[0])
        parts = [iso[3], iso[2], iso[1]] if iso else _DATE_SEPARATORS.split(parts[0])
    parts = [*parts, "", "", ""][:3]
    noun = question.summary_label
    if not any(parts):
        return "", say(question.error_required, answers) if question.required else None
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        return parts, f"{noun} must include a {' and '.join(missing)}"
    day_text, month_text, year_text = parts
    month_text = _month_number(month_text)
    if not (
        day_text.isascii() and day_text.isdigit() and month_text.isascii() and month_text.isdigit()
    ):
        return parts, f"{noun} must be a real date"
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        return parts, "Year must include 4 numbers"
    try:
        value = date(int(year_text), int(month_text), int(day_text))
    except (ValueError, OverflowError):
        return parts, f"{noun} must be a real date"
    if value > today:
        return parts, f"Enter a {noun.lower()} in the past"
    if value.year < EARLIEST_YEAR:
        return parts, f"{noun} must be in {EARLIEST_YEAR} or later"
    return value.isoformat(), None


# --- Check your answers -------------------------------------------------------------------------


def display_date(value: str) -> str:
    """An ISO date as GOV.UK writes it: "3 March 1941"."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def display_value(question: Question, value: Any, answers: Mapping[str, Any] | None = None) -> str:
    """An answer as check your answers shows it: choice labels, one per line for checkboxes."""
    values = _strings(value)
    if question.choices:
        labels = {choice.value: choice.label for choice in question.choices_for(answers)}
        shown = [labels.get(item, item) for item in values]
        return "\n".join(shown) if shown else "Not answered"
    if question.kind == "address":
        lines = [line for line in values if line]
        return "\n".join(lines) if lines else "Not given"
    text = values[0] if values else ""
    if not text:
        return "Not given"
    if question.kind == "nhs_number":
        return format_nhs_number(text)
    return display_date(text) if question.kind == "date" else text


def summary_rows(answers: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """Check your answers: (section, label, value shown, question id) for each page that
    applies, in order. Checkbox values are one label per line (render with linebreaksbr);
    a page not yet answered shows "Not answered"."""
    pages, kept = _walk(answers)
    rows = []
    for question in pages:
        shown = (
            display_value(question, kept[question.id], kept)
            if question.id in kept
            else "Not answered"
        )
        rows.append((question.section_for(kept), question.summary_label, shown, question.id))
    return rows
