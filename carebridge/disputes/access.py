"""The access helpers of disputes: a dispute, or 404 for one the user may not see; and the
provider's disputes refused where it has no actuals to dispute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from carebridge.actuals.access import paid_on_actuals, require_actuals_offered
from carebridge.disputes.models import Dispute
from carebridge.disputes.selectors import disputes_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def dispute_for(user: User, pk: int) -> Dispute:
    """The dispute `pk` if the user may see it; 404 (never saying it exists) if not, and for a
    provider whose council buys residential or nursing care from it (no actuals, so nothing of
    that council's to dispute)."""
    dispute = get_object_or_404(disputes_for(user), pk=pk)
    if user.provider_id is not None and not paid_on_actuals(user.provider_id, dispute.council_id):
        raise Http404
    return dispute


def require_disputes_offered(user: User, council_id: int | None = None) -> None:
    """Refuse (403) the provider's Disputes pages where Actuals are refused: disputes are of
    posted actuals (actuals.access)."""
    require_actuals_offered(user, council_id)
