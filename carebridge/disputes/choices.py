"""The statuses of a dispute and the one table of how its status moves."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class DisputeStatus(models.TextChoices):
    IN_DISPUTE = "in_dispute", "In Dispute"
    RESOLUTION_REQUESTED = "resolution_requested", "Resolution Requested"
    RESOLVED = "resolved", "Resolved"


class DisputeEvent(models.TextChoices):
    REQUEST_RESOLUTION = "request_resolution", "Request resolution"
    RESOLVE = "resolve", "Resolve"
    REOPEN = "reopen", "Reopen"


S = DisputeStatus
E = DisputeEvent

# The council raises a dispute (In Dispute); the provider answers it and requests resolution; the
# council resolves it, or reopens it with a note for the provider to answer again. Only the
# council resolves, and it may also close a dispute the provider has not answered (settled on the
# phone, or raised in error). Resolved is final: its rows are paid at their value then.
# An event whose status the dispute already has is a repeat and changes nothing
# (docs/decisions/0010-disputes.md).
OPEN_STATUSES = frozenset({S.IN_DISPUTE, S.RESOLUTION_REQUESTED})
TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        E.REQUEST_RESOLUTION: ({S.IN_DISPUTE}, S.RESOLUTION_REQUESTED),
        E.RESOLVE: ({S.IN_DISPUTE, S.RESOLUTION_REQUESTED}, S.RESOLVED),
        E.REOPEN: ({S.RESOLUTION_REQUESTED}, S.IN_DISPUTE),
    }
)

# A council's reasons until it keeps its own: the reasons Stockport's guide lists, in its order.
DEFAULT_REASONS = (
    "Actual does not match planned – more detail required",
    "Actuals query",
    "Care not delivered",
    "Charged when cancelled in advance",
    "Client deceased",
    "Client in hospital/respite",
    "Client query",
    "Issue with care provided",
    "Variation code missing",
    "Other",
)
