"""The week at a service, as the provider's week page shows it: the clients, their CPLI rows and
totals, each council's part of the week; and a client's rows for the Add/Edit page.

The week page runs the same number of queries however many clients the service has: two for
the week's lines and actuals (`week_lines`: ids, names and costs, which give the filter's
service levels, the clients, each council's lines still to generate and both totals), one for
the ids the chosen filters keep (only when some are chosen), one for the page's lines (only the
fields a row shows) and one for their actuals, two for each council's part of the week (its
period, its rulebook) and two more for the rows' rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.paginator import Page
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet, Sum
from django.db.models.base import ModelState

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import (
    WEEK,
    RuleSource,
    planned_for,
    week_has_ended,
    week_of,
    weeks_between,
)
from carebridge.actuals.rules import ZERO, Assessment, Rules, assess
from carebridge.actuals.selectors.week_lines import WeekLines, week_cplis
from carebridge.contracts.commitment import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.core import holds
from carebridge.core.calendar import today
from carebridge.core.formats import round_money
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Council, Rulebook, Service
from carebridge.people.models import ServiceUser

# What a week page's row reads of its line, client and service level (the rules, the plan, the
# line's description and whose row it is): a client's address and care details are not needed.
LINE_FIELDS = (
    "id",
    "council_id",
    "provider_id",
    "service_user_id",
    "service_level_id",
    "quantity",
    "unit",
    "rate",
    "visits",
    "yearly_allocation",
    "pricing_basis",
    "start_date",
    "end_date",
)
PERSON_FIELDS = ("title", "first_name", "last_name", "ss_ref")
LEVEL_FIELDS = ("name", "hospital_retainer_weeks", "extras_allowed", "fixed_hours")
ROW_FIELDS = (
    *LINE_FIELDS,
    *(f"service_user__{name}" for name in PERSON_FIELDS),
    *(f"service_level__{name}" for name in LEVEL_FIELDS),
)

M = TypeVar("M", bound=Model)


def _loaded(model: type[M], values: dict[str, Any]) -> M:
    """A model instance of values already read, as a queryset with `only()` would make it (a
    field not given is read when first used), without `Model.__init__` and its signals: a week
    page makes some 400 and they were a tenth of its time."""
    instance = model.__new__(model)
    instance.__dict__.update(values)
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS
    return instance


def _lines_of(rows: Iterable[tuple[Any, ...]]) -> list[Cpli]:
    """The week's lines from `ROW_FIELDS` tuples, each with its client and service level (one
    instance each, shared by their lines)."""
    people: dict[int, ServiceUser] = {}
    levels: dict[int, ServiceLevel] = {}
    line_count, person_count = len(LINE_FIELDS), len(LINE_FIELDS) + len(PERSON_FIELDS)
    lines = []
    for row in rows:
        line = _loaded(Cpli, dict(zip(LINE_FIELDS, row[:line_count], strict=True)))
        person = people.get(line.service_user_id)
        if person is None:
            person = people[line.service_user_id] = _loaded(
                ServiceUser,
                {
                    "id": line.service_user_id,
                    **dict(zip(PERSON_FIELDS, row[line_count:person_count], strict=True)),
                },
            )
        level = levels.get(line.service_level_id)
        if level is None:
            level = levels[line.service_level_id] = _loaded(
                ServiceLevel,
                {
                    "id": line.service_level_id,
                    **dict(zip(LEVEL_FIELDS, row[person_count:], strict=True)),
                },
            )
        line._state.fields_cache["service_user"] = person
        line._state.fields_cache["service_level"] = level
        lines.append(line)
    return lines


# What a week page's row reads of its actual: what was entered, its plan and cost, and what the
# row links read (whose row and week it is, whether it is over the threshold). Not the other
# exceptions (the rules assess the row again), nor when or by whom it changed.
ACTUAL_FIELDS = (
    "id",
    "cpli_id",
    "provider_id",
    "service_user_id",
    "week_start",
    "planned",
    "actual",
    "frustrated",
    "missed",
    "extra",
    "visits",
    "frustrated_reason",
    "missed_reason",
    "aborted_visit_dates",
    "variation_code",
    "comments",
    "cost",
    "over_threshold",
)


def _actuals_of(entered: QuerySet[Actual]) -> dict[int, Actual]:
    """These actuals by line, the fields a row reads (`ACTUAL_FIELDS`; any other is read when
    first used), as instances made from their values."""
    return {
        values["cpli_id"]: _loaded(Actual, values)
        for values in entered.order_by().values(*ACTUAL_FIELDS)
    }


def default_week(week_start: int = 0) -> date:
    """The week a provider most likely wants: the last one that has ended."""
    return week_of(today(), week_start) - WEEK


@dataclass
class Row:
    """One CPLI's line for the week: its actual if entered, else its plan."""

    cpli: Cpli
    actual: Actual | None
    planned: Decimal
    planned_cost: Decimal
    assessment: Assessment | None
    is_allocation: bool
    # Set by the page: what the inputs show, and the row's errors.
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    detail: list[dict[str, Any]] = field(default_factory=list)
    extras_allowed: bool = True
    # The frustrated reasons the row's council accepts (its rulebook's); None: every reason.
    frustrated_reasons: frozenset[str] | None = None
    # Whether this row's council lets its week be changed (the week page sets it per council).
    editable: bool = True
    who: str = ""
    # A short break's nights taken in the week's financial year, and that year's label.
    allocation_used: Decimal = ZERO
    allocation_year: str = ""
    # Set by the page: the links apps above actuals offer on the row (core.row_links).
    links: list[Any] = field(default_factory=list)

    @property
    def entry(self) -> dict[str, Any]:
        a = self.actual
        if a is None:
            return {"actual": "", "frustrated": "", "missed": "", "extra": "", "visits": ""}
        return {
            "actual": _plain(a.actual),
            "frustrated": _plain(a.frustrated),
            "missed": _plain(a.missed),
            "extra": _plain(a.extra),
            "visits": a.visits,
            "frustrated_reason": a.frustrated_reason,
            "missed_reason": a.missed_reason,
            "aborted_visit_dates": ", ".join(
                date.fromisoformat(d).strftime("%d/%m/%Y") for d in a.aborted_visit_dates
            ),
            "variation_code": a.variation_code,
            "comments": a.comments,
        }


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _row(cpli: Cpli, actual: Actual | None, rules: Rules, week: date) -> Row:
    """A CPLI's row for the week: its actual assessed by the rules, or its plan."""
    if actual is not None:
        planned = actual.planned
        assessment: Assessment | None = assess(actual.entry(), rules, planned)
    else:
        planned = planned_for(cpli, week, rules.step)[0]
        assessment = None
    row = Row(
        cpli, actual, planned, round_money(planned * cpli.rate), assessment, cpli.is_allocation
    )
    row.extras_allowed = rules.extras_allowed and rules.level_extras_allowed
    row.frustrated_reasons = rules.reasons
    return row


@dataclass
class ClientGroup:
    person: ServiceUser
    rows: list[Row] = field(default_factory=list)
    council_name: str = ""  # a client belongs to one council, and so do all their lines

    @property
    def cost(self) -> Decimal:
        return sum((r.actual.cost for r in self.rows if r.actual is not None), ZERO)

    @property
    def has_actuals(self) -> bool:
        return any(r.actual is not None for r in self.rows)


@dataclass
class CouncilWeek:
    """One council's part of a week at a service: its own period, rules and state. A provider
    working for several councils has one each, so a period paid at one council never hides an
    open one at another."""

    council: Council
    rulebook: Rulebook
    period: Period | None
    refusal: str
    can_enter: bool
    missing: int
    deadline: Any

    @property
    def period_kind(self) -> str:
        return str(self.rulebook.get_actuals_period_display())


@dataclass
class WeekPage:
    service: Service
    week_start: date
    councils: list[CouncilWeek]
    page: Page
    groups: list[ClientGroup]
    shown_total: Decimal
    week_total: Decimal

    @property
    def can_enter(self) -> bool:
        """Some council's rows can be changed (each row says whether its own can)."""
        return any(each.can_enter for each in self.councils)

    @property
    def several_councils(self) -> bool:
        return len(self.councils) > 1


def week_councils(service: Service, week: date, council_id: int | None = None) -> list[int]:
    """The councils whose lines run at the service in the week."""
    return sorted(
        set(
            week_cplis(service, week, council_id)
            .order_by()
            .values_list("council_id", flat=True)
            .distinct()
        )
    )


def generation_weeks(council_id: int, week: date) -> list[date]:
    """The weeks Generate actuals fills for one council from the page of one week: every week
    that has ended in that council's period holding it (one week for a weekly council, up to
    four for a 4-weekly one). Another council's periods never count: they have their own."""
    period = Period.objects.filter(
        council_id=council_id,
        start_date__lte=week,
        end_date__gte=week,
        payment_processed_at__isnull=True,
    ).first()
    weeks = {week}
    if period is not None:
        weeks.update(
            w for w in weeks_between(period.start_date, period.end_date) if week_has_ended(w)
        )
    return sorted(weeks)


def week_refusal(period: Period | None, week: date) -> str:
    if not week_has_ended(week):
        return (
            "This week is still in progress: its actuals can be entered from the day after it ends."
        )
    if period is None:
        return "The actuals period for this week has not been opened yet."
    if period.is_paid:
        return "The payment for this period has been processed: its actuals can no longer change."
    return ""


def week_page(
    user: User,
    service: Service,
    week: date,
    *,
    lines: WeekLines,
    page: Page,
    kept: set[int] | None = None,
) -> WeekPage:
    """The page of clients (of the week's lines the filters kept: `kept`, None for all) with
    their rows, each council's part of the week, and the totals, from the week's lines read
    once (`week_lines`: of one council's lines, when a provider of several chose it)."""
    on_page = list(page.object_list)
    ids = lines.on_page(on_page, kept)
    position = {pk: n for n, pk in enumerate(ids)}
    found = Cpli.objects.filter(pk__in=ids).values_list(*ROW_FIELDS)
    page_lines = _lines_of(sorted(found, key=lambda row: position[row[0]]))
    # By line and week (one index), not by the ids of the actuals known to exist: the page asks
    # as many queries whether its lines have actuals yet or not.
    actuals = _actuals_of(Actual.objects.filter(cpli_id__in=ids, week_start=week))
    councils, rulebooks = _council_weeks(user, lines.councils(), week)
    source = RuleSource.load(
        {c.council_id for c in page_lines}, rulebooks=rulebooks, provider_id=service.provider_id
    )
    by_client: dict[int, ClientGroup] = {}
    for cpli in page_lines:
        group = by_client.setdefault(cpli.service_user_id, ClientGroup(cpli.service_user))
        group.rows.append(_row(cpli, actuals.get(cpli.pk), source.rules(cpli, week), week))
    groups = [by_client[pk] for pk in on_page if pk in by_client]

    shown_total, week_total = lines.totals(kept)
    editable = {each.council.pk for each in councils if each.can_enter}
    names = {each.council.pk: each.council.name for each in councils}
    for group in groups:
        group.council_name = names.get(group.rows[0].cpli.council_id, "")
        for row in group.rows:
            row.editable = row.cpli.council_id in editable
    return WeekPage(
        service=service,
        week_start=week,
        councils=councils,
        page=page,
        groups=groups,
        shown_total=shown_total,
        week_total=week_total,
    )


def _council_weeks(
    user: User, missing: dict[int, int], week: date
) -> tuple[list[CouncilWeek], dict[int, Rulebook]]:
    """Each council of the week's lines (`missing`: with its count of weekly lines without an
    actual) with its own period, rules, deadline and lines still to generate, and the councils'
    rulebooks (the rows' rules read them too): two queries, however many councils."""
    if not missing:
        return [], {}
    periods = {
        p.council_id: p
        for p in Period.objects.filter(
            council_id__in=missing, start_date__lte=week, end_date__gte=week
        ).order_by("-start_date")  # as the model orders them, without joining the councils
    }
    rulebooks = {
        rulebook.council_id: rulebook
        for rulebook in Rulebook.objects.filter(council_id__in=missing).select_related("council")
    }
    may_edit = can_edit(user.role, Function.ACTUALS)
    found = []
    for rulebook in rulebooks.values():
        period = periods.get(rulebook.council_id)
        refusal = week_refusal(period, week)
        found.append(
            CouncilWeek(
                council=rulebook.council,
                rulebook=rulebook,
                period=period,
                refusal=refusal,
                can_enter=not refusal and may_edit,
                missing=missing.get(rulebook.council_id, 0),
                deadline=actuals_confirm_by(rulebook, period.end_date) if period else None,
            )
        )
    return sorted(found, key=lambda each: each.council.name), rulebooks


def client_rows(service: Service, person: ServiceUser, week: date) -> list[Row]:
    """A client's lines at a service for a week, as the Add/Edit page shows them."""
    cplis = list(
        week_cplis(service, week)
        .filter(service_user=person)
        .select_related("service_level", "service_user")
        .order_by("service_level__name", "pk")
    )
    actuals = {
        a.cpli_id: a
        for a in Actual.objects.filter(cpli_id__in=[c.pk for c in cplis], week_start=week)
    }
    source = RuleSource.load({c.council_id for c in cplis})
    rows = [_row(cpli, actuals.get(cpli.pk), source.rules(cpli, week), week) for cpli in cplis]
    breaks = [row for row in rows if row.is_allocation]
    if breaks:
        first, last = financial_year_bounds(financial_year_of(week))
        used = dict(
            Actual.objects.filter(
                cpli_id__in=[row.cpli.pk for row in breaks],
                week_start__gte=first,
                week_start__lte=last,
            )
            .values_list("cpli_id")
            .annotate(total=Sum("actual"))
        )
        for row in breaks:
            row.allocation_used = used.get(row.cpli.pk) or ZERO
            row.allocation_year = financial_year_label(financial_year_of(week))
    return rows


# Shown above a client's rows of a processed period when some are held open (core.holds).
HELD_ONLY = (
    "The payment for this period has been processed: only its rows in an open dispute can still "
    "change."
)


def client_week_refusal(rows: list[Row], week: date) -> str:
    """Why a client's rows for the week cannot be changed, if none can. In a period whose
    payment has been processed, the rows held open (core.holds: in an open dispute) still can,
    as a later payment run pays them at their final value: the others are marked not editable."""
    if not week_has_ended(week):
        return week_refusal(None, week)
    councils = {row.cpli.council_id for row in rows}
    periods = Period.objects.filter(
        council_id__in=councils, start_date__lte=week, end_date__gte=week
    )
    found = {p.council_id: p for p in periods}
    for council_id in councils:
        refusal = week_refusal(found.get(council_id), week)
        if refusal and not _only_held_editable(found.get(council_id), rows):
            return refusal
    return ""


def _only_held_editable(period: Period | None, rows: list[Row]) -> bool:
    """In a processed period, mark the rows not held open as not editable: whether any is."""
    if period is None or not period.is_paid:
        return False
    mine = [row for row in rows if row.cpli.council_id == period.council_id]
    kept = holds.held(row.actual.pk for row in mine if row.actual is not None)
    if not kept:
        return False
    for row in mine:
        row.editable = row.actual is not None and row.actual.pk in kept
    return True
