import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carebridge.core.calendar import ServiceHours
from carebridge.core.models import Address
from carebridge.core.permissions import Role
from carebridge.organisations.choices import (
    FIELD_LABELS,
    FIELDS_OF_KIND,
    ActualsPeriod,
    ChangeRequestKind,
    ChangeRequestStatus,
    ConfirmationRule,
    ContractType,
    CsvLayout,
    FrustratedReason,
    MissedReason,
    PaymentMethod,
    TeamKind,
    Weekday,
    request_to,
)


class Council(models.Model):
    """A local authority commissioning adult social care: the tenant of the portal."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # The council's code in the Client Level Data return (LA_Code): the ONS code, like E10000020.
    la_code = models.CharField(
        "LA code", max_length=9, blank=True, help_text="The ONS code, like E10000020"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _validate_weekdays(value: str) -> None:
    if not value or any(ch not in "0123456" for ch in value) or len(set(value)) != len(value):
        raise ValidationError("List the open days as digits 0 (Monday) to 6 (Sunday), each once.")


_OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")


def _validate_postcode_districts(value: str) -> None:
    wrong = [code for code in value.split() if not _OUTWARD_CODE.match(code)]
    if wrong:
        raise ValidationError(
            "Postcode districts must be outward codes in capitals, like NG22: " + ", ".join(wrong)
        )


def _validate_frustrated_reasons(value: str) -> None:
    wrong = [code for code in value.split(",") if code and code not in FrustratedReason.values]
    if wrong:
        raise ValidationError(
            "Frustrated reasons must be among "
            + ", ".join(FrustratedReason.values)
            + ": "
            + ", ".join(wrong)
        )


class Rulebook(models.Model):
    """A council's own rules: every difference between councils is one of these settings."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, primary_key=True, related_name="rulebook"
    )

    # Referrals: the reply window counts only service hours.
    referral_service_start = models.TimeField(default=time(8, 0))
    referral_service_end = models.TimeField(default=time(17, 30))
    referral_service_days = models.CharField(
        max_length=7,
        default="01234",
        validators=[_validate_weekdays],
        help_text="Days the referral service counts time: 0 is Monday, 6 is Sunday.",
    )
    referral_service_closed_on_bank_holidays = models.BooleanField(default=True)
    referral_response_minutes = models.PositiveIntegerField(default=120)
    referral_amber_minutes = models.PositiveIntegerField(
        default=30, help_text="The reply window shows amber when this many minutes remain."
    )
    referral_first_visit_warning_hours = models.PositiveIntegerField(
        default=48,
        help_text="Accepting with a first visit later than this after acceptance gets a warning.",
    )
    referral_max_delays = models.PositiveSmallIntegerField(
        default=2, help_text="How many times a provider may delay the start of a service."
    )
    referral_update_hours = models.PositiveIntegerField(
        default=72,
        help_text="The provider update is due this many hours after the first visit planned.",
    )
    referral_update_amber_hours = models.PositiveIntegerField(
        default=24, help_text="A provider update shows amber when this many hours remain."
    )

    # Actuals: the period and when its confirmation is due.
    actuals_period = models.CharField(
        max_length=20, choices=ActualsPeriod.choices, default=ActualsPeriod.WEEKLY
    )
    actuals_week_start = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    actuals_confirmation_rule = models.CharField(
        max_length=30, choices=ConfirmationRule.choices, default=ConfirmationRule.WEEKDAY_AFTER
    )
    actuals_confirmation_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.TUESDAY
    )
    actuals_confirmation_working_days = models.PositiveSmallIntegerField(default=5)
    close_of_business = models.TimeField(default=time(17, 0))
    actuals_periods_from = models.DateField(
        default=date(2025, 3, 31),
        help_text="The first day of the first actuals period; every later period follows on "
        "from it. It must fall on the week's start day.",
    )
    actuals_hours_step = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Hours are entered in multiples of this; sessions and nights are whole.",
    )
    actuals_extras_allowed = models.BooleanField(
        default=True,
        help_text="Whether providers may claim extra quantities (always with a variation code).",
    )
    actuals_frustrated_reasons = models.CharField(
        max_length=100,
        default="hospital,aborted_visit,night_cancelled",
        validators=[_validate_frustrated_reasons],
        help_text="The reasons a frustrated quantity may be claimed for, separated by commas.",
    )
    actuals_over_plan_percent = models.PositiveSmallIntegerField(
        default=20, help_text="An actual more than this far over plan is an exception."
    )
    actuals_csv_layout = models.CharField(
        "Actuals CSV layout", max_length=20, choices=CsvLayout.choices, default=CsvLayout.BASIC
    )

    # Actions: Stockport sets due dates itself ("Due Date: does not need to be set", appendix 1).
    actions_provider_due_date_required = models.BooleanField(
        "Providers must set a due date",
        default=True,
        help_text="Whether a provider raising an action must give it a due date.",
    )

    # Log-in policy. Zero means "no such rule" for the counts and the expiry.
    password_min_length = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(8), MaxValueValidator(64)]
    )
    password_min_capitals = models.PositiveSmallIntegerField(default=0)
    password_min_letters = models.PositiveSmallIntegerField(default=0)
    password_min_digits = models.PositiveSmallIntegerField(default=0)
    password_expiry_days = models.PositiveIntegerField(default=0)
    login_failures_before_lock = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    suspend_after_days = models.PositiveIntegerField(default=90)
    staff_require_authenticator = models.BooleanField(
        default=False, help_text="Council staff must use an authenticator app as their second step."
    )
    staff_require_passkey = models.BooleanField(
        default=False,
        help_text="Council staff must log in with a passkey (phishing-resistant): not the "
        "passcode or an authenticator app.",
    )
    # Scheduled payments: blocks of this many weeks, each paid by the run whose period ends
    # when the block's weeks in arrears have passed (the rest of the block paid in advance).
    scheduled_payment_weeks = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(13)],
        help_text="How many weeks one scheduled payment covers.",
    )
    scheduled_weeks_in_advance = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(13)],
        help_text="How many of those weeks are paid in advance (the rest in arrears).",
    )

    # Integrations: how often the council's case-management feed is polled for new referrals,
    # and whether its staff must sign in through its single sign-on (accounts.SingleSignOn).
    case_feed_poll_seconds = models.PositiveIntegerField(
        default=120,
        validators=[MinValueValidator(30), MaxValueValidator(3600)],
        help_text="How often the case-management system's referral feed is asked for new "
        "referrals, in seconds.",
    )
    staff_single_sign_on_required = models.BooleanField(
        default=False,
        help_text="Council staff must sign in through the council's single sign-on, not with a "
        "password.",
    )
    sso_requires_mfa = models.BooleanField(default=False)  # ID tokens' amr must name multi-factor

    # Retention (issue 23): how many months each class of record is kept once it is finished,
    # before the nightly retention task removes it. The defaults follow common UK local-authority
    # retention schedules (LGA / IRMS guidance): contact and signposting records 2 years after
    # closure; an appointment's booking 1 year after the appointment; anonymous feedback 2 years;
    # delivered outbound payloads (e-mails, CRM pushes) 3 months, being copies of what is kept
    # elsewhere; closed actions 6 years after closure (Limitation Act 1980, as for the contract
    # records they discuss); the audit log 7 years (6 years plus the current financial year).
    retention_request_months = models.PositiveSmallIntegerField(
        "Front-door requests",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Months after a signposted or closed request before its person's details go.",
    )
    retention_booking_months = models.PositiveSmallIntegerField(
        "Hub bookings",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Months after the appointment before the booking's personal details go.",
    )
    retention_feedback_months = models.PositiveSmallIntegerField(
        "Front-door feedback",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Months after it was given before feedback is deleted.",
    )
    retention_outbox_months = models.PositiveSmallIntegerField(
        "Sent e-mails and CRM pushes",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Months after sending (or giving up) before an outbound payload is deleted.",
    )
    retention_action_months = models.PositiveSmallIntegerField(
        "Closed actions",
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Months after an action closed before its thread's words and files go.",
    )
    retention_audit_months = models.PositiveSmallIntegerField(
        "Audit log",
        default=84,
        validators=[MinValueValidator(12), MaxValueValidator(600)],
        help_text="Months the audit log's events are kept.",
    )

    def __str__(self) -> str:
        return f"Rulebook of {self.council}"

    def frustrated_reasons(self) -> frozenset[str]:
        return frozenset(code for code in self.actuals_frustrated_reasons.split(",") if code)

    def clean(self) -> None:
        if self.actuals_periods_from.weekday() != self.actuals_week_start:
            raise ValidationError(
                {"actuals_periods_from": "The first period must start on the week's start day."}
            )
        if self.scheduled_weeks_in_advance >= self.scheduled_payment_weeks:
            raise ValidationError(
                {
                    "scheduled_weeks_in_advance": "Weeks paid in advance must be fewer than the "
                    "weeks one scheduled payment covers."
                }
            )

    def referral_service_hours(self) -> ServiceHours:
        return ServiceHours(
            start=self.referral_service_start,
            end=self.referral_service_end,
            weekdays=frozenset(int(day) for day in self.referral_service_days),
            bank_holidays_closed=self.referral_service_closed_on_bank_holidays,
        )


class PaymentRule(models.Model):
    """How a council pays frustrated quantities under one type of contract (aborted visits capped
    at 30 minutes, or paid at 50 %; night cancellations at 25 %). Hospital retainers are paid in
    full, within the service level's week limit."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="payment_rules")
    contract_type = models.CharField(max_length=20, choices=ContractType.choices)
    aborted_visit_max_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=30,
        help_text="The most paid for one aborted visit; empty for no cap.",
    )
    aborted_visit_paid_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)]
    )
    night_cancellation_paid_percent = models.PositiveSmallIntegerField(
        default=25,
        validators=[MaxValueValidator(100)],
        help_text="Paid for a night cancelled within 24 hours; one ended by hospital admission "
        "or death is paid in full.",
    )
    # A missed quantity is paid by its reason: the person's own short-notice cancellation or
    # non-engagement in full, a planned absence with notice or the provider's failure not at all.
    missed_planned_absence_paid_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    missed_non_engagement_paid_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)]
    )
    missed_short_notice_paid_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MaxValueValidator(100)]
    )
    missed_provider_failure_paid_percent = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    payment_method = models.CharField(
        max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.SELF_BILLING
    )
    one_off_claims_allowed = models.BooleanField(
        default=False, help_text="Whether the provider may claim one-off payments (absences)."
    )

    class Meta:
        ordering = ["council", "contract_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "contract_type"], name="payment_rule_unique_per_contract_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.get_contract_type_display()}"

    def missed_paid_percents(self) -> dict[str, int]:
        """Each missed reason's share paid under this contract type, in percent."""
        return {
            MissedReason.PLANNED_ABSENCE: self.missed_planned_absence_paid_percent,
            MissedReason.NON_ENGAGEMENT: self.missed_non_engagement_paid_percent,
            MissedReason.SHORT_NOTICE: self.missed_short_notice_paid_percent,
            MissedReason.PROVIDER_FAILURE: self.missed_provider_failure_paid_percent,
        }


class Team(models.Model):
    """A team of council staff that work is assigned to (brokerage, payments, front door…)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TeamKind.choices)
    email = models.EmailField(blank=True)
    internal_only = models.BooleanField(
        default=False,
        help_text="For the council's own messages: providers cannot assign actions to it.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="team_name_unique_in_council")
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """An area of a council's territory; service users and district teams belong to one."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(max_length=200)
    postcode_districts = models.CharField(
        max_length=500,
        blank=True,
        validators=[_validate_postcode_districts],
        help_text="The outward codes in this district, separated by spaces, e.g. NG21 NG22.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="district_name_unique_in_council"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def outward_codes(self) -> frozenset[str]:
        return frozenset(self.postcode_districts.split())

    def covers_postcode(self, postcode: str) -> bool | None:
        """Whether a postcode lies in this district; None when the district lists no codes."""
        codes = self.outward_codes()
        if not codes or not postcode.strip():
            return None
        return postcode.upper().split()[0] in codes


class Provider(Address):
    """A home-care organisation commissioned by one or more councils (its head office)."""

    name = models.CharField(max_length=200, unique=True)
    # Here and on Service, not on core.models.Address, which service users' addresses share.
    country = models.CharField(max_length=100, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    fax = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    cqc_location_id = models.CharField("CQC provider ID", max_length=20, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(Address):
    """A provider's site or branch that delivers care."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=100, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    fax = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"], name="service_name_unique_in_provider"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contract(models.Model):
    """The overarching agreement between a council and a provider; its type sets payment rules."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="contracts")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=50)
    contract_type = models.CharField(max_length=20, choices=ContractType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # The provider's number in the council's finance system, on the finance export.
    supplier_reference = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["council__name", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="contract_reference_unique_in_council"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_contract_type_display()})"


@dataclass(frozen=True)
class FieldChange:
    """One line of a change request's details: "Telephone: 0114 496 0311 → 0114 496 0399"."""

    label: str
    before: str | None  # None: a new contact, which had no details before
    after: str


K = ChangeRequestKind
CR = ChangeRequestStatus


class ChangeRequest(models.Model):
    """A provider's request to change its organisation, service or contact details, which the
    council it chose approves (and the change is made) or rejects with a reason."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="change_requests")
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="change_requests",
        help_text="The council that reviews the request.",
    )
    kind = models.CharField("Type", max_length=30, choices=ChangeRequestKind.choices)
    status = models.CharField(
        max_length=20, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    # The contact a request is about; for a new contact, the account made when it is approved.
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
    )
    entity_name = models.CharField(max_length=300)
    # Field name -> value: the details as they were when the request was raised, and as asked.
    previous = models.JSONField(default=dict, blank=True)
    proposed = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["council", "status", "raised_at"]),
            models.Index(fields=["provider", "status", "changed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=K.UPDATE_SERVICE, service__isnull=False)
                | (~models.Q(kind=K.UPDATE_SERVICE) & models.Q(service__isnull=True)),
                name="change_request_service_only_for_service_updates",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[K.UPDATE_CONTACT, K.REMOVE_ROLE], contact__isnull=False
                )
                | models.Q(kind=K.NEW_CONTACT)
                | models.Q(
                    kind__in=[K.UPDATE_ORGANISATION, K.UPDATE_SERVICE], contact__isnull=True
                ),
                name="change_request_contact_only_for_contact_requests",
            ),
            models.CheckConstraint(
                condition=models.Q(status=CR.PENDING, decided_at__isnull=True)
                | (~models.Q(status=CR.PENDING) & models.Q(decided_at__isnull=False)),
                name="change_request_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=CR.REJECTED) | ~models.Q(rejection_reason=""),
                name="change_request_rejected_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.entity_name}"

    @property
    def is_pending(self) -> bool:
        return self.status == CR.PENDING

    @property
    def purpose(self) -> str:
        """What it asks, to follow "request to": "add Jo Bloggs as a new contact"."""
        return request_to(self.kind, self.entity_name)

    def changes(self) -> list[FieldChange]:
        """What the request changes, field by field, in words a person reads without hovering."""
        if self.kind == K.REMOVE_ROLE:
            role = _shown("role", self.previous.get("role", ""))
            return [FieldChange(FIELD_LABELS["role"], role, "Removed: the account is closed")]
        lines = []
        # In the pages' order: a JSON column need not keep the order the keys were written in.
        for field in FIELDS_OF_KIND[ChangeRequestKind(self.kind)]:
            if field not in self.proposed:
                continue
            before = None if self.kind == K.NEW_CONTACT else _shown(field, self.previous.get(field))
            after = _shown(field, self.proposed[field])
            lines.append(FieldChange(FIELD_LABELS.get(field, field), before, after))
        return lines


def _shown(field: str, value: object) -> str:
    if field == "role" and value:
        return str(Role(str(value)).label)
    return str(value) if value not in (None, "") else "(blank)"


# What a council buys from each provider: its own module, imported so that Django finds it.
from carebridge.organisations import provider_kinds as provider_kinds  # noqa: E402
