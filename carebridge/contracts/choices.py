"""The words of contracts: units of care, pricing bases, and the states of documents and CPLIs."""

from django.db import models


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


class CpliStatus(models.TextChoices):
    """A CPLI waits for its document to be agreed, then runs until its end date or a termination."""

    PROPOSED = "proposed", "Awaiting agreement"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"
    ENDED = "ended", "Ended"
