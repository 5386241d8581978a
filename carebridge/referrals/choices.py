"""The referral lifecycle: its states, the events that move it, and the one table of transitions."""

from django.db import models

from carebridge.core.lifecycle import Lifecycle


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    UPDATED = "updated", "Updated"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"
    FAILED = "failed", "Failed to start"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReferralEventKind(models.TextChoices):
    """What happened to a referral: each is a line of its update log."""

    ADDED = "added", "Referral added to the system"
    ACCEPTED = "accepted", "Referral accepted"
    REFUSED = "refused", "Referral refused"
    DELAYED = "delayed", "Service start delayed"
    FAILED = "failed", "Failed service start"
    UPDATED = "updated", "Provider update submitted"
    ACTUALS = "actuals", "Visit actuals submitted"
    WITHDRAWN = "withdrawn", "Referral withdrawn by the council"


S = ReferralStatus
E = ReferralEventKind

# The one table of allowed transitions: event -> (states it may happen in, state it leads to).
# A delay keeps the referral accepted; the service counts delays against the rulebook's limit.
TRANSITIONS: Lifecycle[ReferralEventKind, ReferralStatus] = Lifecycle(
    {
        E.ACCEPTED: ({S.PENDING}, S.ACCEPTED),
        E.REFUSED: ({S.PENDING}, S.REFUSED),
        E.DELAYED: ({S.ACCEPTED}, S.ACCEPTED),
        E.FAILED: ({S.ACCEPTED}, S.FAILED),
        E.UPDATED: ({S.ACCEPTED}, S.UPDATED),
        E.ACTUALS: ({S.UPDATED}, S.COMPLETED),
        E.WITHDRAWN: ({S.PENDING, S.ACCEPTED, S.UPDATED}, S.WITHDRAWN),
    }
)

# Words for the refusal message, in the guide's form: "... in order for actuals to be sent."
PURPOSE: dict[ReferralEventKind, str] = {
    E.ACCEPTED: "to be accepted",
    E.REFUSED: "to be refused",
    E.DELAYED: "for the start of the service to be delayed",
    E.FAILED: "for a failed service start to be sent",
    E.UPDATED: "for a provider update to be sent",
    E.ACTUALS: "for actuals to be sent",
    E.WITHDRAWN: "to be withdrawn",
}

# States in which the provider still has work to do: the provider's lists show only these.
OPEN_STATES = frozenset({S.PENDING, S.ACCEPTED, S.UPDATED})
CLOSED_STATES = frozenset(S) - OPEN_STATES


class Stage(models.TextChoices):
    """Where an open referral stands for the provider ("Current status" in the guide)."""

    PENDING = "pending", "Pending"
    FIRST_VISIT_BOOKED = "booked", "First visit booked"
    START_DELAYED = "delayed", "Start delayed"
    AWAITING_UPDATE = "awaiting_update", "Awaiting update"
    AWAITING_ACTUALS = "awaiting_actuals", "Awaiting actuals"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    DISTRICT_TEAM = "district_team", "District team"


class RefusalReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "No capacity in the area"
    CANNOT_MEET_NEEDS = "cannot_meet_needs", "Cannot meet the care needs described"
    CANNOT_START_IN_TIME = "cannot_start_in_time", "Cannot start by the requested date"
    ADDRESS_OR_DISTRICT = "address_or_district", "Address or district is wrong"
    INCOMPLETE = "incomplete", "Referral information is incomplete"
    OTHER = "other", "Other"


class FailureReason(models.TextChoices):
    DECLINED = "declined", "Service user declined the service"
    NOT_DISCHARGED = "not_discharged", "Service user is no longer leaving hospital"
    READMITTED = "readmitted", "Service user was readmitted to hospital"
    DIED = "died", "Service user died"
    OTHER_SUPPORT = "other_support", "Needs met by family or another service"
    OTHER = "other", "Other"
