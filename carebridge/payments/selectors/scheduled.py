"""The provider's scheduled payments (Stockport section 13): per council billing period, what its
on-schedule care packages are paid, per client and contract, with Excl VAT, VAT and Total, and
whether the period is Finalised (paid by a finalised run) or Current (scheduled, not yet paid).

Periods that have a run show the run's scheduled lines. Periods still to come, to the end of the
financial year, show what the run would pay, projected with the payment run's own rules
(`run_sources`: blocks of the rulebook's weeks, paid in advance and in arrears, pro rata by
days), so the page and the run agree to the penny. A provider of two councils sees each
council's periods under that council's rules. A fixed number of queries, whatever the number of
periods, clients or lines."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from carebridge.actuals.models import Period
from carebridge.actuals.periods import RuleSource, period_bounds
from carebridge.contracts.commitment import financial_year_bounds, financial_year_of
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import Contract, Council, Rulebook
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentLine
from carebridge.payments.selectors.invoices import payment_method_on
from carebridge.payments.selectors.schedule import (
    block_due_in,
    block_of,
    line_vat,
    schedule_blocks,
    scheduled_amount,
)
from carebridge.payments.selectors.scheduled_sources import (
    ScheduleCpli,
    client_name,
    contract_of,
    paid_blocks,
    projection_starts,
    schedule_cplis,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "BillingPeriod",
    "PeriodSection",
    "ScheduledCpliRow",
    "ScheduledPage",
    "ScheduledRow",
    "period_key",
    "period_sections",
    "scheduled_choices",
    "scheduled_lines",
    "scheduled_payments",
    "shown_counts",
]

ZERO = Decimal("0.00")
DAY = timedelta(days=1)
FINALISED = "Finalised"
CURRENT = "Current"


def period_key(council_id: int, start: date) -> str:
    """A billing period's value in the filter: its council's and its first day."""
    return f"{council_id}:{start.isoformat()}"


@dataclass
class ScheduledRow:
    """One client's (purchase order's) scheduled payment in a billing period, under one
    contract: the days it pays for and its Excl VAT, VAT and Total."""

    client: str
    ss_ref: str
    contract: str
    covers_from: date
    covers_to: date
    excl_vat: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO

    def add(self, covers_from: date, covers_to: date, excl: Decimal, vat: Decimal) -> None:
        self.covers_from = min(self.covers_from, covers_from)
        self.covers_to = max(self.covers_to, covers_to)
        self.excl_vat += excl
        self.vat += vat
        self.total += excl + vat


@dataclass
class ScheduledCpliRow(ScheduledRow):
    """One CPLI's share of a client's scheduled payment in a billing period (the Pending
    Scheduled Payments report, "down to CPLI level", Stockport section 15)."""

    cpli_id: int | None = None
    service_level: str = ""


@dataclass
class BillingPeriod:
    """A council's billing period: Finalised (paid) or Current (a run not yet finalised, or
    none yet: `projected`), its rows and totals."""

    council_id: int
    council: str
    rules: str
    start: date
    end: date
    status: str
    projected: bool
    reference: str = ""
    payment_date: date | None = None
    rows: dict[tuple[int, str], ScheduledRow] = field(default_factory=dict)
    # Per CPLI too, when asked for (`scheduled_payments(by_cpli=True)`); None on the page.
    cplis: dict[tuple[int, str, int | None], ScheduledCpliRow] | None = None
    excl_vat: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def key(self) -> str:
        return period_key(self.council_id, self.start)

    @property
    def clients(self) -> list[ScheduledRow]:
        return sorted(self.rows.values(), key=lambda row: (row.client, row.ss_ref, row.contract))

    @property
    def cpli_rows(self) -> list[ScheduledCpliRow]:
        """Its CPLIs' rows by client, contract and service level (empty unless by CPLI)."""
        return sorted(
            (self.cplis or {}).values(),
            key=lambda row: (row.client, row.ss_ref, row.contract, row.service_level, row.cpli_id),
        )

    def add(
        self,
        client_id: int,
        client: tuple[str, str],
        contract: str,
        *money: Any,
        cpli: tuple[int | None, str] = (None, ""),
    ) -> None:
        covers_from, covers_to, excl, vat = money
        row = self.rows.get((client_id, contract))
        if row is None:
            row = self.rows[(client_id, contract)] = ScheduledRow(
                client[0], client[1], contract, covers_from, covers_to
            )
        row.add(covers_from, covers_to, excl, vat)
        if self.cplis is not None:
            key = (client_id, contract, cpli[0])
            line = self.cplis.get(key)
            if line is None:
                line = self.cplis[key] = ScheduledCpliRow(
                    *client,
                    contract,
                    covers_from,
                    covers_to,
                    cpli_id=cpli[0],
                    service_level=cpli[1],
                )
            line.add(covers_from, covers_to, excl, vat)
        self.excl_vat += excl
        self.vat += vat
        self.total += excl + vat


@dataclass
class ScheduledPage:
    """The page: its billing periods in date order (each council's own), and the totals."""

    periods: list[BillingPeriod]
    excl_vat: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def row_counts(self) -> dict[int, int]:
        """Per council, how many client rows its periods hold."""
        counts: dict[int, int] = defaultdict(int)
        for period in self.periods:
            counts[period.council_id] += len(period.rows)
        return dict(counts)

    @property
    def client_rows(self) -> list[tuple[BillingPeriod, ScheduledRow]]:
        """Every period's client rows in the page's order, each with its period: what the
        page's pages of rows are cut from."""
        return [(period, row) for period in self.periods for row in period.clients]


@dataclass(frozen=True)
class PeriodSection:
    """A billing period as one page of rows shows it: the period (its heading and totals)
    and those of its client rows on the page."""

    period: BillingPeriod
    rows: list[ScheduledRow]


def period_sections(shown: Iterable[tuple[BillingPeriod, ScheduledRow]]) -> list[PeriodSection]:
    """A page of `ScheduledPage.client_rows` as sections, one per period it reaches into."""
    return [
        PeriodSection(period, [row for _period, row in rows])
        for period, rows in groupby(shown, key=lambda pair: pair[0])
    ]


def shown_counts(sections: Iterable[PeriodSection]) -> dict[int, int]:
    """Per council, how many client rows the sections show (for the audit event)."""
    counts: dict[int, int] = defaultdict(int)
    for section in sections:
        counts[section.period.council_id] += len(section.rows)
    return dict(counts)


def _rules_text(rulebook: Rulebook) -> str:
    weeks = rulebook.scheduled_payment_weeks
    advance = rulebook.scheduled_weeks_in_advance
    return (
        f"Paid every {weeks} week{'s' if weeks != 1 else ''}: {advance} in advance and "
        f"{weeks - advance} in arrears"
    )


def _councils(provider_id: int) -> dict[int, str]:
    return dict(
        Council.objects.filter(contracts__provider_id=provider_id)
        .distinct()
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


def _periods_of(rulebook: Rulebook, first: date, last: date) -> Iterator[tuple[date, date]]:
    """The council's billing periods starting from first to last."""
    start, end = period_bounds(rulebook, max(first, rulebook.actuals_periods_from))
    if start < first:
        start, end = period_bounds(rulebook, end + DAY)
    while start <= last:
        yield start, end
        start, end = period_bounds(rulebook, end + DAY)


def scheduled_choices(
    user: User,
) -> tuple[list[int], list[tuple[int, str]], dict[int, list[tuple[str, str]]]]:
    """The financial years (this one and the next, and those with scheduled lines, newest
    first), the provider's contracts ("reference (council)"), and per year the billing periods
    of its councils (each named with its council, as their periods differ)."""
    if user.provider_id is None:
        return [], [], {}
    councils = _councils(user.provider_id)
    contracts = [
        (pk, f"{reference} ({councils.get(council_id, '')})")
        for pk, reference, council_id in Contract.objects.filter(provider_id=user.provider_id)
        .order_by("council__name", "reference")
        .values_list("pk", "reference", "council_id")
    ]
    current = financial_year_of(today())
    starts = (
        PaymentLine.objects.filter(provider_id=user.provider_id, source=LineSource.SCHEDULE)
        .order_by()
        .values_list("run__period__start_date", flat=True)
        .distinct()
    )
    years = sorted({current, current + 1, *map(financial_year_of, starts)}, reverse=True)
    rulebooks = Rulebook.objects.filter(council_id__in=councils)
    periods: dict[int, list[tuple[str, str]]] = {}
    for year in years:
        first, last = financial_year_bounds(year)
        periods[year] = sorted(
            (
                (
                    period_key(rulebook.council_id, start),
                    f"{guide_date(start)} to {guide_date(end)} ({councils[rulebook.council_id]})",
                )
                for rulebook in rulebooks
                for start, end in _periods_of(rulebook, first, last)
            ),
            key=lambda choice: (choice[0].partition(":")[2], choice[1]),
        )
    return years, contracts, periods


def scheduled_lines(user: User) -> QuerySet[PaymentLine]:
    """The provider's scheduled lines of live runs (not discarded): what the filters narrow."""
    if user.provider_id is None:
        return PaymentLine.objects.none()
    return PaymentLine.objects.filter(
        provider_id=user.provider_id, source=LineSource.SCHEDULE
    ).exclude(run__status=RunStatus.DISCARDED)


_LINE = (
    "run__council_id",
    "run__period__start_date",
    "run__period__end_date",
    "run__status",
    "run__reference",
    "run__payment_date",
    "service_user_id",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "service_user__ss_ref",
    "contract__reference",
    "covers_from",
    "covers_to",
    "excl_vat",
    "vat",
    "cpli_id",
    "cpli__service_level__name",
)


class _Collector:
    """The page's billing periods, keyed by council and first day, filled from runs' lines and
    then from projections."""

    def __init__(
        self, source: RuleSource, councils: dict[int, str], *, by_cpli: bool = False
    ) -> None:
        self.source = source
        self.councils = councils
        self.by_cpli = by_cpli
        self.periods: dict[tuple[int, date], BillingPeriod] = {}

    def period(self, council_id: int, start: date, end: date, **fields: Any) -> BillingPeriod:
        key = (council_id, start)
        if key not in self.periods:
            self.periods[key] = BillingPeriod(
                council_id=council_id,
                council=self.councils.get(council_id, ""),
                rules=_rules_text(self.source.rulebooks[council_id]),
                start=start,
                end=end,
                cplis={} if self.by_cpli else None,
                **fields,
            )
        return self.periods[key]


def _from_runs(c: _Collector, lines: QuerySet[PaymentLine]) -> None:
    for (
        council_id,
        start,
        end,
        status,
        reference,
        payment_date,
        client_id,
        *name,
        ss_ref,
        contract,
        covers_from,
        covers_to,
        excl,
        vat,
        cpli_id,
        level,
    ) in lines.order_by().values_list(*_LINE):
        finalised = status == RunStatus.FINALISED
        period = c.period(
            council_id,
            start,
            end,
            status=FINALISED if finalised else CURRENT,
            projected=False,
            reference=reference,
            payment_date=payment_date,
        )
        period.add(
            client_id,
            (client_name(*name), ss_ref),
            contract or "",
            covers_from,
            covers_to,
            excl,
            vat,
            cpli=(cpli_id, level or ""),
        )


@dataclass(frozen=True)
class _Scope:
    year: int
    contract_id: int | None
    period: str | None


def _arrears(rulebook: Rulebook) -> timedelta:
    return timedelta(
        days=(rulebook.scheduled_payment_weeks - rulebook.scheduled_weeks_in_advance) * 7
    )


def _horizon(rulebook: Rulebook, year: int) -> tuple[date, date]:
    """The first day of the council's first block and the last day of the last block a run of
    a billing period starting in the year pays."""
    last_period_end = period_bounds(rulebook, financial_year_bounds(year)[1])[1]
    last_start = block_of(rulebook, last_period_end + DAY - _arrears(rulebook))
    length = timedelta(days=rulebook.scheduled_payment_weeks * 7)
    return block_of(rulebook, rulebook.actuals_periods_from), last_start + length - DAY


def _target_period(rulebook: Rulebook, block_start: date, first: date) -> tuple[date, date]:
    """The billing period whose run will pay the block: the first, from the next run's, whose
    end its weeks in arrears have passed by."""
    due_on = block_start + _arrears(rulebook) - DAY
    start, end = period_bounds(rulebook, max(due_on, first))
    assert block_due_in(rulebook, block_start, Period(start_date=start, end_date=end))
    return start, end


def _in_scope(scope: _Scope, council_id: int, start: date) -> bool:
    first, last = financial_year_bounds(scope.year)
    if not first <= start <= last:
        return False
    return scope.period is None or scope.period == period_key(council_id, start)


class _Projection:
    """The projection's look-ups, each worked out once rather than for every CPLI: per council
    its horizon and the blocks its runs would pay on schedule from their first day, per block
    the billing period whose run pays it, per day how the council pays the provider."""

    def __init__(self, c: _Collector, scope: _Scope, provider_id: int) -> None:
        councils = list(c.councils)
        self.c, self.scope, self.provider = c, scope, provider_id
        self.paid = paid_blocks(provider_id, c.source)
        self.starts = projection_starts(c.source, councils)
        self.horizons = {pk: _horizon(c.source.rulebooks[pk], scope.year) for pk in councils}
        self.targets: dict[tuple[int, date], tuple[date, date] | None] = {}
        self.terms: dict[tuple[int, date], tuple[str, Contract | None]] = {}
        self.paying: dict[int, list[date]] = {}

    def _target(self, council_id: int, block_start: date) -> tuple[date, date] | None:
        """The billing period whose run will pay the block, if the page shows it."""
        key = (council_id, block_start)
        if key not in self.targets:
            rulebook = self.c.source.rulebooks[council_id]
            period = _target_period(rulebook, block_start, self.starts[council_id])
            shown = _in_scope(self.scope, council_id, period[0])
            self.targets[key] = period if shown else None
        return self.targets[key]

    def _terms_on(self, council_id: int, day: date) -> tuple[str, Contract | None]:
        """How the council pays the provider on the day, and under which contract."""
        key = (council_id, day)
        if key not in self.terms:
            source = self.c.source
            self.terms[key] = (
                payment_method_on(source, council_id, self.provider, day),
                contract_of(source, council_id, self.provider, day),
            )
        return self.terms[key]

    def pays(
        self, council_id: int, block_start: date, starts: date
    ) -> tuple[tuple[date, date], Contract | None] | None:
        """The period and contract a block is paid in on schedule for a CPLI running in it
        from `starts`, or None if the page shows no such payment."""
        period = self._target(council_id, block_start)
        if period is None:
            return None
        method, contract = self._terms_on(council_id, starts)
        if method != PaymentMethod.ON_SCHEDULE:
            return None
        wanted = self.scope.contract_id
        if wanted is not None and (contract is None or contract.pk != wanted):
            return None
        return period, contract

    def paying_blocks(self, council_id: int) -> list[date]:
        """The first days of the council's blocks in the horizon that pay a CPLI running from
        the block's first day, in order."""
        if council_id not in self.paying:
            rulebook = self.c.source.rulebooks[council_id]
            first, last = self.horizons[council_id]
            self.paying[council_id] = [
                start
                for start, _end in schedule_blocks(rulebook, first, last)
                if self.pays(council_id, start, start) is not None
            ]
        return self.paying[council_id]


def _project_cpli(c: _Collector, p: _Projection, cpli: ScheduleCpli) -> None:
    """Each unpaid block of the CPLI in the horizon, in the period whose run will pay it: its
    first block (which it may join after its first day) and the council's paying blocks after
    it, the others paying nothing on schedule."""
    council_id = cpli.council_id
    rulebook = c.source.rulebooks[council_id]
    first, last = p.horizons[council_id]
    end = last if cpli.end_date is None else min(cpli.end_date, last)
    start = max(cpli.start_date, first)
    if start > end:
        return
    head = block_of(rulebook, start)
    paying = p.paying_blocks(council_id)
    later = paying[bisect_right(paying, head) : bisect_right(paying, end)]
    length = timedelta(days=rulebook.scheduled_payment_weeks * 7)
    for block_start in (head, *later):
        if (cpli.pk, block_start) in p.paid:
            continue
        starts = max(block_start, cpli.start_date)
        pays = p.pays(council_id, block_start, starts)
        if pays is None:
            continue
        period, contract = pays
        block_end = block_start + length - DAY
        amount = scheduled_amount(cpli, block_start, block_end, rulebook.actuals_week_start)
        ends = block_end if cpli.end_date is None else min(block_end, cpli.end_date)
        target = c.period(council_id, *period, status=CURRENT, projected=True)
        target.add(
            cpli.service_user_id,
            (cpli.client, cpli.ss_ref),
            contract.reference if contract is not None else "",
            starts,
            ends,
            amount,
            line_vat(amount, cpli.vat_rate),
            cpli=(cpli.pk, cpli.service_level),
        )


def _project(c: _Collector, provider_id: int, scope: _Scope) -> None:
    """The periods still to come in the year: each unpaid block of the provider's on-schedule
    CPLIs, in the period whose run will pay it."""
    # A council none of whose payment rules pays on schedule pays no CPLI of it so: its CPLIs
    # are not read (a county's provider may have thousands there).
    rules = c.source.payment_rules
    paying = [
        pk
        for pk in c.councils
        if any(
            k[0] == pk and r.payment_method == PaymentMethod.ON_SCHEDULE for k, r in rules.items()
        )
    ]
    if not paying:
        return
    projection = _Projection(c, scope, provider_id)
    latest_end = max(projection.horizons[pk][1] for pk in paying)
    for cpli in schedule_cplis(provider_id, paying, latest_end):
        _project_cpli(c, projection, cpli)


def scheduled_payments(
    user: User,
    lines: QuerySet[PaymentLine],
    *,
    year: int,
    contract_id: int | None = None,
    period: str | None = None,
    by_cpli: bool = False,
    council_id: int | None = None,
) -> ScheduledPage:
    """The provider's scheduled payments in the financial year (of one contract, one billing
    period, if chosen): the runs' scheduled lines (`lines`, already filtered by the same
    choices) and the periods still to come, projected. Empty for anyone but a provider.
    `by_cpli`: each period's rows per CPLI as well (`BillingPeriod.cpli_rows`). `council_id`:
    one council's periods only (a provider of several that chose it; `lines` narrowed alike)."""
    if user.provider_id is None:
        return ScheduledPage(periods=[])
    councils = _councils(user.provider_id)
    source = RuleSource.load(councils)
    wanted = (council_id,) if council_id is not None else source.rulebooks
    councils = {
        pk: name for pk, name in councils.items() if pk in source.rulebooks and pk in wanted
    }
    c = _Collector(source, councils, by_cpli=by_cpli)
    first, last = financial_year_bounds(year)
    _from_runs(
        c, lines.filter(run__period__start_date__gte=first, run__period__start_date__lte=last)
    )
    _project(c, user.provider_id, _Scope(year=year, contract_id=contract_id, period=period))
    periods = sorted(
        (p for p in c.periods.values() if p.rows),
        key=lambda p: (p.start, p.council, p.council_id),
    )
    return ScheduledPage(
        periods=periods,
        excl_vat=sum((p.excl_vat for p in periods), ZERO),
        vat=sum((p.vat for p in periods), ZERO),
        total=sum((p.total for p in periods), ZERO),
    )
