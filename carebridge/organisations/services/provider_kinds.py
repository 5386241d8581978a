"""The council's say on what it commissions from a provider: home care, or residential or
nursing care (organisations.models.ProviderCouncil)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.audit.services import record
from carebridge.organisations.models import Council, Provider
from carebridge.organisations.provider_kinds import ProviderCouncil, ProviderKind


@transaction.atomic
def provider_kind_set(
    *, council: Council, provider: Provider, kind: str, by: Any
) -> ProviderCouncil:
    """Say what kind of care the council buys from the provider; set once, changed after that
    (one for each council and provider), and logged in both their logs with what it was."""
    if kind not in ProviderKind.values:
        raise ValidationError({"kind": "Choose home care, residential care or nursing care"})
    if not provider.contracts.filter(council=council).exists():
        raise ValidationError({"provider": "Choose a provider the council has a contract with"})
    found = (
        ProviderCouncil.objects.select_for_update()
        .filter(council=council, provider=provider)
        .first()
    )
    before = found.kind if found is not None else ProviderKind.HOME_CARE
    if found is None:
        found = ProviderCouncil(council=council, provider=provider, kind=kind)
    found.kind = kind
    found.full_clean()
    found.save()
    record(
        action="provider.kind_set",
        by=by,
        obj=found,
        council=council,
        provider=provider,
        before={"kind": before},
        after={"kind": kind},
    )
    return found
