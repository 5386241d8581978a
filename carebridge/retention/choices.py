"""The classes of record the retention schedule covers, and what removing each one does."""

from __future__ import annotations

from django.db import models


class RecordClass(models.TextChoices):
    """A class of record with its own retention period in the rulebook."""

    REQUESTS = "requests", "Front-door requests (signposted or closed)"
    BOOKINGS = "bookings", "Hub bookings"
    FEEDBACK = "feedback", "Front-door feedback"
    OUTBOX = "outbox", "Sent e-mails and CRM pushes"
    ACTIONS = "actions", "Closed actions"
    AUDIT = "audit", "Audit log"


class Removal(models.TextChoices):
    """Whether a class's records are deleted or kept without their personal data."""

    DELETE = "delete", "Deleted"
    ANONYMISE = "anonymise", "Anonymised"


# Each class: its rulebook field, what removal does, and in words what is kept.
SCHEDULE: dict[RecordClass, tuple[str, Removal, str]] = {
    RecordClass.REQUESTS: (
        "retention_request_months",
        Removal.ANONYMISE,
        "Names, contact details, answers and free text go; the request's status, result, "
        "decision and dates stay for the front-door figures.",
    ),
    RecordClass.BOOKINGS: (
        "retention_booking_months",
        Removal.ANONYMISE,
        "Name, e-mail, telephone and notes go; the slot and status stay for the hub figures.",
    ),
    RecordClass.FEEDBACK: (
        "retention_feedback_months",
        Removal.DELETE,
        "The rating and comment are deleted.",
    ),
    RecordClass.OUTBOX: (
        "retention_outbox_months",
        Removal.DELETE,
        "Sent e-mails to the council's staff, e-mails to residents and the front-door team about "
        "the council's requests and bookings, and delivered (or abandoned) CRM pushes are "
        "deleted. Every e-mail also leaves the outbox 90 days after it was queued, whatever this "
        "period; a list of services e-mailed from the public directory names no council, so "
        "only that 90-day limit removes it.",
    ),
    RecordClass.ACTIONS: (
        "retention_action_months",
        Removal.ANONYMISE,
        'The title becomes "Closed action" and its number (a title may name the person), '
        "and the thread's words and attached files go; the action's type, dates and status "
        "stay. The audit log keeps the old title until its own period ends.",
    ),
    RecordClass.AUDIT: (
        "retention_audit_months",
        Removal.DELETE,
        "The oldest events are deleted and an anchor keeps the chain checkable. The log is "
        "shared by every council, so it keeps the longest period any council sets.",
    ),
}
