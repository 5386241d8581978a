"""The words of contracts: units of care, pricing bases, and the states of documents and CPLIs."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class Unit(models.TextChoices):
    HOURS = "hours", "Hours"
    SESSIONS = "sessions", "Sessions"
    NIGHTS = "nights", "Nights"
    WEEKS = "weeks", "Weeks"


class PricingBasis(models.TextChoices):
    SPOT = "spot", "Spot"
    BLOCK = "block", "Block"


class DocumentKind(models.TextChoices):
    ORDER = "order", "Individual Service Order"
    TERMINATION = "termination", "Termination"


class DocumentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    AGREED = "agreed", "Agreed"
    REJECTED = "rejected", "Rejected"
    TERMINATED = "terminated", "Terminated"


class DocumentEvent(models.TextChoices):
    """What may happen to a contract document once published (its audit events say which)."""

    AGREE = "agree", "Agreed by the provider"
    REJECT = "reject", "Rejected by the provider"
    TERMINATE = "terminate", "Terminated by the council"
    TERMINATE_AGAIN = "terminate_again", "Termination corrected by the council"
    REISSUE = "reissue", "Issued again by the council"


D = DocumentStatus
E = DocumentEvent

# The one table of a document's allowed transitions: event -> (statuses it may happen from,
# status it leads to). The provider answers a published document once. The council terminates
# an agreed order; after the provider rejects the termination, a corrected one keeps the order
# terminated. A rejected document is issued again (a new document replaces it; it stays
# rejected), once.
DOCUMENT_TRANSITIONS: Lifecycle[DocumentEvent, str] = Lifecycle(
    {
        E.AGREE: ({D.PUBLISHED}, D.AGREED),
        E.REJECT: ({D.PUBLISHED}, D.REJECTED),
        E.TERMINATE: ({D.AGREED}, D.TERMINATED),
        E.TERMINATE_AGAIN: ({D.TERMINATED}, D.TERMINATED),
        E.REISSUE: ({D.REJECTED}, D.REJECTED),
    }
)


class CpliStatus(models.TextChoices):
    """A CPLI waits for its document to be agreed, then runs until its end date or a termination."""

    PROPOSED = "proposed", "Awaiting agreement"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    ENDED = "ended", "Ended"


class CldServiceType(models.TextChoices):
    """Service_Type of the Client Level Data return (Release 1 strings, DOMAIN.md 2.4)."""

    LONG_TERM_NURSING = "Long Term Support: Nursing Care"
    LONG_TERM_RESIDENTIAL = "Long Term Support: Residential Care"
    LONG_TERM_COMMUNITY = "Long Term Support: Community"
    LONG_TERM_PRISON = "Long Term Support: Prison"
    SHORT_TERM_MAX = "Short Term Support: ST-Max"
    SHORT_TERM_LOW_LEVEL = "Short Term Support: Ongoing Low Level"
    SHORT_TERM_OTHER = "Short Term Support: Other Short Term"


class CldDeliveryMechanism(models.TextChoices):
    """Delivery_Mechanism of the Client Level Data return (Release 1, DOMAIN.md 2.4)."""

    DIRECT_PAYMENT = "Direct Payment"
    MANAGED_BUDGET = "CASSR Managed Personal Budget"
    COMMISSIONED = "CASSR Commissioned Support"
