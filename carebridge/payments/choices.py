"""The kinds and statuses of invoices, variation requests and one-off claims, and the one table
of how each one's status moves."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"
    # The portal's own invoice for the rise in an invoiced week the provider amended later.
    SUPPLEMENTARY = "supplementary", "Supplementary invoice"


class InvoiceStatus(models.TextChoices):
    UNSUBMITTED = "unsubmitted", "Unsubmitted"
    SUBMITTED = "submitted", "Submitted"
    AUTHORISED = "authorised", "Authorised"
    HELD = "held", "Held"
    RETURNED = "returned", "Returned"
    PAID = "paid", "Paid"


class InvoiceEvent(models.TextChoices):
    SUBMIT = "submit", "Submit"
    AUTHORISE = "authorise", "Authorise"
    HOLD = "hold", "Hold"
    RETURN = "return", "Return"
    RESUBMIT = "resubmit", "Submit again"
    PAY = "pay", "Pay"


S = InvoiceStatus
E = InvoiceEvent

# The provider submits; the payments team authorises, holds (with its reason) or returns it
# (with its reason: the provider corrects its actuals and submits again); a payment run pays
# what is authorised.
TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        E.SUBMIT: ({S.UNSUBMITTED}, S.SUBMITTED),
        E.AUTHORISE: ({S.SUBMITTED, S.HELD}, S.AUTHORISED),
        E.HOLD: ({S.SUBMITTED}, S.HELD),
        E.RETURN: ({S.SUBMITTED, S.HELD}, S.RETURNED),
        E.RESUBMIT: ({S.RETURNED}, S.SUBMITTED),
        E.PAY: ({S.AUTHORISED}, S.PAID),
    }
)


class VariationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class VariationEvent(models.TextChoices):
    APPROVE = "approve", "Approve"
    REFUSE = "refuse", "Refuse"


# The brokerage team approves a variation request (issuing the temporary CPLI) or refuses it with
# its reason; either is final: the provider asks again for other weeks.
VARIATION_TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        VariationEvent.APPROVE: ({VariationStatus.REQUESTED}, VariationStatus.APPROVED),
        VariationEvent.REFUSE: ({VariationStatus.REQUESTED}, VariationStatus.REFUSED),
    }
)


class ClaimStatus(models.TextChoices):
    UNSUBMITTED = "unsubmitted", "Unsubmitted"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    INVOICED = "invoiced", "Invoiced"
    PAID = "paid", "Paid"


class ClaimEvent(models.TextChoices):
    SUBMIT = "submit", "Submit claim"
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    INVOICE = "invoice", "Invoice"
    INVOICE_DELETED = "invoice_deleted", "Invoice deleted"
    PAY = "pay", "Pay"


# The provider submits a one-off claim; the payments team approves or rejects it (with its
# reason); an approved claim is invoiced once, at contract level (and is approved again if the
# provider deletes that invoice before submitting it, to invoice it anew). A payment run pays it:
# through its invoice where the council pays on invoice, directly where it self-bills.
CLAIM_TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        ClaimEvent.SUBMIT: ({ClaimStatus.UNSUBMITTED}, ClaimStatus.SUBMITTED),
        ClaimEvent.APPROVE: ({ClaimStatus.SUBMITTED}, ClaimStatus.APPROVED),
        ClaimEvent.REJECT: ({ClaimStatus.SUBMITTED}, ClaimStatus.REJECTED),
        ClaimEvent.INVOICE: ({ClaimStatus.APPROVED}, ClaimStatus.INVOICED),
        ClaimEvent.INVOICE_DELETED: ({ClaimStatus.INVOICED}, ClaimStatus.APPROVED),
        ClaimEvent.PAY: ({ClaimStatus.APPROVED, ClaimStatus.INVOICED}, ClaimStatus.PAID),
    }
)


class AbsenceStay(models.TextChoices):
    """What preceded an unplanned absence a one-off claim pays for."""

    HOSPITAL = "hospital", "Hospital stay"
    RESPITE = "respite", "Emergency respite stay"


class RunStatus(models.TextChoices):
    PREPARED = "prepared", "Prepared"
    APPROVED = "approved", "Approved"
    FINALISED = "finalised", "Finalised"
    DISCARDED = "discarded", "Discarded"


class RunEvent(models.TextChoices):
    APPROVE = "approve", "Approve"
    FINALISE = "finalise", "Finalise"
    DISCARD = "discard", "Discard"


# A payments officer prepares a run (and may prepare it again while it waits); a second officer
# approves it; it is finalised (its lines paid) or, before then, discarded (its lines let go).
RUN_TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        RunEvent.APPROVE: ({RunStatus.PREPARED}, RunStatus.APPROVED),
        RunEvent.FINALISE: ({RunStatus.APPROVED}, RunStatus.FINALISED),
        RunEvent.DISCARD: ({RunStatus.PREPARED, RunStatus.APPROVED}, RunStatus.DISCARDED),
    }
)


class LineSource(models.TextChoices):
    """Where a payment line's amount comes from: each is traceable to its source row."""

    INVOICE_LINE = "invoice_line", "Invoice line"
    ACTUAL = "actual", "Confirmed actual"
    SCHEDULE = "schedule", "Scheduled payment"
    CLAIM = "claim", "One-off claim"
    EXCEPTION = "exception", "Payment exception"
    # A provider's negative balance in a run: the run pays it nothing, and the next run for the
    # provider and council recovers the balance (brought forward), never losing it.
    CARRIED_FORWARD = "carried_forward", "Balance carried forward"
    BROUGHT_FORWARD = "brought_forward", "Balance brought forward"
