"""Exceptions by kind: for each of the council's actuals periods that ends in the dates and each
provider, how many weekly rows had each kind of exception and, where a quantity means something,
how much of it, in the line's unit (hours and nights are never added together).

The kinds are those the actuals rules (`actuals.rules.assess`) found when each row was saved and
kept on it (`Actual.take`): it does not add up, it is over plan by more than the council's
percentage (the exception threshold), nothing was delivered without a comment, or a fixed-hours
level varied; and what the provider entered against the plan: missed and frustrated quantities
by their reason (with the aborted visits claimed), and extras."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from carebridge.actuals.models import Actual
from carebridge.actuals.selectors.periods import EXCEPTION
from carebridge.contracts.choices import Unit
from carebridge.organisations.choices import FrustratedReason, MissedReason
from carebridge.organisations.models import Rulebook
from carebridge.reports.base import Cell, Column, Kind, Report, Row, Table, register
from carebridge.reports.catalogue.confirmations import (
    GROUP,
    CouncilRangeFilters,
    council_of,
    rules_in_words,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

COLUMNS = (
    Column("Period starts", Kind.DATE, width=12),
    Column("Period ends", Kind.DATE, width=12),
    Column("Provider", width=30),
    Column("Kind", width=40),
    Column("Rows", Kind.COUNT, total=True, width=8),
    Column("Quantity", Kind.NUMBER, width=10),
    Column("Unit", width=10),
    Column("Aborted visits", Kind.COUNT, total=True, width=10),
)

# The flags the rules keep on a row, in the order the actuals pages name them
# (`actuals.selectors.review.exception_words`); the threshold's words name the council's own.
FLAGS = ("does_not_add_up", "over_threshold", "zero_without_comment", "varies_from_fixed")
FLAG_WORDS = {
    "does_not_add_up": "Does not add up",
    "over_threshold": "Over plan by more than {percent}%",
    "zero_without_comment": "Zero without comment",
    "varies_from_fixed": "Fixed hours varied",
}
PERIOD = ("period__start_date", "period__end_date", "provider__name", "provider_id")
# Where a kind sits among a period's and provider's rows: the flags, then missed, frustrated
# and extra quantities.
ORDER = {"flag": 0, "missed": 1, "frustrated": 2, "extra": 3}

Key = tuple[date, date, str, int, int, str, str]  # period, provider, kind's place, kind, unit


def _in_range(council_id: int, filters: Mapping[str, Any]) -> QuerySet[Actual]:
    actuals = Actual.objects.filter(
        council_id=council_id,
        period__end_date__gte=filters["starts"],
        period__end_date__lte=filters["ends"],
    )
    if filters.get("provider") is not None:
        actuals = actuals.filter(provider_id=filters["provider"])
    return actuals.order_by()


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Six queries whatever the size: the rulebook, the flags, the missed, frustrated and extra
    quantities by reason and unit, and the aborted visits' dates."""
    council_id = council_of(user)
    rulebook = Rulebook.objects.select_related("council").get(council_id=council_id)
    actuals = _in_range(council_id, filters)
    found: dict[Key, list[Any]] = {}
    _flags(actuals, rulebook.actuals_over_plan_percent, found)
    _quantities(actuals, found)
    _aborted_visits(actuals, found)
    return Table(
        columns=COLUMNS,
        rows=_rows(found, council_id),
        notes=[
            rules_in_words(rulebook, rulebook.council.name)
            + f" A row more than {rulebook.actuals_over_plan_percent}% over plan is an exception.",
            "Rows counts each client's weekly actual once under each kind it has, so one row "
            "may count under several kinds. Quantities are what the provider entered, in the "
            "line's unit.",
        ],
        empty="No actuals of a period ending in these dates have an exception.",
    )


def _flags(actuals: QuerySet[Actual], percent: int, found: dict[Key, list[Any]]) -> None:
    """The rows with each flag the rules kept, by period and provider: one query."""
    counts = {name: Count("pk", filter=Q(**{name: True})) for name in FLAGS}
    for row in actuals.filter(EXCEPTION).values(*PERIOD).annotate(**counts):
        for n, name in enumerate(FLAGS):
            if row[name]:
                kind = FLAG_WORDS[name].format(percent=percent)
                found[_key(row, "flag", n, kind, "")] = [row[name], None, 0]


QUANTITIES: tuple[tuple[str, str, type[MissedReason] | type[FrustratedReason] | None, str], ...] = (
    ("missed", "missed_reason", MissedReason, "Missed"),
    ("frustrated", "frustrated_reason", FrustratedReason, "Frustrated"),
    ("extra", "", None, "Extra"),
)


def _quantities(actuals: QuerySet[Actual], found: dict[Key, list[Any]]) -> None:
    """Missed and frustrated quantities by reason, and extras, by unit: a query each."""
    for field, reason, choices, words in QUANTITIES:
        by = (*PERIOD, "cpli__unit", *([reason] if reason else []))
        summed = actuals.filter(**{f"{field}__gt": 0}).values(*by)
        for row in summed.annotate(rows=Count("pk"), quantity=Sum(field)):
            kind, place = words, 0
            if choices is not None:
                code = row[reason]
                known = code in choices.values
                # A missed quantity saved before reasons were asked for has none.
                kind += f": {choices(code).label if known else 'no reason given'}"
                place = list(choices.values).index(code) if known else len(choices.values)
            key = _key(row, field, place, kind, row["cpli__unit"])
            found[key] = [row["rows"], row["quantity"], 0]


def _aborted_visits(actuals: QuerySet[Actual], found: dict[Key, list[Any]]) -> None:
    """The aborted visits each frustrated quantity pays for (one date each): one query, read
    in chunks, as the dates are a list on each row."""
    aborted = FrustratedReason.ABORTED_VISIT
    place = list(FrustratedReason.values).index(aborted)
    kind = f"Frustrated: {aborted.label}"
    rows = actuals.filter(frustrated__gt=0, frustrated_reason=aborted)
    for row in rows.values(*PERIOD, "cpli__unit", "aborted_visit_dates").iterator(2000):
        key = _key(row, "frustrated", place, kind, row["cpli__unit"])
        if key in found:
            found[key][2] += len(row["aborted_visit_dates"] or ())


def _key(row: Mapping[str, Any], group: str, place: int, kind: str, unit: str) -> Key:
    return (
        row["period__start_date"],
        row["period__end_date"],
        row["provider__name"],
        row["provider_id"],
        ORDER[group] * 100 + place,
        kind,
        unit,
    )


def _rows(found: dict[Key, list[Any]], council_id: int) -> Iterator[Row]:
    for key in sorted(found):
        starts, ends, provider, _pk, _place, kind, unit = key
        rows, quantity, visits = found[key]
        cells: tuple[Cell, ...] = (
            starts,
            ends,
            provider,
            kind,
            rows,
            Decimal(quantity) if quantity is not None else None,
            str(Unit(unit).label) if unit else None,
            visits if visits else None,
        )
        yield Row(cells, council_id=council_id)


register(
    Report(
        slug="actuals-exceptions",
        title="Exceptions by kind",
        summary="How many of each provider's weekly actuals had each kind of exception, period by period.",
        side="council",
        group=GROUP,
        form=CouncilRangeFilters,
        build=build,
        order=41,
    )
)
