"""The kinds of requester, the statuses of a subject access request and how its status moves."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class Requester(models.TextChoices):
    PERSON = "person", "The person themselves"
    REPRESENTATIVE = "representative", "A representative (with the person's authority)"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    EXTENDED = "extended", "Extended"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


class RequestEvent(models.TextChoices):
    EXTEND = "extend", "Extend the deadline"
    COMPLETE = "complete", "Complete"
    REFUSE = "refuse", "Refuse"


S = RequestStatus
E = RequestEvent

# A request may be extended once (by two further months, art. 12(3)); it is completed when the
# person has their copy, or refused (manifestly unfounded or excessive, art. 12(5)) with a reason.
# Completed and Refused are final.
OPEN_STATUSES = frozenset({S.OPEN, S.EXTENDED})
TRANSITIONS: Lifecycle[str, str] = Lifecycle(
    {
        E.EXTEND: ({S.OPEN}, S.EXTENDED),
        E.COMPLETE: (OPEN_STATUSES, S.COMPLETED),
        E.REFUSE: (OPEN_STATUSES, S.REFUSED),
    }
)
