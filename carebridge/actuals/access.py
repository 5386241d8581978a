"""Who is offered actuals at all. A provider enters actuals for the councils that pay it on
what it delivers (home care); a council that buys residential or nursing care from it pays on the
placement, so for that council it has no actuals and nothing to dispute (Stockport's guide,
section 3). What a council buys from a provider is organisations.ProviderCouncil, set by the
council; a provider with none for a council gives it home care."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from carebridge.organisations.provider_kinds import PAID_ON_ACTUALS, ProviderCouncil
from carebridge.organisations.selectors import councils_of_provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def councils_not_paying_on_actuals(provider_id: int) -> frozenset[int]:
    """The councils that buy residential or nursing care from the provider (one query)."""
    return frozenset(
        ProviderCouncil.objects.filter(provider_id=provider_id)
        .exclude(kind__in=PAID_ON_ACTUALS)
        .values_list("council_id", flat=True)
    )


def paid_on_actuals(provider_id: int, council_id: int | None = None) -> bool:
    """Whether the council pays the provider on actuals; with no council, whether any of the
    councils it has a contract with does, or it has none yet (its Actuals page then says it has
    no care packages). One query, and a second for a provider some council does not pay so."""
    not_paying = councils_not_paying_on_actuals(provider_id)
    if council_id is not None or not not_paying:
        return council_id not in not_paying
    return councils_of_provider(provider_id).exclude(pk__in=not_paying).exists()


def actuals_offered(user: User, council_id: int | None = None) -> bool:
    """Whether Actuals and Disputes are offered to the user: always to a council's staff (their
    own council's pages); to a provider's staff when a council pays the provider on actuals (the
    one it chose to look at, or any of its councils)."""
    if user.provider_id is None:
        return True
    return paid_on_actuals(user.provider_id, council_id)


def require_actuals_offered(user: User, council_id: int | None = None) -> None:
    """Refuse (403, as a page a role may not use) Actuals and Disputes to a provider that no
    council, or not the council it chose, pays on actuals."""
    if not actuals_offered(user, council_id):
        raise PermissionDenied
