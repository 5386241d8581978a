"""Reads of credit notes and supplementary invoices, scoped to the acting user's organisation:
what is invoiced net for each actual (its invoice line, plus supplementary lines, less credit
notes), and an invoice's corrections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, DecimalField, F, QuerySet, Sum, When

from carebridge.payments.choices import InvoiceKind
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors.invoices import invoices_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = ["Invoiced", "corrections_of", "invoiced_net"]

# SQLite's limit on a query's parameters, with room to spare.
_CHUNK = 900


@dataclass(frozen=True)
class Invoiced:
    """What the provider has invoiced for one CPLI week, net of its corrections."""

    quantity: Decimal
    amount: Decimal


def _signed(field: str) -> Case:
    # A credit note's lines hold positive amounts (what it credits): they count against.
    return Case(
        When(kind=InvoiceKind.CREDIT_NOTE, then=-F(field)),
        default=F(field),
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def invoiced_net(user: User, actual_ids: Iterable[int]) -> dict[int, Invoiced]:
    """For each of these actuals on an invoice the user may see, its invoice and supplementary
    lines less its credit note lines; an actual on no invoice is left out. One query per 900
    actuals, whatever the number of invoices."""
    ids = sorted(set(actual_ids))
    net: dict[int, Invoiced] = {}
    visible = invoices_for(user).values("pk")
    for start in range(0, len(ids), _CHUNK):
        rows = (
            InvoiceLine.objects.filter(actual_id__in=ids[start : start + _CHUNK])
            .filter(invoice__in=visible)
            .order_by()
            .values("actual_id")
            .annotate(quantity=Sum(_signed("quantity")), amount=Sum(_signed("amount")))
        )
        for row in rows:
            net[row["actual_id"]] = Invoiced(
                quantity=row["quantity"] or Decimal("0"),
                amount=(row["amount"] or Decimal("0")).quantize(Decimal("0.01")),
            )
    return net


def corrections_of(user: User, invoice: Invoice) -> QuerySet[Invoice]:
    """The credit notes and supplementary invoices of an invoice the user may see, oldest first;
    none for a user who may not see them."""
    return invoices_for(user).filter(corrects=invoice).order_by("created_at", "pk")
