"""Remittance Advice (Stockport section 15's "Remittance Advice Provider Payments", Norfolk
section 4's Reports): every payment a finalised run made the provider, with its lines, over a
financial year or the dates chosen of the payment date. The lines are the remittances' own
(`payments.selectors.remittances.remittance_lines`), so a row here is a line of the remittance
advice of its run, in the same order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum

from carebridge.contracts.commitment import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from carebridge.core.calendar import today
from carebridge.core.forms import GuideDateField
from carebridge.payments.selectors.remittances import (
    NO_CLIENT,
    remittance_choices,
    remittance_lines,
)
from carebridge.reports.base import Column, Kind, Paged, Report, Row, Table, Tally, register
from carebridge.reports.filters import ALL, DateRangeFilters, council_field

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.payments.models import PaymentLine

COLUMNS = (
    Column("Council", width=22),
    Column("Run reference", width=16),
    Column("Payment date", Kind.DATE, width=12),
    Column("Client", width=24),
    Column("SS Ref", width=12),
    Column("Service level", width=26),
    Column("Paid for", width=36),
    Column("From", Kind.DATE, width=12),
    Column("To", Kind.DATE, width=12),
    Column("Excl VAT", Kind.MONEY, total=True, width=12),
    Column("VAT", Kind.MONEY, total=True, width=10),
    Column("Total", Kind.MONEY, total=True, width=12),
)
BY_DATES = "Between the dates below"


class Filters(DateRangeFilters):
    """The council, and either a financial year of the payment date (this one on a first visit)
    or the payment dates from one day to another."""

    starts = GuideDateField(label="Paid from", name="the first payment date", required=False)
    ends = GuideDateField(label="Paid to", name="the last payment date", required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data, user=user)
        _councils, years = remittance_choices(user)
        self.fields["council"] = council_field(user)
        self.fields["year"] = forms.TypedChoiceField(
            label="Financial year of the payment date",
            required=False,
            choices=[(ALL, BY_DATES), *[(str(y), financial_year_label(y)) for y in years]],
            coerce=int,
            empty_value=None,
            initial=financial_year_of(today()),
        )
        # The council and the year first, the dates (used when no year is chosen) last.
        self.order_fields(["council", "year", "starts", "ends"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        year, starts, ends = cleaned.get("year"), cleaned.get("starts"), cleaned.get("ends")
        if "year" not in self.data and not (starts or ends):
            # A link naming only the council: this financial year, as on a first visit.
            year = cleaned["year"] = financial_year_of(today())
        if year is not None and (starts or ends):
            self.add_error(
                "year",
                ValidationError(f'Choose a financial year or "{BY_DATES}" and the dates, not both'),
            )
        elif year is None and not starts:
            self.add_error("starts", ValidationError("Enter the first payment date"))
        elif year is None and not ends:
            self.add_error("ends", ValidationError("Enter the last payment date"))
        return cleaned


def _payment_dates(filters: Mapping[str, Any]) -> tuple[date, date]:
    if filters.get("year") is not None:
        return financial_year_bounds(filters["year"])
    return filters["starts"], filters["ends"]


def build(user: User, filters: Mapping[str, Any]) -> Table:
    """Every line of the provider's finalised runs paid in the dates, newest payment first."""
    assert user.provider_id is not None  # a provider's report (Report.may_use)
    first, last = _payment_dates(filters)
    lines = remittance_lines(user).filter(run__payment_date__gte=first, run__payment_date__lte=last)
    if filters.get("council"):
        lines = lines.filter(run__council_id=filters["council"])
    return Table(
        columns=COLUMNS,
        rows=_rows(lines.values_list(*_FIELDS).iterator(chunk_size=2000)),
        notes=[
            "Each run is its own council's, paid on its payment date; its lines are those of "
            "the run's remittance advice. Lines for no one client (a balance carried or brought "
            f'forward) say "{NO_CLIENT}".'
        ],
        empty="No finalised payment runs paid you in these dates.",
        paged=_Paged(lines),
    )


_FIELDS = (
    "run__council_id",
    "run__council__name",
    "run__reference",
    "run__payment_date",
    "service_user_id",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "service_user__ss_ref",
    "cpli__service_level__name",
    "description",
    "covers_from",
    "covers_to",
    "excl_vat",
    "vat",
    "total",
)
# The money columns' positions in COLUMNS, and the lines' fields they sum.
_SUMMED = {9: "excl_vat", 10: "vat", 11: "total"}


class _Paged(Paged):
    """The page's count and totals summed by the database per council, and its 50 lines read
    by offset in the report's order."""

    def __init__(self, lines: QuerySet[PaymentLine]) -> None:
        self.lines = lines

    def tally(self) -> Tally:
        per_council = (
            self.lines.order_by()
            .values("run__council_id")
            .annotate(rows=Count("pk"), **{name: Sum(name) for name in _SUMMED.values()})
        )
        counts: dict[int | None, int] = {}
        sums: dict[int, Decimal | int] = dict.fromkeys(_SUMMED, 0)
        for each in per_council:
            counts[each["run__council_id"]] = each["rows"]
            for i, name in _SUMMED.items():
                if each[name] is not None:
                    sums[i] += each[name]
        return Tally(rows_by_council=counts, sums=sums)

    def rows_between(self, start: int, stop: int) -> list[Row]:
        return list(_rows(iter(self.lines.values_list(*_FIELDS)[start:stop])))


def _rows(values: Iterator[tuple[Any, ...]]) -> Iterator[Row]:
    for council_id, council, reference, paid_on, person, *rest in values:
        title, first, last, ss_ref, level, *line = rest
        client = NO_CLIENT if person is None else " ".join(p for p in (title, first, last) if p)
        yield Row(
            (council, reference, paid_on, client, ss_ref or "", level or "", *line),
            council_id=council_id,
        )


register(
    Report(
        slug="remittance-advice",
        title="Remittance advice",
        summary="Every payment each council's finalised payment runs made you, line by line.",
        side="provider",
        group="Payments",
        form=Filters,
        build=build,
        order=40,
    )
)
