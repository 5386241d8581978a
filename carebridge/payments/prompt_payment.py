"""Prompt payment: the one place the 30-day rule lives.

Public bodies must pay valid, undisputed invoices within 30 days of receiving them (Public
Contracts Regulations 2015, regulation 113) and publish how often they do. The provider's invoice
pages, its remittance list (for self-billed periods) and the council's home page all count days
here, so they never disagree about what "on time" means.

Days are London calendar days: an invoice received at 11:30pm on 1 March in London was received
on 1 March, whatever UTC says; the regulation counts calendar days, not working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from carebridge.core import calendar

PROMPT_PAYMENT_DAYS = 30
_WITHIN = timedelta(days=PROMPT_PAYMENT_DAYS)


def received_day(received: date | datetime) -> date:
    """The London day something was received (a moment such as Invoice.submitted_at, or a day)."""
    if isinstance(received, datetime):
        return calendar.to_london(received).date()
    return received


def due_by(received: date | datetime) -> date:
    """The last day it may be paid on and still count as paid within 30 days."""
    return received_day(received) + _WITHIN


def days_taken(
    received: date | datetime, paid_on: date | None, *, today: date | None = None
) -> int:
    """Days from receipt to payment; while unpaid, the days so far (up to today)."""
    end = paid_on if paid_on is not None else (today or calendar.today())
    # Never negative: a payment date before receipt (a data slip) reads as the same day.
    return max((end - received_day(received)).days, 0)


def paid_within_terms(received: date | datetime, paid_on: date) -> bool:
    """Whether a payment met the 30-day rule: the council's share paid within 30 days counts
    these."""
    return paid_on <= due_by(received)


def is_overdue(
    received: date | datetime, paid_on: date | None, *, today: date | None = None
) -> bool:
    """Unpaid and past its due-by day: an invoice at risk of being (or already) paid late."""
    if paid_on is not None:
        return False
    return (today or calendar.today()) > due_by(received)


@dataclass(frozen=True)
class PromptPayment:
    """What a page shows of one invoice or self-billed period: received, due by, paid on and
    the days taken (or so far)."""

    received: date
    due_by: date
    paid_on: date | None
    days: int
    overdue: bool

    @property
    def paid(self) -> bool:
        return self.paid_on is not None

    @property
    def on_time(self) -> bool | None:
        """Paid within 30 days; None while unpaid."""
        return None if self.paid_on is None else self.paid_on <= self.due_by

    @property
    def days_label(self) -> str:
        """ "12 days", or "12 days so far" while unpaid."""
        unit = "day" if self.days == 1 else "days"
        return f"{self.days} {unit}" if self.paid else f"{self.days} {unit} so far"

    @property
    def overdue_by(self) -> int:
        """Days past the due-by day (0 unless overdue), for the Overdue tag's words."""
        return max(self.days - PROMPT_PAYMENT_DAYS, 0) if self.overdue else 0


def prompt_payment(
    received: date | datetime | None, paid_on: date | None, *, today: date | None = None
) -> PromptPayment | None:
    """The prompt-payment facts of one invoice or period; None until it has been received."""
    if received is None:
        return None
    day = received_day(received)
    when = today or calendar.today()
    return PromptPayment(
        received=day,
        due_by=due_by(day),
        paid_on=paid_on,
        days=days_taken(day, paid_on, today=when),
        overdue=is_overdue(day, paid_on, today=when),
    )
