"""The field's words, explained once: the glossary page lists them and `{% term %}`
(`templatetags/glossary.py`) opens one beside a page's column or field with GOV.UK's details
component. Written for Carebridge in plain English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    slug: str
    name: str
    # What a page's column heading calls it, where it is shortened (Pl, Msd...).
    short: str
    meaning: str


TERMS: tuple[Term, ...] = (
    Term(
        "cpli",
        "Care package line item (CPLI)",
        "CPLI",
        "One line of a person's care package: one service level (for example home care, single "
        "carer) at one rate, for a number of hours, visits or nights a week, from a start date. "
        "The council pays for what is delivered against it.",
    ),
    Term(
        "actuals",
        "Actuals",
        "",
        "What was really delivered against each care package line item in a week, recorded by "
        "the provider and confirmed for each period. The council pays from the confirmed actuals.",
    ),
)

BY_SLUG = {term.slug: term for term in TERMS}
