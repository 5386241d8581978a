from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carebridge.organisations.models import Council, District, Provider
from carebridge.people.models import ServiceUser
from carebridge.referrals.choices import (
    FailureReason,
    ReferralEventKind,
    ReferralStatus,
    RefusalReason,
    Source,
)


class Referral(models.Model):
    """A council's request that one provider start care for a person, answered within the reply window."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="referrals")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="referrals")
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="referrals"
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="referrals")
    external_id = models.CharField(
        "Case-management reference",
        max_length=100,
        blank=True,
        help_text="The council system's own id, so a feed that sends twice creates one referral.",
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )

    # Referral details
    source = models.CharField(max_length=20, choices=Source.choices)
    hospital = models.CharField(max_length=200, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    district_team = models.CharField(max_length=200, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    requested_start_date = models.DateField("Requested service start date")

    # Next of kin, as the referrer gave them
    next_of_kin_name = models.CharField("Next of kin", max_length=200, blank=True)
    next_of_kin_relationship = models.CharField(max_length=100, blank=True)
    next_of_kin_address = models.TextField(blank=True)
    next_of_kin_phone = models.CharField(max_length=30, blank=True)

    # Consent
    consent_to_share = models.BooleanField("Consent to share information", default=False)
    mca_best_interest = models.TextField(
        "MCA best interest",
        blank=True,
        help_text="The best-interest decision, when the person lacks capacity to consent.",
    )

    # Requirements
    health_needs = models.TextField(blank=True)
    home_circumstances = models.TextField(blank=True)
    mobility = models.TextField("Mobility / transfers", blank=True)
    support_summary = models.TextField("Summary of needs / support required")
    risks = models.TextField(blank=True)
    carers_required = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    visits_per_day = models.PositiveSmallIntegerField(
        "Visits per day", validators=[MinValueValidator(1), MaxValueValidator(8)]
    )

    # Completed by
    worker_name = models.CharField(max_length=200)
    worker_team = models.CharField(max_length=200)
    worker_phone = models.CharField("Work telephone number", max_length=30, blank=True)
    worker_mobile = models.CharField("Work mobile telephone number", max_length=30, blank=True)
    completed_on = models.DateField("Date")

    # The reply window
    received_at = models.DateTimeField(help_text="When the referral reached the portal.")
    respond_by = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(help_text="When anything last happened to the referral.")

    # The provider's answer
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_visit_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(max_length=30, choices=RefusalReason.choices, blank=True)
    refusal_details = models.TextField(blank=True)
    update_due_by = models.DateTimeField(null=True, blank=True)

    # While in service
    delay_count = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.CharField(max_length=30, choices=FailureReason.choices, blank=True)
    failure_details = models.TextField(blank=True)

    # Provider update
    provider_update_at = models.DateTimeField(null=True, blank=True)
    care_start_date = models.DateField(null=True, blank=True)
    predicted_end_date = models.DateField(null=True, blank=True)
    terminated_within_72_hours = models.BooleanField(null=True, blank=True)
    needs_changed = models.BooleanField(null=True, blank=True)
    needs_change_details = models.TextField(blank=True)
    update_completed_by = models.CharField(max_length=200, blank=True)
    update_completed_on = models.DateField(null=True, blank=True)

    # Visit actuals
    actuals_at = models.DateTimeField(null=True, blank=True)
    actuals_start_date = models.DateField(null=True, blank=True)
    actuals_end_date = models.DateField(null=True, blank=True)
    visits_delivered = models.PositiveIntegerField(null=True, blank=True)
    hours_delivered = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    carers_at_start = models.PositiveSmallIntegerField(null=True, blank=True)
    carers_at_end = models.PositiveSmallIntegerField(null=True, blank=True)

    withdrawal_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "external_id"],
                condition=~models.Q(external_id=""),
                name="referral_external_id_unique_in_council",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values),
                name="referral_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "received_at"]),
            models.Index(fields=["council", "status", "received_at"]),
            models.Index(fields=["council", "changed_at"]),
            # The council's list of every referral, newest first, without sorting them all.
            models.Index(fields=["council", "received_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} for {self.service_user_id}"

    @property
    def source_label(self) -> str:
        """The source as the pending list shows it: "Hospital: Kings Mill" or "District team"."""
        return source_label(self.source, self.hospital, self.ward, self.district_team)


def source_label(source: str, hospital: str, ward: str, district_team: str) -> str:
    if source == Source.HOSPITAL and hospital:
        return f"Hospital: {hospital}" + (f", {ward}" if ward else "")
    if source == Source.DISTRICT_TEAM and district_team:
        return f"District team: {district_team}"
    return str(Source(source).label)


class ReferralEvent(models.Model):
    """One line of a referral's update log, and the notice the council's systems are sent."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=ReferralEventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(
        max_length=300, help_text="Who, and for which organisation, as the log shows it."
    )
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
