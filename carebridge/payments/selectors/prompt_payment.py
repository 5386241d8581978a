"""Reads for the payments officer's home page: the runs waiting for a second officer, the
invoices waiting for a decision, the share of valid invoices paid within 30 days per quarter of
the financial year, and the invoices at risk of being paid late. Each is one or two queries,
whatever the council's number of invoices or runs; the 30-day rule itself is
`payments.prompt_payment`'s, never counted a second time here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from carebridge.actuals.models import Confirmation
from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.core import calendar
from carebridge.payments.choices import InvoiceKind, InvoiceStatus, LineSource, RunStatus
from carebridge.payments.models import Invoice, PaymentLine, PaymentRun
from carebridge.payments.prompt_payment import (
    PromptPayment,
    days_taken,
    due_by,
    paid_within_terms,
    prompt_payment,
)
from carebridge.payments.selectors.invoices import invoices_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "AT_RISK_WITHIN_DAYS",
    "PAID_AS_INVOICE",
    "PAID_AS_PERIOD",
    "AtRisk",
    "InvoicesWaiting",
    "Quarter",
    "QuarterRow",
    "invoices_at_risk",
    "invoices_waiting",
    "paid_invoices",
    "prompt_payment_quarters",
    "prompt_payment_rows",
    "quarter_of",
    "quarters_of",
    "runs_to_approve",
]

# An unpaid invoice due within this many days (or overdue) is at risk of being paid late.
AT_RISK_WITHIN_DAYS = 7
QUARTERS_SHOWN = 4
# The month each quarter of a financial year starts in (Q4 in the next calendar year).
_QUARTER_STARTS = {1: 4, 2: 7, 3: 10, 4: 1}
# A credit note is money back to the council: there is nothing to pay promptly.
_PAYABLE = ~Q(kind=InvoiceKind.CREDIT_NOTE)


def runs_to_approve(user: User) -> list[PaymentRun]:
    """The council's open runs prepared by another officer (the one who prepared a run cannot
    approve it), oldest period first, each with its number of lines (`line_count`) and total
    (`line_total`); none for a user who may not decide on payments."""
    if user.council_id is None:
        return []
    return list(
        PaymentRun.objects.filter(
            council_id=user.council_id, status__in=[RunStatus.PREPARED, RunStatus.APPROVED]
        )
        .exclude(prepared_by=user)
        .select_related("period", "prepared_by")
        .annotate(
            line_count=Count("lines"),
            line_total=Coalesce(
                Sum("lines__total"), Value(Decimal("0.00")), output_field=DecimalField()
            ),
        )
        .order_by("period__start_date", "pk")
    )


@dataclass(frozen=True)
class InvoicesWaiting:
    """The council's invoices waiting for the payments team: submitted or held."""

    submitted: int
    held: int
    oldest: datetime | None
    today: date

    @property
    def count(self) -> int:
        return self.submitted + self.held

    @property
    def oldest_days(self) -> int | None:
        """Days since the longest-waiting invoice was received."""
        return None if self.oldest is None else days_taken(self.oldest, None, today=self.today)


def invoices_waiting(user: User, *, today: date | None = None) -> InvoicesWaiting:
    """How many invoices wait (submitted, held) and when the longest-waiting one was received,
    in one query."""
    waiting = invoices_for(user).filter(status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.HELD])
    counts = waiting.aggregate(
        submitted=Count("pk", filter=Q(status=InvoiceStatus.SUBMITTED)),
        held=Count("pk", filter=Q(status=InvoiceStatus.HELD)),
        oldest=Min("submitted_at"),
    )
    return InvoicesWaiting(
        submitted=counts["submitted"] or 0,
        held=counts["held"] or 0,
        oldest=counts["oldest"],
        today=today or calendar.today(),
    )


@dataclass(frozen=True)
class Quarter:
    """A quarter of the financial year (April to June is Q1) and the council's valid invoices
    paid in it: how many, and how many within 30 days of receipt."""

    year: int
    number: int
    first: date
    last: date
    in_progress: bool
    paid: int = 0
    on_time: int = 0

    @property
    def label(self) -> str:
        return f"Q{self.number} {financial_year_label(self.year)}"

    @property
    def share(self) -> Decimal | None:
        """The percentage paid within 30 days, to one decimal place; None when none was paid."""
        if not self.paid:
            return None
        return (Decimal(100 * self.on_time) / self.paid).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def quarter_of(day: date) -> tuple[int, int]:
    """The financial year (the year it starts in) and quarter (1 to 4) of a day."""
    year = financial_year_of(day)
    months_in = (day.month - 4) % 12
    return year, months_in // 3 + 1


def _quarter(year: int, number: int, today: date) -> Quarter:
    first = date(year + (number == 4), _QUARTER_STARTS[number], 1)
    following = date(year + (number >= 3), _QUARTER_STARTS[number % 4 + 1], 1)
    last = following - timedelta(days=1)
    return Quarter(year, number, first, last, in_progress=first <= today <= last)


def _last_quarters(today: date, count: int) -> list[Quarter]:
    """The quarter today is in and the ones before it, oldest first."""
    year, number = quarter_of(today)
    found = []
    for _ in range(count):
        found.append(_quarter(year, number, today))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    return found[::-1]


def paid_invoices(council_id: int, first: date, last: date) -> QuerySet[Invoice]:
    """The council's valid invoices (not credit notes) received and paid from `first` to
    `last`: what the share paid within 30 days counts, on the home page and in the report."""
    return Invoice.objects.filter(
        _PAYABLE,
        council_id=council_id,
        submitted_at__isnull=False,
        paid_on__gte=first,
        paid_on__lte=last,
    )


def prompt_payment_quarters(user: User, *, today: date | None = None) -> list[Quarter]:
    """The last four quarters (the one in progress last, so far): the council's valid invoices
    paid in each, counted in the quarter they were paid in, from when they were received as
    they stand (an invoice returned and submitted again, from its resubmission), in one
    query."""
    today = today or calendar.today()
    quarters = _last_quarters(today, QUARTERS_SHOWN)
    if user.council_id is None:
        return quarters
    paid = (
        paid_invoices(user.council_id, quarters[0].first, quarters[-1].last)
        .order_by()
        .values_list("submitted_at", "paid_on")
    )
    counts: dict[tuple[int, int], list[int]] = {(q.year, q.number): [0, 0] for q in quarters}
    for received, paid_on in paid:
        if received is None or paid_on is None:
            continue  # the query leaves none out; this tells the type checker so
        tally = counts[quarter_of(paid_on)]
        tally[0] += 1
        tally[1] += paid_within_terms(received, paid_on)
    return [
        Quarter(
            q.year,
            q.number,
            q.first,
            q.last,
            q.in_progress,
            paid=counts[(q.year, q.number)][0],
            on_time=counts[(q.year, q.number)][1],
        )
        for q in quarters
    ]


PAID_AS_INVOICE = "Invoice"
PAID_AS_PERIOD = "Self-billed period"


@dataclass
class QuarterRow:
    """One quarter's payments to one provider of one kind (invoices, or self-billed periods):
    how many were paid in the quarter, how many within 30 days, the days they took in all (for
    the average) and the value of those paid late."""

    quarter: Quarter
    provider_id: int
    paid_as: str
    paid: int = 0
    on_time: int = 0
    days: int = 0
    late_value: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def count(self, received: date | datetime, paid_on: date, value: Decimal) -> None:
        self.paid += 1
        self.days += days_taken(received, paid_on)
        if paid_within_terms(received, paid_on):
            self.on_time += 1
        else:
            self.late_value += value


def quarters_of(year: int, *, today: date | None = None) -> list[Quarter]:
    """The quarters of the financial year begun by today, Q1 first."""
    today = today or calendar.today()
    quarters = [_quarter(year, number, today) for number in (1, 2, 3, 4)]
    return [q for q in quarters if q.first <= today]


def _paid_periods(
    council_id: int, first: date, last: date, provider_id: int | None
) -> list[tuple[int, datetime | None, date, Decimal]]:
    """Each self-billed period a finalised run paid a provider from `first` to `last`: the
    provider, when it was received (the provider's latest confirmation of the period before
    the run was finalised, as its remittance says: a later one is for a later run), the payment
    date and the value paid for its confirmed actuals. Two queries."""
    lines = PaymentLine.objects.filter(
        council_id=council_id,
        source=LineSource.ACTUAL,
        run__status=RunStatus.FINALISED,
        run__payment_date__gte=first,
        run__payment_date__lte=last,
    )
    confirmations = Confirmation.objects.filter(period__council_id=council_id)
    if provider_id is not None:
        lines = lines.filter(provider_id=provider_id)
        confirmations = confirmations.filter(provider_id=provider_id)
    paid = list(
        lines.order_by()
        .values_list(
            "run_id", "provider_id", "actual__period_id", "run__payment_date", "run__finalised_at"
        )
        .annotate(value=Sum("total"))
    )
    moments: dict[tuple[int, int], list[datetime]] = {}
    for period_id, provider, at in confirmations.filter(
        period_id__in={row[2] for row in paid}
    ).values_list("period_id", "provider_id", "confirmed_at"):
        moments.setdefault((period_id, provider), []).append(at)
    periods = []
    for _run, provider, period_id, paid_on, finalised_at, value in paid:
        before = [
            at
            for at in moments.get((period_id, provider), [])
            if finalised_at is None or at <= finalised_at
        ]
        periods.append((provider, max(before) if before else None, paid_on, value))
    return periods


def prompt_payment_rows(
    council_id: int, year: int, *, provider_id: int | None = None, today: date | None = None
) -> list[QuarterRow]:
    """Per quarter of the financial year (begun by today), provider and kind, the council's
    valid invoices and self-billed periods paid in it, counted in the quarter they were paid
    in by the 30-day rule of `payments.prompt_payment`: the invoices as the home page's
    `prompt_payment_quarters` counts them. A period never confirmed before it was paid was
    never received, and is not counted. Three queries; rows with nothing paid are left out."""
    quarters = quarters_of(year, today=today)
    if not quarters:
        return []
    by_number = {q.number: q for q in quarters}
    first, last = quarters[0].first, quarters[-1].last
    rows: dict[tuple[int, int, str], QuarterRow] = {}

    def row(paid_on: date, provider: int, paid_as: str) -> QuarterRow:
        quarter = by_number[quarter_of(paid_on)[1]]
        key = (quarter.number, provider, paid_as)
        if key not in rows:
            rows[key] = QuarterRow(quarter, provider, paid_as)
        return rows[key]

    invoices = paid_invoices(council_id, first, last)
    if provider_id is not None:
        invoices = invoices.filter(provider_id=provider_id)
    # An invoice's value is what finalised runs paid on it (its lines, with their VAT).
    paid_on_lines = Sum(
        "payment_lines__total", filter=Q(payment_lines__run__status=RunStatus.FINALISED)
    )
    for _pk, provider, received, paid_on, value in (
        invoices.order_by()
        .values_list("pk", "provider_id", "submitted_at", "paid_on")
        .annotate(
            value=Coalesce(paid_on_lines, Value(Decimal("0.00")), output_field=DecimalField())
        )
    ):
        if received is not None and paid_on is not None:  # the query leaves none out
            row(paid_on, provider, PAID_AS_INVOICE).count(received, paid_on, value)
    for provider, received, paid_on, value in _paid_periods(council_id, first, last, provider_id):
        if received is not None:
            row(paid_on, provider, PAID_AS_PERIOD).count(received, paid_on, value)
    return [rows[key] for key in sorted(rows)]


@dataclass(frozen=True)
class AtRisk:
    """The invoices at risk of being paid late: the soonest due first (up to the page's
    limit), and how many there are in all."""

    rows: list[tuple[Invoice, PromptPayment]]
    count: int


def invoices_at_risk(user: User, *, today: date | None = None, limit: int = 10) -> AtRisk:
    """The council's submitted or authorised invoices, unpaid, due within seven days or
    overdue, soonest due first, each with its prompt-payment facts: two queries."""
    today = today or calendar.today()
    # The 30 days are prompt_payment's: received on `latest` or before means due by
    # today + AT_RISK_WITHIN_DAYS or before.
    latest = today + timedelta(days=AT_RISK_WITHIN_DAYS) - (due_by(today) - today)
    at_risk = (
        invoices_for(user)
        .filter(
            _PAYABLE,
            status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.AUTHORISED],
            paid_on__isnull=True,
            submitted_at__lt=calendar.london_midnight(latest + timedelta(days=1)),
        )
        .order_by("submitted_at", "pk")
    )
    rows = [
        (invoice, facts)
        for invoice in at_risk[:limit]
        if (facts := prompt_payment(invoice.submitted_at, None, today=today)) is not None
    ]
    return AtRisk(rows=rows, count=at_risk.count())
