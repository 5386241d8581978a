"""Actions about a commitment (Norfolk's guide, section 12: "Selecting Spot Commitment will allow
you to select the different Spot Commitments you have in the system. Selecting Value Commitment
will allow you to select the Block Top Up and Unplanned Absence levels"). In Carebridge a spot
commitment is a spot-priced CPLI and a value commitment a block-priced one (the block contract's
committed level); the action keeps the CPLI's id (Action.related_id). Contracts answers which
lines a new action may be about and what an action's "Re:" says and links to (both through
core.related_to), always through cplis_visible_to, so nobody is offered another provider's line
or another council's. A commitment is named by its care package, service, level and start, never
by the client: the "Re:" is shown to whoever reads the action, who may not see the client."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from django.urls import reverse

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action
from carebridge.contracts.choices import CpliStatus, PricingBasis
from carebridge.contracts.models import Cpli
from carebridge.contracts.selectors import contract_documents_visible_to, cplis_visible_to
from carebridge.core.formats import guide_date
from carebridge.core.related_to import RelatedTo

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.organisations.models import Council


def _label(cpli: Cpli) -> str:
    return (
        f"Care package {cpli.care_package_reference}, {cpli.service.name}, "
        f"{cpli.service_level.name}: {cpli.description}, from {guide_date(cpli.start_date)}"
    )


def _choices(user: User, council: Council, provider_id: int, basis: str) -> list[tuple[int, str]]:
    """The provider's lines of this basis with the council that the user may see (a provider's
    own, a council officer's council's), in one query; a rejected line was never a commitment."""
    cplis = (
        cplis_visible_to(user)
        .filter(council=council, provider_id=provider_id, pricing_basis=basis)
        .exclude(status=CpliStatus.REJECTED)
        .select_related("service", "service_level")
        .order_by("care_package_reference", "start_date", "pk")
    )
    return [(cpli.pk, _label(cpli)) for cpli in cplis]


def spot_commitment_choices(
    user: User, council: Council, provider_id: int
) -> list[tuple[int, str]]:
    return _choices(user, council, provider_id, PricingBasis.SPOT)


def value_commitment_choices(
    user: User, council: Council, provider_id: int
) -> list[tuple[int, str]]:
    return _choices(user, council, provider_id, PricingBasis.BLOCK)


def _related(user: User, action_ids: Collection[int], kind_label: str) -> dict[int, RelatedTo]:
    """ "Care package CP-1, <service>, <level>: <line>, from <date> (Spot commitment)", linking to
    the contract document that ordered the line for a user who may see it. Three queries for
    all the actions shown, whatever their number."""
    held = dict(
        Action.objects.filter(pk__in=list(action_ids), related_id__isnull=False).values_list(
            "pk", "related_id"
        )
    )
    if not held:
        return {}
    cplis = Cpli.objects.select_related("service", "service_level").in_bulk(set(held.values()))
    documents = set(
        contract_documents_visible_to(user)
        .filter(pk__in={cpli.document_id for cpli in cplis.values()})
        .values_list("pk", flat=True)
    )
    found: dict[int, RelatedTo] = {}
    for action_id, cpli_id in held.items():
        cpli = cplis.get(cpli_id)
        if cpli is None:
            continue
        url = ""
        if cpli.document_id in documents:
            url = reverse("contracts:document_detail", args=[cpli.document_id])
        found[action_id] = RelatedTo(label=f"{_label(cpli)} ({kind_label})", url=url)
    return found


def spot_commitment_actions(user: User, action_ids: Collection[int]) -> dict[int, RelatedTo]:
    """core.related_to's source for actions about a spot commitment."""
    return _related(user, action_ids, RelatedKind.SPOT_COMMITMENT.label)


def value_commitment_actions(user: User, action_ids: Collection[int]) -> dict[int, RelatedTo]:
    """core.related_to's source for actions about a value commitment."""
    return _related(user, action_ids, RelatedKind.VALUE_COMMITMENT.label)
