"""The demo's credit note: while the payments team holds an invoice to check its hours, the
provider finds that a client missed a call in one invoiced week, and amends the week in its
actuals (the period's payment not yet processed). The portal raises the credit note for the difference, referenced to the invoice
and submitted to the payments team, and the provider confirms the period again. All of it
through the actuals' own save, as a provider does it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.contracts.choices import Unit
from carebridge.demo.common import Tally
from carebridge.organisations.choices import MissedReason
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice

if TYPE_CHECKING:
    from carebridge.demo.payments_demo import InvoicesTold, PaymentsCast

MISSED_COMMENT = (
    "One call missed: the family had told us the client would be out with them that day. "
    "Found when we checked our visits against the monitoring system after invoicing"
)
# The invoices the demo amends a week of, best first: the held one, whose reason queries its
# hours. The council has each of them, so only a credit note can correct it. (The authorised
# and paid ones are of a period whose payment is processed: its weeks cannot change.)
_AMENDABLE = (InvoiceStatus.HELD, InvoiceStatus.SUBMITTED, InvoiceStatus.AUTHORISED)


def _week_to_amend(told: InvoicesTold) -> Actual | None:
    """An hourly week of the first amendable invoice whose period is not yet paid, delivered
    as planned, with an hour to take off."""
    for status in _AMENDABLE:
        for invoice in told.by_status.get(status, []):
            if invoice.period.is_paid:
                continue
            week = (
                Actual.objects.filter(
                    invoice_lines__invoice=invoice,
                    cpli__unit=Unit.HOURS,
                    cpli__yearly_allocation__isnull=True,
                    actual__gte=Decimal("2"),
                    frustrated=0,
                    missed=0,
                    extra=0,
                )
                .order_by("week_start", "cpli_id")
                .first()
            )
            if week is not None:
                return week
    return None


def demo_corrections(tally: Tally, cast: PaymentsCast, told: InvoicesTold) -> None:
    """A credit note of a held invoice, for a call the client missed in one week."""
    week = _week_to_amend(told)
    if week is None:
        return
    user = cast.actuals_users[week.provider_id]
    entry = replace(
        week.entry(),
        actual=week.actual - 1,
        missed=week.missed + 1,
        # Absent with notice: not paid, so the invoiced week is credited.
        missed_reason=MissedReason.PLANNED_ABSENCE,
        comments=MISSED_COMMENT,
    )
    item = actuals.Item(cpli_id=week.cpli_id, week_start=week.week_start, entry=entry, ref=week.pk)
    actuals.actuals_save(user, [item])
    actuals.actuals_confirm(user, week.period)
    tally.made("actuals changed")
    tally.made("actuals confirmations")
    tally.made(
        "credit notes",
        Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE, lines__actual=week).count(),
    )
