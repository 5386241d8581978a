"""The access helper of disputes: a dispute, or 404 for one the user may not see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import get_object_or_404

from carebridge.disputes.models import Dispute
from carebridge.disputes.selectors import disputes_for

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def dispute_for(user: User, pk: int) -> Dispute:
    """The dispute `pk` if the user may see it; 404 (never saying it exists) if not."""
    return get_object_or_404(disputes_for(user), pk=pk)
