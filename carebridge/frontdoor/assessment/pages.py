"""One question page of the front door, as data: what it asks, when it shows, and how its
words read for the person asking.

Voice: headings, hints, choice labels and errors are templates with {you}, {You}, {your},
{Your}, {them} and {yourself}, read in the second person ("Can you…") when the person is asking
for themselves and in the third ("Can they…") otherwise. English conjugates "they" like "you",
so no other words change. Use the `*_for(answers)` methods to read them; the raw fields are
templates. Views add "(optional)" to the heading of a page that is not required.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from carebridge.frontdoor.assessment.eligibility import answer_values
from carebridge.frontdoor.assessment.rules import ASKER
from carebridge.frontdoor.choices import Asker

Kind = Literal[
    "radios",
    "checkboxes",
    "text",
    "textarea",
    "email",
    "tel",
    "postcode",
    "date",
    "nhs_number",  # stored as its 10 digits
    "address",  # [line 1, line 2, town, postcode] from four boxes on one page
]

BAD_DAY_HINT = "If things change from day to day, answer for a typical bad day."

_SECOND_PERSON = {
    "you": "you",
    "You": "You",
    "your": "your",
    "Your": "Your",
    "them": "you",
    "yourself": "yourself",
}
_THIRD_PERSON = {
    "you": "they",
    "You": "They",
    "your": "their",
    "Your": "Their",
    "them": "them",
    "yourself": "themselves",
}


def voice(answers: Mapping[str, Any] | None) -> dict[str, str]:
    """The words for {you}, {your}… : second person when the person is asking for themselves."""
    if answers is not None and answer_values(answers, ASKER)[:1] == (Asker.SELF.value,):
        return _SECOND_PERSON
    return _THIRD_PERSON


def say(template: str, answers: Mapping[str, Any] | None = None) -> str:
    """A template read in the voice the answers call for."""
    return template.format_map(voice(answers))


@dataclass(frozen=True, init=False)
class When:
    """Show a page only when an earlier question's answer is (or includes) one of these values."""

    question: str
    values: tuple[str, ...]

    def __init__(self, question: str, *values: str) -> None:
        object.__setattr__(self, "question", question)
        object.__setattr__(self, "values", values)

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        return any(value in self.values for value in answer_values(answers, self.question))


class Unless(When):
    """Show a page unless an earlier question's answer is one of these values (so also before
    it is answered)."""

    def __call__(self, answers: Mapping[str, Any]) -> bool:
        return not super().__call__(answers)


@dataclass(frozen=True)
class Choice:
    """One radio or checkbox. An exclusive checkbox sits after GOV.UK's "or" divider and
    cannot be ticked with any other."""

    value: str
    label: str
    hint: str = ""
    exclusive: bool = False


@dataclass(frozen=True, kw_only=True)
class Question:
    """One question page. Text fields are templates: read them with the `*_for` methods."""

    id: str
    heading: str  # the question: the page's h1, and the legend or label
    kind: Kind
    section: str  # groups rows on check your answers
    summary_label: str  # the row's key on check your answers
    error_required: str  # shown when a required page is left blank
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True
    shown_if: When | None = None
    error_exclusive: str = ""  # checkboxes: an "or" option ticked with another
    bad_day_if: When | None = None  # add BAD_DAY_HINT when this holds

    @property
    def slug(self) -> str:
        return self.id.replace("_", "-")

    def heading_for(self, answers: Mapping[str, Any] | None = None) -> str:
        return say(self.heading, answers)

    def hint_for(self, answers: Mapping[str, Any] | None = None) -> str:
        hint = say(self.hint, answers)
        if answers is not None and self.bad_day_if is not None and self.bad_day_if(answers):
            hint = f"{hint} {BAD_DAY_HINT}".strip()
        return hint

    def section_for(self, answers: Mapping[str, Any] | None = None) -> str:
        return say(self.section, answers)

    def choices_for(self, answers: Mapping[str, Any] | None = None) -> tuple[Choice, ...]:
        return tuple(
            replace(choice, label=say(choice.label, answers), hint=say(choice.hint, answers))
            for choice in self.choices
        )

    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)
