"""Object access for referrals: 404 when the acting user may not see the referral."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.core.permissions import Function, can_edit
from carebridge.referrals.choices import ReferralStatus
from carebridge.referrals.models import Referral
from carebridge.referrals.selectors import referrals_visible_to

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def access_referral(user: User, pk: int, *, for_change: bool = False) -> Referral:
    referral = (
        referrals_visible_to(user)
        .select_related("service_user", "district", "provider", "council__rulebook", "answered_by")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    if for_change and not can_edit(user.role, Function.REFERRALS):
        raise PermissionDenied
    return referral


# Ends after which the provider never gives (or no longer gives) this person care: it keeps the
# referral's summary for its records, but no longer needs where the person lives, their NHS
# number, contacts, health or care needs.
ENDED_WITHOUT_CARE = frozenset(
    {ReferralStatus.REFUSED, ReferralStatus.WITHDRAWN, ReferralStatus.FAILED}
)


def shows_person(user: User, referral: Referral) -> bool:
    """Whether the user may read the person's details on this referral, or its summary only."""
    if user.council_id is not None and user.council_id == referral.council_id:
        return True
    return referral.status not in ENDED_WITHOUT_CARE
