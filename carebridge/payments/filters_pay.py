"""The filters of what the provider sees of getting paid: its remittance advice (by council and
financial year) and its scheduled payments (by financial year, contract and billing period)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from carebridge.contracts.commitment import financial_year_bounds, financial_year_label
from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet
from carebridge.payments.models import PaymentLine, PaymentRun


class RemittanceFilters(ListFilterSet):
    """Remittances by the council that paid them and the financial year of the payment date."""

    council = IdChoiceFilter(label="Council", field_name="council_id")
    year = IdChoiceFilter(label="Financial year", method="filter_year")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[PaymentRun],
        *,
        councils: list[tuple[int, str]],
        years: list[int],
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("council", [("", "All councils"), *councils])
        self.set_choices(
            "year", [("", "All years"), *[(y, financial_year_label(y)) for y in years]]
        )

    def filter_year(
        self, runs: QuerySet[PaymentRun], name: str, value: int | None
    ) -> QuerySet[PaymentRun]:
        if value is None:
            return runs
        first, last = financial_year_bounds(value)
        return runs.filter(payment_date__gte=first, payment_date__lte=last)


class ScheduledFilters(ListFilterSet):
    """The scheduled payments of one financial year (this one unless chosen), of one contract
    and one billing period if chosen. The queryset is the provider's scheduled lines of runs;
    the periods still to come are projected with the same choices (`chosen_year`, `chosen()`)."""

    year = IdChoiceFilter(label="Financial year", method="filter_year")
    contract = IdChoiceFilter(label="Contract", field_name="contract_id")
    # A billing period is a council's ("<council id>:<first day>"), as periods to come have no
    # row yet to name by id.
    period = ChoiceFilter(label="Billing period", method="filter_period")

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[PaymentLine],
        *,
        years: list[int],
        current: int,
        contracts: list[tuple[int, str]],
        periods: list[tuple[str, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.current = current
        self.set_choices("year", [(y, financial_year_label(y)) for y in years])
        self.filters["year"].extra["initial"] = current
        self.set_choices("contract", [("", "All contracts"), *contracts])
        self.set_choices("period", [("", "All billing periods"), *periods])

    def chosen_year(self) -> int:
        year = self.chosen()["year"]
        return year if year is not None else self.current

    def filter_year(
        self, lines: QuerySet[PaymentLine], name: str, value: int | None
    ) -> QuerySet[PaymentLine]:
        first, last = financial_year_bounds(value if value is not None else self.current)
        return lines.filter(run__period__start_date__gte=first, run__period__start_date__lte=last)

    def filter_period(
        self, lines: QuerySet[PaymentLine], name: str, value: str
    ) -> QuerySet[PaymentLine]:
        council, _, start = value.partition(":")
        return lines.filter(run__council_id=int(council), run__period__start_date=start)
