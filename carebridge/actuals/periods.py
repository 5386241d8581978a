"""Weeks and periods of actuals, and the rules that apply to each CPLI in a week, from the
council's rulebook, its payment rules and the contract the provider works under."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from carebridge.actuals.rules import Rules, pro_rata
from carebridge.contracts.choices import Unit
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.organisations.choices import ActualsPeriod, ContractType
from carebridge.organisations.models import Contract, PaymentRule, Rulebook

WEEK = timedelta(days=7)


def week_of(day: date, week_start: int) -> date:
    """The first day of the week (starting on the rulebook's weekday) that holds `day`."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def weeks_in_period(rulebook: Rulebook) -> int:
    return 4 if rulebook.actuals_period == ActualsPeriod.FOUR_WEEKLY else 1


def period_bounds(rulebook: Rulebook, day: date) -> tuple[date, date]:
    """The first and last days of the council's period that holds `day`: periods follow on
    from the rulebook's first period, a week or four weeks each."""
    length = WEEK * weeks_in_period(rulebook)
    count = (day - rulebook.actuals_periods_from) // length
    start = rulebook.actuals_periods_from + length * count
    return start, start + length - timedelta(days=1)


def weeks_between(start: date, end: date) -> Iterator[date]:
    week = start
    while week <= end:
        yield week
        week += WEEK


def week_has_ended(week_start: date, on: date | None = None) -> bool:
    """Actuals for a week cannot be entered while it is in progress: its last day must be past."""
    return week_start + WEEK - timedelta(days=1) < (on or today())


def days_active(cpli: Cpli, week_start: date) -> int:
    """How many of the week's seven days the CPLI runs on."""
    first = max(cpli.start_date, week_start)
    last = week_start + WEEK - timedelta(days=1)
    if cpli.end_date is not None:
        last = min(last, cpli.end_date)
    return max((last - first).days + 1, 0)


def planned_for(cpli: Cpli, week_start: date, step: Decimal) -> tuple[Decimal, int]:
    """A CPLI's plan for a week, as Generate actuals enters it: the weekly quantity and visits,
    pro rata by the days it is active (the quantity to the unit's step). A short break has no
    weekly plan."""
    if cpli.is_allocation:
        return Decimal("0"), 0
    days = days_active(cpli, week_start)
    visits = cpli.visits if days >= 7 else round(cpli.visits * days / 7)
    return pro_rata(cpli.quantity, days, step), visits


@dataclass
class RuleSource:
    """The rules of every CPLI of some councils, loaded once: the rulebooks, the payment rules
    and the contracts, so a page or an import of any size asks the database three times."""

    rulebooks: dict[int, Rulebook]
    payment_rules: dict[tuple[int, str], PaymentRule]
    contracts: dict[tuple[int, int], list[Contract]]
    # Worked out once for every line that shares them: a page or a file asks for the same few
    # hundreds of times (the contracts' scan was most of a week page's rules).
    _kinds: dict[tuple[int, int, date], str] = field(default_factory=dict, repr=False)
    _rules: dict[tuple[object, ...], Rules] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        council_ids: Iterable[int],
        *,
        rulebooks: dict[int, Rulebook] | None = None,
        provider_id: int | None = None,
    ) -> RuleSource:
        """The rules of these councils; `rulebooks` (by council) when the caller has read them
        already, holding at least these councils'; only one provider's contracts when the lines
        asked about are all that provider's (`provider_id`), not every provider's."""
        ids = set(council_ids)
        contracts: dict[tuple[int, int], list[Contract]] = {}
        found = Contract.objects.filter(council_id__in=ids)
        if provider_id is not None:
            found = found.filter(provider_id=provider_id)
        for contract in found.order_by("-start_date"):
            contracts.setdefault((contract.council_id, contract.provider_id), []).append(contract)
        return cls(
            rulebooks=(
                {r.council_id: r for r in Rulebook.objects.filter(council_id__in=ids)}
                if rulebooks is None
                else rulebooks
            ),
            payment_rules={
                (rule.council_id, rule.contract_type): rule
                for rule in PaymentRule.objects.filter(council_id__in=ids)
            },
            contracts=contracts,
        )

    def contract_type(self, council_id: int, provider_id: int, day: date) -> str:
        """The type of the contract in force on the day (the latest started, if several); a
        provider working without one is paid as a spot purchase."""
        key = (council_id, provider_id, day)
        kind = self._kinds.get(key)
        if kind is None:
            kind = self._kinds[key] = self._contract_type(council_id, provider_id, day)
        return kind

    def _contract_type(self, council_id: int, provider_id: int, day: date) -> str:
        for contract in self.contracts.get((council_id, provider_id), []):
            if contract.start_date <= day and (
                contract.end_date is None or contract.end_date >= day
            ):
                return contract.contract_type
        return ContractType.SPOT

    def rules(self, cpli: Cpli, week_start: date) -> Rules:
        kind = self.contract_type(cpli.council_id, cpli.provider_id, week_start)
        # Lines of the same council, contract type, service level, unit and rate have the same
        # rules (frozen, so shared): a page's or a file's lines are mostly a few such kinds.
        key = (
            cpli.council_id,
            kind,
            cpli.service_level_id,
            cpli.unit,
            str(cpli.rate),
            cpli.is_allocation,
        )
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = self._rules_of(cpli, kind)
        return found

    def _rules_of(self, cpli: Cpli, kind: str) -> Rules:
        rulebook = self.rulebooks[cpli.council_id]
        payment = self.payment_rules.get((cpli.council_id, kind))
        if payment is None:
            # The model's defaults; kept, as building a model instance costs more than the rest.
            payment = self.payment_rules[(cpli.council_id, kind)] = PaymentRule(
                council_id=cpli.council_id, contract_type=kind
            )
        return Rules(
            unit=str(Unit(cpli.unit).label),
            step=rulebook.actuals_hours_step if cpli.unit == Unit.HOURS else Decimal("1"),
            rate=cpli.rate,
            level=cpli.service_level.name,
            hospital_weeks=cpli.service_level.hospital_retainer_weeks,
            extras_allowed=rulebook.actuals_extras_allowed,
            reasons=rulebook.frustrated_reasons(),
            over_percent=rulebook.actuals_over_plan_percent,
            aborted_max_minutes=payment.aborted_visit_max_minutes,
            aborted_percent=payment.aborted_visit_paid_percent,
            night_percent=payment.night_cancellation_paid_percent,
            is_allocation=cpli.is_allocation,
            level_extras_allowed=cpli.service_level.extras_allowed,
            fixed_hours=cpli.service_level.fixed_hours,
            missed_percents=payment.missed_paid_percents(),
        )
