"""Legal holds on people, and the nightly retention runs' reports (no personal data in them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carebridge.organisations.models import Council
from carebridge.people.models import ServiceUser
from carebridge.retention.choices import RecordClass, Removal


class LegalHold(models.Model):
    """A legal hold: nothing about this person is removed by retention while it stands."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="legal_holds")
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.ForeignKey(
        "frontdoor.FrontDoorRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField()
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service_user__isnull=False, request__isnull=True)
                | models.Q(service_user__isnull=True, request__isnull=False),
                name="legal_hold_one_person",
            ),
            models.UniqueConstraint(
                fields=["service_user"],
                condition=models.Q(released_at__isnull=True, service_user__isnull=False),
                name="legal_hold_one_open_per_service_user",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(released_at__isnull=True, request__isnull=False),
                name="legal_hold_one_open_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class RetentionRun(models.Model):
    """One council's part of a nightly retention run."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="retention_runs")
    run_on = models.DateField(help_text="The night's date in London: one run a council a night.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "run_on"], name="retention_run_once_a_night")
        ]

    def __str__(self) -> str:
        return f"Retention run {self.run_on} for {self.council}"


class RetentionCount(models.Model):
    """How many records of one class a run removed, and from before when."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="counts")
    record_class = models.CharField(max_length=20, choices=RecordClass.choices)
    removal = models.CharField(max_length=20, choices=Removal.choices)
    cutoff = models.DateTimeField(help_text="Records finished before this were removed.")
    removed = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "record_class"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "record_class"], name="retention_count_one_per_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_class}: {self.removed}"
