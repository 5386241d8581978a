"""The one access helper of an invoice: the invoice, or 404 for one the user may not see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from carebridge.payments.models import Invoice
from carebridge.payments.selectors import invoices_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def invoice_for(user: User, pk: int) -> Invoice:
    """The invoice `pk` if the user may see it; 404 (never saying it exists) if not."""
    return get_object_or_404(invoices_for(user), pk=pk)
