"""Object access for retention: a legal hold is found only within the acting user's council."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.shortcuts import get_object_or_404

from carebridge.retention.models import LegalHold

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def council_id_of(user: User) -> int:
    """The acting user's council; a user of no council finds nothing here (404)."""
    if user.council_id is None:
        raise Http404
    return user.council_id


def access_hold(user: User, pk: int) -> LegalHold:
    """The council's legal hold, or 404 (also for another council's)."""
    return get_object_or_404(LegalHold, pk=pk, council_id=council_id_of(user))
