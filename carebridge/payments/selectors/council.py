"""Reads for the council's payments team: its invoice queue (oldest submission first, with each
invoice's exception count and totals for a page in one query) and an invoice's lines with their
actuals."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from carebridge.core.formats import round_money
from carebridge.organisations.models import Provider, Service
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors.invoices import invoices_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "LINE_EXCEPTION",
    "NO_TOTALS",
    "SUBMITTED_EVENTS",
    "Totals",
    "council_queue",
    "invoice_lines",
    "queue_choices",
    "totals_of",
]

Totals = tuple[Decimal, Decimal, Decimal]
NO_TOTALS: Totals = (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))

# A provider's submission of an invoice, as the audit log has it: the queue is oldest first by
# the latest one (a returned invoice submitted again joins the queue at that time).
SUBMITTED_EVENTS = ("invoice.submit", "invoice.resubmit")


# A line the payments team should look at: over the exception when invoiced, or its actual now
# has an exception (does not add up, over the threshold, zero without a comment). A submitted
# invoice has no over-exception line, but its actuals' warnings are still the team's to weigh.
LINE_EXCEPTION = (
    Q(over_exception=True)
    | Q(actual__does_not_add_up=True)
    | Q(actual__over_threshold=True)
    | Q(actual__zero_without_comment=True)
)


def council_queue(user: User) -> QuerySet[Invoice]:
    """The council's invoices for its payments team, oldest submission first, each with its
    latest submission's time (`submitted_at`) and its count of lines with an exception
    (`exceptions`); nothing for a user who is not a council officer."""
    if user.council_id is None:
        return Invoice.objects.none()
    over = (
        InvoiceLine.objects.filter(LINE_EXCEPTION, invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        invoices_for(user)
        .annotate(exceptions=Coalesce(Subquery(over), 0))
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )


def queue_choices(user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The providers and services the council's queue may be filtered by: those with an invoice
    the payments team sees, each service named with its provider."""
    invoices = invoices_for(user)
    providers = (
        Provider.objects.filter(pk__in=invoices.values("provider_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    services = (
        Service.objects.filter(pk__in=invoices.values("service_id"))
        .select_related("provider")
        .order_by("provider__name", "name", "pk")
    )
    return list(providers), [(s.pk, f"{s.name} ({s.provider.name})") for s in services]


def totals_of(invoice_ids: Iterable[int]) -> dict[int, Totals]:
    """Each invoice's Excl VAT, VAT and Total, reckoned as `invoice_totals` reckons one (the
    lines' sum to the penny, each line's VAT rounded once), for a page of invoices in one query."""
    totals: dict[int, Totals] = {}
    lines = InvoiceLine.objects.filter(invoice_id__in=list(invoice_ids)).order_by()
    for invoice_id, amount, rate in lines.values_list("invoice_id", "amount", "vat_rate"):
        excl, vat, _total = totals.get(invoice_id, NO_TOTALS)
        excl, vat = excl + amount, vat + round_money(amount * rate / 100)
        totals[invoice_id] = (excl, vat, excl + vat)
    return totals


def invoice_lines(invoice: Invoice) -> QuerySet[InvoiceLine]:
    """An invoice's lines with their actuals (Pl, Frstd, Msd, Xtr, Vst, Actual, cost, comments),
    clients and service levels, in one query; a line of a one-off claim has no actual."""
    return invoice.lines.select_related(
        "actual", "actual__service_user", "cpli__service_level"
    ).order_by(
        "actual__service_user__last_name",
        "actual__service_user__first_name",
        "cpli_id",
        "actual__week_start",
        "pk",
    )
