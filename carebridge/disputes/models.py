"""Disputes: the council's challenge to a provider's posted actuals, with a reason from the
council's own catalogue; the provider answers and requests resolution, and the council resolves
it or reopens it. An actual is in at most one open dispute, which the database itself keeps."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carebridge.actions.models import Action
from carebridge.actuals.models import Actual
from carebridge.disputes.choices import DisputeStatus
from carebridge.organisations.models import Council, Provider

REASON_MAX = 200
DETAILS_MAX = 2_000
RESPONSE_MAX = 10_000
NOTE_MAX = 2_000


class DisputeReason(models.Model):
    """An item of the council's catalogue of reasons for disputing actuals."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="dispute_reasons")
    label = models.CharField(max_length=REASON_MAX)
    active = models.BooleanField(default=True)
    # The reason's place in the council's list (its officers choose from it in this order).
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["council", "order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "label"], name="dispute_reason_label_unique_in_council"
            ),
        ]

    def __str__(self) -> str:
        return self.label


def _user(related_name: str = "+") -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Dispute(models.Model):
    """A council's dispute of one provider's actual rows: its reason and details, the provider's
    response, and the council's resolution or reopening note."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="disputes")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="disputes")
    reason = models.ForeignKey(DisputeReason, on_delete=models.PROTECT, related_name="disputes")
    details = models.TextField()
    status = models.CharField(
        max_length=30, choices=DisputeStatus.choices, default=DisputeStatus.IN_DISPUTE
    )
    # The provider's answer, as it last requested resolution.
    response = models.TextField(blank=True)
    resolution_note = models.TextField(blank=True)
    reopen_note = models.TextField(blank=True)
    # The action on which the council and the provider talk it through, if they need to.
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    raised_at = models.DateTimeField()
    raised_by = _user()
    resolution_requested_at = models.DateTimeField(null=True, blank=True)
    resolution_requested_by = _user()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = _user()
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = _user()
    changed_at = models.DateTimeField()
    changed_by = _user()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DisputeStatus.values), name="dispute_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status=DisputeStatus.RESOLVED, resolved_at__isnull=False)
                | (~models.Q(status=DisputeStatus.RESOLVED) & models.Q(resolved_at__isnull=True)),
                name="dispute_resolved_has_resolved_at",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status", "raised_at"]),
            models.Index(fields=["provider", "council", "status"]),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != DisputeStatus.RESOLVED


class DisputeRow(models.Model):
    """One actual row (a CPLI's week) under dispute."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="rows")
    actual = models.ForeignKey(Actual, on_delete=models.PROTECT, related_name="dispute_rows")
    # Copied from the dispute (true until it is resolved) so that the database itself keeps an
    # actual in at most one open dispute.
    open = models.BooleanField(default=True)

    class Meta:
        ordering = ["dispute", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "actual"], name="dispute_row_actual_once_per_dispute"
            ),
            models.UniqueConstraint(
                fields=["actual"],
                condition=models.Q(open=True),
                name="dispute_row_one_open_dispute_per_actual",
            ),
        ]

    def __str__(self) -> str:
        return f"Actual {self.actual_id} in dispute {self.dispute_id}"
