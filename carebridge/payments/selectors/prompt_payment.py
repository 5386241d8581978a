"""Reads for the payments officer's home page: the runs waiting for a second officer, the
invoices waiting for a decision, the share of valid invoices paid within 30 days per quarter of
the financial year, and the invoices at risk of being paid late. Each is one or two queries,
whatever the council's number of invoices or runs; the 30-day rule itself is
`payments.prompt_payment`'s, never counted a second time here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, DecimalField, Min, Q, Sum, Value
from django.db.models.functions import Coalesce

from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.core import calendar
from carebridge.payments.choices import InvoiceKind, InvoiceStatus, RunStatus
from carebridge.payments.models import Invoice, PaymentRun
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
    "AtRisk",
    "InvoicesWaiting",
    "Quarter",
    "invoices_at_risk",
    "invoices_waiting",
    "prompt_payment_quarters",
    "quarter_of",
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
        Invoice.objects.filter(
            _PAYABLE,
            council_id=user.council_id,
            submitted_at__isnull=False,
            paid_on__gte=quarters[0].first,
            paid_on__lte=quarters[-1].last,
        )
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
