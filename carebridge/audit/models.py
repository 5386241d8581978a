from typing import Any, NoReturn

import pgtrigger
from django.conf import settings
from django.db import models

from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Council, Provider


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be removed.")


class Event(models.Model):
    """One thing that happened: who did what to which record, when, and what it was before."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as text too, so the log still reads right after a user's details change.
    actor_label = models.CharField(max_length=300, blank=True)
    # The organisations whose log this event belongs in (either may be empty).
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when only the council staff in a team of this kind may read the event, because the
    # record it is about is theirs alone (a safeguarding concern): everyone else's view of the
    # council's log leaves it out, label and details included.
    team_kind = models.CharField(max_length=30, choices=TeamKind.choices, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The chain (docs/decisions/0017-tamper-evident-audit.md): the SHA-256 of every other field
    # and the previous event's hash, in id order; the first event chains to `chain.GENESIS`.
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "at"]),
            models.Index(fields=["council", "at"]),
            models.Index(fields=["provider", "at"]),
        ]
        # On PostgreSQL the database itself refuses changes; TRUNCATE stays allowed, since the
        # tests' flushes use it and only the owner of the table may run it.
        triggers = [
            pgtrigger.Protect(name="protect_updates", operation=pgtrigger.Update),
            pgtrigger.Protect(name="protect_deletes", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or 'nobody'} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:  # a new event is given its id before it is inserted
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be removed.")
