"""The paper signature a residential or nursing provider sends after agreeing a contract
(Stockport's guide, appendix 1): besides agreeing the document in the portal, the provider signs
it on paper with the client and a third party, scans it, and sends it on a new action of the
council's "signed contract" type, related to the client, with the title "Signed contract
attached" and no due date needed; the type's brokerage team closes the action on receipt.

The document page reads here whether to ask for it, and the address of the new action already
filled in as the guide says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action, ActionType
from carebridge.actuals.access import paid_on_actuals
from carebridge.contracts.choices import DocumentKind, DocumentStatus
from carebridge.contracts.models import ContractDocument
from carebridge.core.permissions import Function, can_edit

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class SignedContractStep:
    """What the provider is asked to do next with an agreed contract: send it signed on paper
    (`new_action_url`), or nothing more once it has (`sent`, the action it was sent on)."""

    new_action_url: str
    sent: Action | None


def signed_contract_step(user: User, document: ContractDocument) -> SignedContractStep | None:
    """The step for an agreed order of a provider its council buys residential or nursing care
    from, for the provider's staff who raise actions; None for anyone or anything else, and
    for a council with no signed-contract type of action (it has not asked for one)."""
    if (
        user.provider_id != document.provider_id
        or document.kind != DocumentKind.ORDER
        or document.status != DocumentStatus.AGREED
        or not can_edit(user.role, Function.ACTIONS)
        or paid_on_actuals(document.provider_id, document.council_id)
    ):
        return None
    action_type = (
        ActionType.objects.filter(
            council_id=document.council_id, is_signed_contract=True, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if action_type is None:
        return None
    sent = (
        Action.objects.filter(
            council_id=document.council_id,
            provider_id=document.provider_id,
            action_type__is_signed_contract=True,
            related_kind=RelatedKind.CLIENT,
            service_user_id=document.service_user_id,
            created_at__gte=document.answered_at,
        )
        .order_by("created_at", "pk")
        .first()
    )
    query = urlencode(
        {
            "council": document.council.slug,
            "action_type": action_type.pk,
            "related_kind": RelatedKind.CLIENT.value,
            "related_id": document.service_user_id,
        }
    )
    return SignedContractStep(f"{reverse('actions:action_new')}?{query}", sent)
