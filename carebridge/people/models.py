from django.db import models

from carebridge.core.models import Address
from carebridge.organisations.models import Council, District
from carebridge.people import cld


class ServiceUser(Address):
    """A person the council supports (a client): special-category personal data, audited."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="service_users")
    ss_ref = models.CharField("SS Ref", max_length=30, help_text="The council's own reference.")
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="service_users"
    )
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    gp_name = models.CharField("GP", max_length=200, blank=True)
    gp_practice = models.CharField("GP practice", max_length=200, blank=True)
    gp_phone = models.CharField("GP practice phone", max_length=30, blank=True)
    next_of_kin_name = models.CharField("Next of kin", max_length=200, blank=True)
    next_of_kin_relationship = models.CharField(
        "Next of kin's relationship", max_length=100, blank=True
    )
    next_of_kin_phone = models.CharField("Next of kin's phone", max_length=30, blank=True)
    consent_to_share = models.BooleanField(
        "Consent to share information",
        default=False,
        help_text="With the providers caring for them.",
    )
    # The Client Level Data person details (people/cld.py): blank until the council records them,
    # which the return's validation then names by record and field.
    gender = models.CharField(max_length=20, choices=cld.Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=120, choices=cld.Ethnicity.choices, blank=True)
    primary_support_reason = models.CharField(
        "Primary support reason",
        max_length=80,
        choices=cld.PrimarySupportReason.choices,
        blank=True,
    )
    accommodation_status = models.CharField(
        max_length=140, choices=cld.AccommodationStatus.choices, blank=True
    )
    has_unpaid_carer = models.CharField(
        "Has an unpaid carer", max_length=10, choices=cld.UnpaidCarer.choices, blank=True
    )
    client_funding_status = models.CharField(
        max_length=60, choices=cld.ClientFundingStatus.choices, blank=True
    )
    employment_status = models.CharField(
        max_length=80, choices=cld.EmploymentStatus.choices, blank=True
    )
    date_of_death = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "ss_ref"], name="service_user_ss_ref_unique_in_council"
            ),
            models.UniqueConstraint(
                fields=["council", "nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="service_user_nhs_number_unique_in_council",
            ),
        ]
        indexes = [models.Index(fields=["council", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.ss_ref})"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)
