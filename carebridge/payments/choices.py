"""An invoice's kinds and statuses, and the one table of how its status moves."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


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
