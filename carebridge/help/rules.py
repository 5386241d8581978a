"""The rules that apply at a council, in plain English, drawn from its rulebook: what a help
topic shows under "The rules at <council>". One function per area; a topic names the areas it
shows (`Topic.areas`). Nothing here is written per council: every sentence is the rulebook's
setting put into words, so a council that changes a setting changes its help."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from carebridge.core.formats import clock_time
from carebridge.organisations.models import Council, Rulebook


@dataclass(frozen=True)
class Rule:
    label: str
    text: str


def _referrals(book: Rulebook) -> list[Rule]:
    return [
        Rule(
            "Reply window",
            f"Reply to a referral within {_duration(book.referral_response_minutes)} of service "
            f"time. Service time runs {clock_time(book.referral_service_start)} to "
            f"{clock_time(book.referral_service_end)}, {_days(book.referral_service_days)}"
            + (", not on bank holidays." if book.referral_service_closed_on_bank_holidays else "."),
        ),
    ]


def _actuals(book: Rulebook) -> list[Rule]:
    return [
        Rule("Period", f"Actuals are recorded {book.get_actuals_period_display().lower()}."),
        Rule(
            "Extras",
            "Extra quantities may be claimed, each with a variation code."
            if book.actuals_extras_allowed
            else "Extra quantities are not paid at this council: record only what was planned.",
        ),
    ]


# Each area's rules, in the order a topic lists them.
AREAS: dict[str, tuple[str, Callable[[Rulebook], list[Rule]]]] = {
    "referrals": ("Referrals", _referrals),
    "actuals": ("Actuals", _actuals),
}


def rules_for(council: Council, areas: tuple[str, ...]) -> list[tuple[str, list[Rule]]]:
    """The council's rules for each area named, as (the area's heading, its rules)."""
    book = council.rulebook
    return [(AREAS[area][0], AREAS[area][1](book)) for area in areas]


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " and ".join(parts) or "0 minutes"


_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _days(days: str) -> str:
    """'01234' -> 'Monday to Friday'; other sets are listed."""
    numbers = sorted(int(d) for d in days)
    if numbers and numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"{_DAY_NAMES[numbers[0]]} to {_DAY_NAMES[numbers[-1]]}"
    names = [_DAY_NAMES[n] for n in numbers]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)
