"""Reads of councils, providers and contracts, scoped to what the acting user may see."""

from typing import TYPE_CHECKING

from django.db import models

from carebridge.organisations.models import Contract, Council, Provider

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def councils_of_provider(provider_id: int) -> models.QuerySet[Council]:
    """The councils a provider holds a contract with."""
    return Council.objects.filter(contracts__provider_id=provider_id).distinct()


def providers_of_council(council_id: int) -> models.QuerySet[Provider]:
    """The providers a council holds a contract with."""
    return Provider.objects.filter(contracts__council_id=council_id).distinct()


def councils_visible_to(user: "User") -> models.QuerySet[Council]:
    """A council user sees their own council; a provider user every council they work for."""
    if user.council_id is not None:
        return Council.objects.filter(pk=user.council_id)
    if user.provider_id is not None:
        return councils_of_provider(user.provider_id)
    return Council.objects.none()


def contracts_visible_to(user: "User", *, council_slug: str = "") -> models.QuerySet[Contract]:
    """Contracts of the user's organisation, optionally for one council only."""
    if user.council_id is not None:
        contracts = Contract.objects.filter(council_id=user.council_id)
    elif user.provider_id is not None:
        contracts = Contract.objects.filter(provider_id=user.provider_id)
    else:
        return Contract.objects.none()
    if council_slug:
        contracts = contracts.filter(council__slug=council_slug)
    return contracts.select_related("council", "provider")
