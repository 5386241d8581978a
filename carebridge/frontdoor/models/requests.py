"""Front-door requests: one per finished journey, with its answers, the tool's recommendation,
the officer's triage and the history the person can track."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carebridge.core.calendar import ServiceHours, add_service_time, now
from carebridge.frontdoor.assessment.professional import (
    SUPPORT_NEEDS,
    WITHOUT_CONSENT,
    ProfessionalKind,
    RiskAnswer,
    SharingBasis,
)
from carebridge.frontdoor.choices import (
    About,
    Asker,
    Decision,
    EventKind,
    RequestStatus,
    Result,
    Route,
)
from carebridge.organisations.models import Council
from carebridge.people.cld import PrimarySupportReason
from carebridge.people.models import ServiceUser

__all__ = [
    "Feedback",
    "FrontDoorRequest",
    "FrontDoorSettings",
    "RequestEvent",
    "office_hours_from",
]


def office_hours_from(opens: time, closes: time, days: str) -> ServiceHours:
    """A front-door office's hours for core.calendar: its days and times, shut on bank holidays.
    A function of the three settings, so the migration that counts the stored waits reads them
    as the settings do."""
    return ServiceHours(
        start=opens,
        end=closes,
        weekdays=frozenset(int(day) for day in days),
        bank_holidays_closed=True,
    )


class FrontDoorSettings(models.Model):
    """A council's front-door rulebook: whether it is open, what its pages say of emergencies,
    where its directory feed and its CRM are."""

    council = models.OneToOneField(
        Council, on_delete=models.CASCADE, related_name="front_door_settings"
    )
    is_open = models.BooleanField(
        "Front door open to the public",
        default=False,
        help_text="Until it is, the council's front-door pages say it is not available.",
    )
    emergency_contacts = models.TextField(
        blank=True,
        help_text="Shown at once when someone may be in danger, one line each, for example "
        '"Adult social care out of hours: 01632 960 000". 999 is always shown first.',
    )
    contact_phone = models.CharField(
        "Front-door phone", max_length=30, blank=True, help_text="For people who cannot go on."
    )
    contact_hours = models.CharField(
        "Phone hours",
        max_length=200,
        blank=True,
        help_text='For example "Monday to Friday, 9am to 5pm".',
    )
    # Office hours: when the front-door team works through requests. Outside them (and on bank
    # holidays) the pages give the out-of-hours team, and never promise a reply "today".
    office_opens = models.TimeField("Office opens", default=time(9, 0))
    office_closes = models.TimeField("Office closes", default=time(17, 0))
    office_days = models.CharField(
        "Office days",
        max_length=7,
        default="01234",
        help_text="The days the office is open: 0 is Monday, 6 is Sunday. Bank holidays are "
        "always shut.",
    )
    out_of_hours_contact = models.CharField(
        "Out-of-hours emergency duty team",
        max_length=200,
        blank=True,
        help_text='Shown whenever the office is shut, for example "Emergency duty team: 01632 '
        '960 999".',
    )
    # The response promise: each request sent to the council is due this many business hours
    # (the office hours above, bank holidays shut) after it joins the queue.
    response_promise_hours = models.PositiveSmallIntegerField(
        "Response promise (business hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(400)],
        help_text="How many business hours the council promises to look at a request in. "
        "People are told the time it is due by.",
    )
    default_team = models.ForeignKey(
        "frontdoor.FrontDoorTeam",
        verbose_name="Default team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Takes every request no team's rules match.",
    )
    directory_feed_url = models.URLField(
        "Directory feed (Open Referral UK)",
        blank=True,
        help_text="The services endpoint of the council's Open Referral UK directory, refreshed "
        "each night.",
    )
    crm_webhook_url = models.URLField(
        "CRM webhook",
        blank=True,
        help_text="Requests sent to the council are posted here as JSON; blank for none.",
    )
    crm_webhook_secret = models.CharField(
        "CRM webhook signing secret",
        max_length=200,
        blank=True,
        help_text="Signs each post (HMAC-SHA256 in the X-Carebridge-Signature header).",
    )

    class Meta:
        verbose_name_plural = "front-door settings"

    def __str__(self) -> str:
        return f"Front door of {self.council}"

    def clean(self) -> None:
        errors = {}
        days = self.office_days or ""
        if not days or any(day not in "0123456" for day in days) or len(set(days)) != len(days):
            errors["office_days"] = "Select the days the office is open"
        if self.office_opens and self.office_closes and self.office_opens >= self.office_closes:
            errors["office_closes"] = "The office must close after it opens"
        if errors:
            raise ValidationError(errors)

    def office_opens_next(self, moment: datetime | None = None) -> datetime:
        """When the office is next open: `moment` itself (by default now) while it is open."""
        moment = moment or now()
        return add_service_time(moment, timedelta(0), self.office_hours())

    def office_is_open(self, moment: datetime | None = None) -> bool:
        moment = moment or now()
        return self.office_opens_next(moment) == moment

    @property
    def office_open_now(self) -> bool:
        """For pages: is the office open this minute (bank holidays shut)?"""
        return self.office_is_open()

    @property
    def office_next_opening(self) -> datetime:
        return self.office_opens_next()

    def office_hours(self) -> ServiceHours:
        """The office's hours for core.calendar: its days and times, shut on bank holidays."""
        return office_hours_from(self.office_opens, self.office_closes, self.office_days)


class FrontDoorRequest(models.Model):
    """One finished front-door journey: who asked about whom, every answer, what the rules
    recommended, and what the council did with it."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="front_door_requests"
    )
    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    route = models.CharField(max_length=20, choices=Route.choices)

    # Who asked, about whom
    asker = models.CharField(max_length=20, choices=Asker.choices)
    asker_name = models.CharField(max_length=200, blank=True)
    asker_email = models.EmailField(blank=True)
    asker_phone = models.CharField(max_length=30, blank=True)
    professional_organisation = models.CharField(max_length=200, blank=True)
    professional_role = models.CharField(max_length=200, blank=True)
    about = models.CharField(max_length=20, choices=About.choices)
    person_name = models.CharField(max_length=200, blank=True)
    person_date_of_birth = models.DateField(null=True, blank=True)
    person_email = models.EmailField(blank=True)
    person_phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    consent_to_share = models.BooleanField(default=False)

    # A professional's referral (the professional journey); blank on a resident's request
    professional_kind = models.CharField(
        max_length=20, choices=ProfessionalKind.choices, blank=True
    )
    asker_email_confirmed = models.BooleanField(
        "Work e-mail confirmed",
        default=False,
        help_text="The professional confirmed their work e-mail with a code sent to it.",
    )
    person_nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    person_address_line_1 = models.CharField(max_length=200, blank=True)
    person_address_line_2 = models.CharField(max_length=200, blank=True)
    person_town = models.CharField(max_length=200, blank=True)
    gp_practice = models.CharField("GP practice", max_length=200, blank=True)
    demographics_from_pds = models.BooleanField(
        "Details from the NHS record",
        default=False,
        help_text="Name, address and GP practice were filled in from the NHS Personal "
        "Demographics Service, and checked by the professional.",
    )
    presenting_need = models.TextField(blank=True)
    # Health data, cleared with the other details by retention. It routes a referral to a mental
    # health or learning disability team, and becomes the new service user's on acceptance.
    primary_support_reason = models.CharField(
        "Main support need",
        max_length=80,
        choices=PrimarySupportReason.choices,
        blank=True,
        help_text="The professional's answer, from the Client Level Data return's Primary "
        "Support Reason list.",
    )
    current_services = models.TextField(blank=True)
    others_involved = models.TextField(blank=True)
    risk_to_person = models.CharField(max_length=10, choices=RiskAnswer.choices, blank=True)
    risk_to_person_details = models.TextField(blank=True)
    risk_to_others = models.CharField(max_length=10, choices=RiskAnswer.choices, blank=True)
    risk_to_others_details = models.TextField(blank=True)
    risk_to_staff = models.CharField(
        "Risk to staff visiting", max_length=10, choices=RiskAnswer.choices, blank=True
    )
    risk_to_staff_details = models.TextField(blank=True)
    sharing_basis = models.CharField(
        max_length=20,
        choices=SharingBasis.choices,
        blank=True,
        help_text="Why the council may have the person's details: consent, or a professional's "
        "basis for referring without it.",
    )
    sharing_basis_reason = models.TextField(blank=True)

    # The answers and the rules' recommendation, with the version of the rules that made it
    answers = models.JSONField(default=dict)
    assessment = models.JSONField(default=dict)
    ruleset_version = models.CharField(max_length=40)
    result = models.CharField(max_length=30, choices=Result.choices)
    urgent = models.BooleanField(default=False)
    assessment_requested = models.BooleanField(
        default=False, help_text="Asked for an assessment although the tool signposted them."
    )

    submitted_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    # Triage
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stored when it is decided (frontdoor/requests/waits.py) so a year of figures reads one
    # integer a request, not two date-times to convert and count again; microseconds, so the
    # figures are those of the two times to the last digit.
    decision_wait_us = models.BigIntegerField(
        "Business time to decision (microseconds)",
        null=True,
        blank=True,
        help_text="From submission to the decision, in the front-door office's hours; empty "
        "until decided.",
    )
    redirected_to = models.CharField(max_length=200, blank=True)
    outcome_note = models.TextField(
        blank=True, help_text="What the person reads on their tracking page when it closes."
    )
    appropriate = models.BooleanField(
        "Appropriate referral",
        null=True,
        blank=True,
        help_text="The officer's view: was sending this request to the council appropriate?",
    )
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="front_door_requests",
    )

    # Updates by e-mail, when the person opted in
    updates_email = models.EmailField(blank=True)

    # Routing and the response promise (frontdoor/requests/services/routing.py): the team that
    # works the request and the rule that chose it, in words; when it joined the queue and
    # when the council's promise makes it due (counted again when the hours or promise change).
    team = models.ForeignKey(
        "organisations.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="front_door_requests",
    )
    routing_rule = models.CharField(
        "Routed by", max_length=300, blank=True, help_text="The rule that chose the team."
    )
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the request joined the council's queue."
    )
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The response promise's business hours after it joined the queue.",
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["council", "status", "submitted_at"]),
            models.Index(fields=["council", "submitted_at"]),
            models.Index(fields=["council", "team", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def details_shared(self) -> bool:
        """Whether the council may have the person's details: they agreed, or a professional
        referred without consent on a recorded basis."""
        return self.consent_to_share or self.sharing_basis in WITHOUT_CONSENT

    @property
    def support_need(self) -> str:
        """The main support need in the words the professional chose it by."""
        return SUPPORT_NEEDS.get(self.primary_support_reason, "")

    @property
    def person_address(self) -> list[str]:
        """The address's lines as given, without the blank ones."""
        lines = (self.person_address_line_1, self.person_address_line_2, self.person_town)
        return [line for line in (*lines, self.postcode) if line]

    @property
    def contact_email(self) -> str:
        """Where e-mails about the request go: the person's, or the one who asked for them."""
        return self.person_email or self.asker_email


class RequestEvent(models.Model):
    """One step in a request's history; those marked public show on the tracking page."""

    request = models.ForeignKey(FrontDoorRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    status = models.CharField(max_length=20, choices=RequestStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)
    public = models.BooleanField(
        default=True,
        help_text="Shown to the person on the tracking page (officers' notes are not).",
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request}: {self.get_kind_display()}"


class Feedback(models.Model):
    """What someone thought of the front door, given at the end of the journey."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="front_door_feedback"
    )
    request = models.ForeignKey(
        FrontDoorRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 very dissatisfied to 5 very satisfied, as GOV.UK asks it.",
    )
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"Feedback {self.rating}/5 for {self.council}"
