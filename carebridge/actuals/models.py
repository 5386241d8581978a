"""Actuals: what was really delivered per CPLI per week, the periods they are confirmed in, and
the provider's confirmations. Nothing here is ever deleted: a paid period is kept as it was paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from carebridge.actuals.rules import Assessment, Entry
from carebridge.contracts.models import Cpli
from carebridge.organisations.choices import FrustratedReason, MissedReason
from carebridge.organisations.models import Council, Provider, Service
from carebridge.people.models import ServiceUser

_NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


def _quantity(label: str) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=7, decimal_places=2, default=Decimal("0"), validators=_NOT_NEGATIVE
    )


class Period(models.Model):
    """One actuals period of a council: a week, or four, as its rulebook says. Opened by the
    scheduled task when it starts; closed for good once its payment has been processed."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="actuals_periods")
    start_date = models.DateField()
    end_date = models.DateField()
    opened_at = models.DateTimeField()
    payment_processed_at = models.DateTimeField(null=True, blank=True)
    payment_processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["council", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "start_date"], name="actuals_period_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="actuals_period_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.start_date:%d/%m/%Y} to {self.end_date:%d/%m/%Y}"

    @property
    def is_paid(self) -> bool:
        return self.payment_processed_at is not None


# What `Actual.take` keeps of the rules' assessment of a row.
ASSESSED = (
    "cost",
    "planned_cost",
    "does_not_add_up",
    "over_threshold",
    "zero_without_comment",
    "varies_from_fixed",
)


class Actual(models.Model):
    """One CPLI's actual for one week: planned (Pl), frustrated (Frstd), missed (Msd), extra
    (Xtr), visits (Vst) and what was delivered (Actual), with its cost and exceptions as the
    rules found them when it was saved."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="actuals")
    cpli = models.ForeignKey(Cpli, on_delete=models.PROTECT, related_name="actuals")
    # Copied from the CPLI so that a week's page, its totals and the exceptions are one indexed
    # query each, scoped like every other list.
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="actuals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    planned = _quantity("Pl")
    actual = _quantity("Actual")
    frustrated = _quantity("Frstd")
    missed = _quantity("Msd")
    extra = _quantity("Xtr")
    visits = models.PositiveSmallIntegerField("Vst", default=0)
    frustrated_reason = models.CharField(
        max_length=30, choices=FrustratedReason.choices, blank=True
    )
    # Blank on rows saved before missed reasons were asked for: they keep the cost they had.
    missed_reason = models.CharField(max_length=30, choices=MissedReason.choices, blank=True)
    # The days of the aborted visits a frustrated quantity pays for, as ISO dates.
    aborted_visit_dates = models.JSONField(default=list, blank=True)
    variation_code = models.CharField(max_length=30, blank=True)
    comments = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2)
    planned_cost = models.DecimalField(max_digits=10, decimal_places=2)
    does_not_add_up = models.BooleanField(default=False)
    over_threshold = models.BooleanField(default=False)
    zero_without_comment = models.BooleanField(default=False)
    # Core or shared hours (a fixed-hours service level) delivered other than planned.
    varies_from_fixed = models.BooleanField(default=False)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["service_user", "cpli"]
        constraints = [
            models.UniqueConstraint(fields=["cpli", "week_start"], name="actual_one_per_week"),
        ]
        indexes = [
            models.Index(fields=["provider", "service", "week_start"]),
            models.Index(fields=["period", "provider"]),
        ]

    def __str__(self) -> str:
        return f"Actual for CPLI {self.cpli_id}, week of {self.week_start:%d/%m/%Y}"

    @property
    def has_exception(self) -> bool:
        return (
            self.does_not_add_up
            or self.over_threshold
            or self.zero_without_comment
            or self.varies_from_fixed
        )

    def entry(self) -> Entry:
        """What was entered, as the rules read it."""
        return Entry(
            actual=self.actual,
            frustrated=self.frustrated,
            missed=self.missed,
            extra=self.extra,
            visits=self.visits,
            frustrated_reason=self.frustrated_reason,
            missed_reason=self.missed_reason,
            aborted_visit_dates=tuple(date.fromisoformat(d) for d in self.aborted_visit_dates),
            variation_code=self.variation_code,
            comments=self.comments,
        )

    def take(self, found: Assessment) -> None:
        """Keep the cost and exceptions the rules found for this row (the fields ASSESSED)."""
        self.cost, self.planned_cost = found.cost, found.planned_cost
        self.does_not_add_up = found.does_not_add_up
        self.over_threshold = found.over_threshold
        self.zero_without_comment = found.zero_without_comment
        self.varies_from_fixed = found.varies_from_fixed


class Confirmation(models.Model):
    """A provider's declaration that a period's actuals are complete and correct. Each time it
    confirms is kept; a change to an actual after the latest one needs confirming again."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="confirmations")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="actuals_confirmations"
    )
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-confirmed_at"]
        indexes = [models.Index(fields=["period", "provider", "confirmed_at"])]

    def __str__(self) -> str:
        return f"{self.provider} confirmed {self.period}"


class PackageReview(models.Model):
    """A package review asked of the council's operational team after one client's third
    consecutive week of non-engagement (Bradford); one for each run of weeks, however long."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="package_reviews"
    )
    # The run of weeks as it was when the review was asked for: a later week that joins the
    # run (before or after) belongs to this review.
    first_week = models.DateField()
    last_week = models.DateField()
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The action raised with the operational team, by payments (which sits above actions); empty
    # where the council has no operational team in the portal.
    action_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "provider", "service_user", "first_week"],
                name="package_review_one_per_run_start",
            ),
            models.CheckConstraint(
                condition=models.Q(last_week__gte=models.F("first_week")),
                name="package_review_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"Package review for client {self.service_user_id} from {self.first_week:%d/%m/%Y}"


class ActualsFile(models.Model):
    """A file of actuals a provider's system sent (through the API, as JSON or as the council's
    CSV layout), kept by its reference: a reference used once is refused again, so a file sent
    twice is never counted twice."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="actuals_files")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="actuals_files")
    reference = models.CharField(max_length=100, help_text="The sender's own unique reference.")
    received_at = models.DateTimeField()
    format = models.CharField(max_length=10, help_text='"json" or "csv".')
    rows = models.PositiveIntegerField(default=0)
    by_label = models.CharField(max_length=200, help_text="Which system sent it, for whom.")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "council", "reference"], name="actuals_file_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Actuals file {self.reference}"
