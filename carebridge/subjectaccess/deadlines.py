"""A subject access request's time limit (UK GDPR art. 12(3)): one calendar month from receipt,
which is the corresponding day of the next month, or that month's last day when it has none
(31 January -> 28 or 29 February); extendable by two further months."""

from __future__ import annotations

from datetime import date

from carebridge.core.calendar import add_calendar_months

ONE_MONTH = 1
EXTENSION_MONTHS = 2


def due_on(received_on: date) -> date:
    return add_calendar_months(received_on, ONE_MONTH)


def extended_due_on(received_on: date) -> date:
    """Counted from receipt again (1 + 2 months), so a short month on the way costs no days."""
    return add_calendar_months(received_on, ONE_MONTH + EXTENSION_MONTHS)


def days_left(due: date, today: date) -> int:
    """Negative when overdue."""
    return (due - today).days
