"""The access helpers of payments: an invoice or a variation request, or 404 for one the user
may not see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from carebridge.payments.models import (
    ClaimAttachment,
    Invoice,
    OneOffClaim,
    PaymentRun,
    VariationRequest,
)
from carebridge.payments.selectors import invoices_for
from carebridge.payments.selectors.claims import claims_for
from carebridge.payments.selectors.runs import runs_for
from carebridge.payments.selectors.variations import variation_requests_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def invoice_for(user: User, pk: int) -> Invoice:
    """The invoice `pk` if the user may see it; 404 (never saying it exists) if not."""
    return get_object_or_404(invoices_for(user), pk=pk)


def variation_request_for(user: User, pk: int) -> VariationRequest:
    """The variation request `pk` if the user may see it; 404 (never saying it exists) if not."""
    return get_object_or_404(variation_requests_for(user), pk=pk)


def claim_for(user: User, pk: int) -> OneOffClaim:
    """The one-off claim `pk` if the user may see it; 404 (never saying it exists) if not."""
    return get_object_or_404(claims_for(user), pk=pk)


def claim_attachment_for(user: User, claim: OneOffClaim, pk: int) -> ClaimAttachment:
    """A file of a claim the user may see; 404 for any other."""
    return get_object_or_404(ClaimAttachment.objects.select_related("claim"), pk=pk, claim=claim)


def payment_run_for(user: User, pk: int) -> PaymentRun:
    """A payment run of the user's council; 404 for any other (and for a provider's user)."""
    return get_object_or_404(
        runs_for(user).select_related("prepared_by", "approved_by", "finalised_by", "discarded_by"),
        pk=pk,
    )
