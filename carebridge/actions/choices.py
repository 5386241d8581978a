"""The words of actions: what an action is about, its states and the kinds of post."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class RelatedKind(models.TextChoices):
    CLIENT = "client", "Client"
    CONTRACT = "contract", "Contract"
    SERVICE = "service", "Service"
    CPLI = "cpli", "Care package line item"
    CONTRACT_DOCUMENT = "contract_document", "Contract document"
    CONTACT = "contact", "Contact"
    PROVIDER = "provider", "Provider"
    # A dispute's further dialogue (issue 17): the dispute holds the link (Dispute.action),
    # since actions sits beside disputes and never names it.
    DISPUTE = "dispute", "Dispute"
    # An invoice (Norfolk's guide, section 12): payments offers the provider's invoices and
    # names them (payments/related.py); the action keeps the invoice's id in related_id.
    INVOICE = "invoice", "Invoice"
    # The guide's Spot Commitment and Value Commitment: a spot-priced CPLI, and a block-priced
    # one (the block contract's committed level). Contracts offers and names them by their care
    # package, never by the client (contracts/related.py); the action keeps the CPLI's id in
    # related_id. "Care package line item" stays the client's line, named by the client.
    SPOT_COMMITMENT = "spot_commitment", "Spot commitment"
    VALUE_COMMITMENT = "value_commitment", "Value commitment"


# The field of an Action that holds each kind of related thing (a provider is the action's own).
RELATED_FIELD = {
    RelatedKind.CLIENT: "service_user",
    RelatedKind.CONTRACT: "contract",
    RelatedKind.SERVICE: "service",
    RelatedKind.CPLI: "cpli",
    RelatedKind.CONTRACT_DOCUMENT: "contract_document",
    RelatedKind.CONTACT: "contact",
    RelatedKind.PROVIDER: "provider",
}

# The kinds an app above actions holds, whose id the action keeps in related_id: the app
# registers in core.related_to what may be chosen and how it is named.
HELD_BY_ID = frozenset(
    {RelatedKind.INVOICE, RelatedKind.SPOT_COMMITMENT, RelatedKind.VALUE_COMMITMENT}
)

# What the new-action form's "Related to" offers whatever apps are installed: a dispute's action
# is raised from the dispute's own page (disputes.services.dispute_action_start), which links it
# as it is made; the kinds held by id are offered when their app registered them.
OFFERED_KINDS = tuple(
    kind for kind in RelatedKind.values if kind != RelatedKind.DISPUTE and kind not in HELD_BY_ID
)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PostKind(models.TextChoices):
    CREATED = "created", "Created"
    COMMENT = "comment", "Comment"
    REPLY = "reply", "Reply"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSED = "closed", "Closed"


# What each post does to its action's status: every post needs the action open, and the
# council's closure closes it. A post made once the action is closed is refused.
TRANSITIONS: Lifecycle[PostKind, ActionStatus] = Lifecycle(
    {
        PostKind.COMMENT: ({ActionStatus.OPEN}, ActionStatus.OPEN),
        PostKind.REPLY: ({ActionStatus.OPEN}, ActionStatus.OPEN),
        PostKind.CLOSURE_REQUESTED: ({ActionStatus.OPEN}, ActionStatus.OPEN),
        PostKind.CLOSED: ({ActionStatus.OPEN}, ActionStatus.CLOSED),
    }
)
