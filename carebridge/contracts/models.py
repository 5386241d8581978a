from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carebridge.contracts.choices import (
    CldDeliveryMechanism,
    CldServiceType,
    CpliStatus,
    DocumentKind,
    DocumentStatus,
    PricingBasis,
    Unit,
)
from carebridge.contracts.commitment import allocation_commitment, commitment, weekly_cost
from carebridge.core import calendar
from carebridge.organisations.models import Council, Provider, Service
from carebridge.people.models import ServiceUser

_NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ServiceLevel(models.Model):
    """An item of the council's catalogue of care it buys, e.g. "Home Care - Double Assist"."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="service_levels")
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    is_active = models.BooleanField(default=True)
    hospital_retainer_weeks = models.PositiveSmallIntegerField(
        default=2,
        help_text="For how many weeks running a hospital admission is paid as frustrated "
        "(e.g. 2 for community support, 6 for shared support); beyond it the operational "
        "team decides.",
    )
    vat_rate = models.DecimalField(
        "VAT rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Home care is usually exempt: 0.",
    )
    # Bradford's rules differ by service type: supported living is delivered on planned hours
    # (an increase is a new line, never an extra), and core or shared hours should not vary.
    extras_allowed = models.BooleanField(
        default=True,
        help_text="Whether extras may be claimed on this level (not for supported living).",
    )
    fixed_hours = models.BooleanField(
        default=False,
        help_text="Core or shared hours that should not vary: an actual other than the plan "
        "is an exception.",
    )
    # The council's finance code the level's spend is booked to, on the finance export.
    cost_centre = models.CharField(max_length=20, blank=True)
    # How the Client Level Data return describes a CPLI of this level (its Service event).
    cld_service_type = models.CharField(
        "CLD service type",
        max_length=60,
        choices=CldServiceType.choices,
        default=CldServiceType.LONG_TERM_COMMUNITY,
    )
    cld_service_component = models.CharField("CLD service component", max_length=60, blank=True)
    cld_delivery_mechanism = models.CharField(
        "CLD delivery mechanism",
        max_length=40,
        choices=CldDeliveryMechanism.choices,
        default=CldDeliveryMechanism.COMMISSIONED,
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="service_level_name_unique_in_council"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ContractDocument(models.Model):
    """An Individual Service Order (or its termination): what the council commissions for one
    client from one service, which the provider agrees or rejects. Kept for ever."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="contract_documents"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="contract_documents"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="contract_documents"
    )
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="contract_documents"
    )
    reference = models.CharField(max_length=30, help_text="The document's own number.")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    care_package_reference = models.CharField(max_length=50)
    status = models.CharField(
        max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.PUBLISHED
    )
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text="The rejected document this new one is issued instead of.",
    )
    terminates = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="terminations",
        help_text="For a termination: the agreed order it ends.",
    )
    end_date = models.DateField(
        "Last day of care",
        null=True,
        blank=True,
        help_text="For a termination: the last day the order's care is delivered.",
    )
    reason = models.TextField(blank=True, help_text="For a termination: why the order ends.")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer_notes = models.TextField(blank=True)
    # The SHA-256 of the PDF the provider agreed to: with who and when, the contractual signature.
    signed_hash = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="contract_document_reference_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DocumentStatus.values),
                name="contract_document_status_known",
            ),
            # A rejected document is issued again once at most: two brokers pressing "Issue a
            # new document" at the same moment cannot both succeed.
            models.UniqueConstraint(
                fields=["replaces"],
                condition=models.Q(replaces__isnull=False),
                name="contract_document_replaced_once",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind=DocumentKind.ORDER,
                        terminates__isnull=True,
                        end_date__isnull=True,
                    )
                    | models.Q(
                        kind=DocumentKind.TERMINATION,
                        terminates__isnull=False,
                        end_date__isnull=False,
                    )
                ),
                name="contract_document_termination_has_order_and_end",
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "changed_at"]),
            models.Index(fields=["council", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class Cpli(models.Model):
    """A Care Package Line Item: a quantity of one service level each week for a client, at a rate."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="cplis")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="cplis")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cplis")
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="cplis")
    service_level = models.ForeignKey(ServiceLevel, on_delete=models.PROTECT, related_name="cplis")
    document = models.ForeignKey(ContractDocument, on_delete=models.PROTECT, related_name="cplis")
    care_package_reference = models.CharField(max_length=50)
    quantity = models.DecimalField(
        "Quantity a week", max_digits=7, decimal_places=2, validators=_NOT_NEGATIVE
    )
    unit = models.CharField(max_length=20, choices=Unit.choices)
    rate = models.DecimalField(max_digits=9, decimal_places=2, validators=_NOT_NEGATIVE)
    visits = models.PositiveSmallIntegerField(
        "Visits a week", default=0, help_text="Informational: not used in payments."
    )
    # A short break is not planned week by week: the client takes nights as they need them, up
    # to this many in a financial year, and the provider enters each week's nights as they go.
    yearly_allocation = models.DecimalField(
        "Allocation a year",
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_NOT_NEGATIVE,
    )
    pricing_basis = models.CharField(max_length=10, choices=PricingBasis.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # The end the order gave the line (None: ongoing). A termination ends the line earlier by
    # setting end_date; a corrected termination starts again from this.
    ordered_end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=CpliStatus.choices, default=CpliStatus.PROPOSED
    )

    class Meta:
        ordering = ["service_user", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="cpli_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CpliStatus.values), name="cpli_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["provider", "status", "service_user"]),
            models.Index(fields=["council", "status"]),
        ]

    def __str__(self) -> str:
        return f"CPLI {self.pk}: {self.description}"

    @property
    def is_allocation(self) -> bool:
        return self.yearly_allocation is not None

    @property
    def weekly_cost(self) -> Decimal:
        return weekly_cost(self.quantity, self.rate)

    @property
    def allocation_cost(self) -> Decimal | None:
        """A short break's cost for a whole year's allocation; None for a weekly line."""
        if self.yearly_allocation is None:
            return None
        return weekly_cost(self.yearly_allocation, self.rate)

    def last_day_under(self, end_date: date) -> date:
        """The line's last day if its order is terminated with end_date as the last day of care:
        that day, or the end the order gave the line if it comes first."""
        ordered = self.ordered_end_date
        return end_date if ordered is None or ordered > end_date else ordered

    @property
    def shown_status(self) -> str:
        """The status lists and exports show: an active line whose end date has passed (in
        London) has ended, even before anything has set its status to ended."""
        if (
            self.status == CpliStatus.ACTIVE
            and self.end_date is not None
            and self.end_date < calendar.today()
        ):
            return CpliStatus.ENDED
        return self.status

    @property
    def shown_status_label(self) -> str:
        return str(CpliStatus(self.shown_status).label)

    def commitment_in(self, *, year: int, week_start: int) -> Decimal:
        """The line's value in a financial year: its weekly costs over the days it runs in the
        year or, for a short break, its whole allocation (the nights can be taken any time)."""
        if self.yearly_allocation is not None:
            return allocation_commitment(
                self.yearly_allocation, self.rate, self.start_date, self.end_date, year=year
            )
        return commitment(
            self.weekly_cost, self.start_date, self.end_date, year=year, week_start=week_start
        )

    @property
    def description(self) -> str:
        """As the guide shows a line: "3.5 x Hours at £16.16 (Spot)", or for a short break "Up to
        28 Nights a year at £95.00 (Spot)"."""
        price = f"at £{self.rate:,.2f} ({self.get_pricing_basis_display()})"
        if self.yearly_allocation is not None:
            nights = f"{self.yearly_allocation.normalize():f}"
            return f"Up to {nights} {self.get_unit_display()} a year {price}"
        quantity = f"{self.quantity.normalize():f}"
        return f"{quantity} x {self.get_unit_display()} {price}"
