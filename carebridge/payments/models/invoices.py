"""Payments: the provider's invoices and credit notes, raised from its actuals where the
council pays on invoice (a CPLI week is on at most one invoice line, docs/decisions/0009); its
variation requests for care over the exception; and its one-off claims for unplanned absences,
invoiced at contract level once approved."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from carebridge.actions.models import Action
from carebridge.actuals.models import Actual, Period
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.organisations.models import Council, Provider, Service
from carebridge.payments.choices import (
    AbsenceStay,
    ClaimStatus,
    InvoiceKind,
    InvoiceStatus,
    VariationStatus,
)
from carebridge.people.models import ServiceUser


class OneOffClaim(models.Model):
    """A provider's claim for what its actuals cannot hold (Norfolk: unplanned absences under a
    block or framework contract), for one service, dated the end of the period it falls in."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="one_off_claims")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="one_off_claims")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="one_off_claims")
    # The period whose end date is the Date of Claim.
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="one_off_claims")
    claim_date = models.DateField("Date of claim")
    notes = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.UNSUBMITTED
    )
    rejected_reason = models.TextField(blank=True)
    # The thread on which the payments team tells the provider its decision.
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-claim_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ClaimStatus.values), name="one_off_claim_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["provider", "council"]),
        ]

    def __str__(self) -> str:
        return f"One-off claim {self.pk}"


class ClaimClientItem(models.Model):
    """A client's unplanned absence on a one-off claim: the dates, the stay before it, and the
    hours claimed at the rate of the client's CPLI."""

    claim = models.ForeignKey(OneOffClaim, on_delete=models.CASCADE, related_name="client_items")
    service_user = models.ForeignKey(ServiceUser, on_delete=models.PROTECT, related_name="+")
    cpli = models.ForeignKey(Cpli, on_delete=models.PROTECT, related_name="+")
    absence_start = models.DateField()
    absence_end = models.DateField()
    stay = models.CharField("Preceding stay", max_length=20, choices=AbsenceStay.choices)
    hours = models.DecimalField(max_digits=7, decimal_places=2)
    rate = models.DecimalField(max_digits=9, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    # 4 to 7 days of absence need the locality worker who authorised them.
    authorised_by = models.CharField("Authorising locality worker", max_length=100, blank=True)

    class Meta:
        ordering = ["claim", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(absence_end__gte=models.F("absence_start")),
                name="claim_client_item_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="claim_client_item_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Client item {self.pk} of claim {self.claim_id}"


class ClaimProviderItem(models.Model):
    """A cost of the provider's own on a one-off claim."""

    claim = models.ForeignKey(OneOffClaim, on_delete=models.CASCADE, related_name="provider_items")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["claim", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="claim_provider_item_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Provider item {self.pk} of claim {self.claim_id}"


class ClaimAttachment(models.Model):
    """A file on a one-off claim (the details of many clients, say), checked as an action's files
    are and only ever served to those who can see the claim."""

    claim = models.ForeignKey(OneOffClaim, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="claims/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    """A provider's invoice (or credit note) to a council for one service's actuals in one
    period, under the provider's own reference."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="invoices")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="invoices")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="invoices")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    # The invoice a credit note or supplementary invoice corrects.
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    # An invoice at contract level: the approved one-off claim it invoices, once.
    claim = models.OneToOneField(
        OneOffClaim, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice"
    )
    reference = models.CharField("Invoice reference", max_length=50)
    invoice_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.UNSUBMITTED
    )
    held_reason = models.TextField(blank=True)
    returned_reason = models.TextField(blank=True)
    # Prompt payment (Public Contracts Regulations 2015, reg. 113): the 30 days run from when
    # the council received the invoice as it stands (submitted, or submitted again after it
    # was returned), to the payment date of the run that paid it.
    submitted_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-invoice_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "reference"], name="invoice_reference_unique_per_provider"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvoiceStatus.values), name="invoice_status_known"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=InvoiceKind.INVOICE, corrects__isnull=True)
                | models.Q(
                    kind__in=[InvoiceKind.CREDIT_NOTE, InvoiceKind.SUPPLEMENTARY],
                    corrects__isnull=False,
                    claim__isnull=True,
                ),
                name="invoice_correction_corrects_an_invoice",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["provider", "council"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class InvoiceLine(models.Model):
    """One CPLI's week on an invoice: its quantity (Actual + payable Frstd), rate and amount (the
    actual's cost, rounded once at the line), and its VAT rate. On a credit note or
    supplementary invoice, the fall or rise of that week's cost since it was invoiced; on a
    contract-level invoice, one item of the one-off claim, described."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    # Copied from the invoice so that the database itself keeps a CPLI week on one invoice.
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    cpli = models.ForeignKey(
        Cpli, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    actual = models.ForeignKey(
        Actual, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    description = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=9, decimal_places=2)
    rate = models.DecimalField(max_digits=9, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    # More than the rulebook's percentage over plan: must be removed before Submit.
    over_exception = models.BooleanField(default=False)

    class Meta:
        ordering = ["invoice", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["actual"],
                condition=models.Q(kind=InvoiceKind.INVOICE),
                name="invoice_line_one_invoice_per_cpli_week",
            ),
            models.CheckConstraint(
                condition=models.Q(actual__isnull=False, cpli__isnull=False)
                | (models.Q(actual__isnull=True, cpli__isnull=True) & ~models.Q(description="")),
                name="invoice_line_a_cpli_week_or_described",
            ),
        ]

    def __str__(self) -> str:
        return f"Line for CPLI {self.cpli_id} on invoice {self.invoice_id}"


class VariationRequest(models.Model):
    """A provider's request for a temporary CPLI: care given over the exception to one client for
    some weeks, which the brokerage team approves (issuing the order for the provider to agree)
    or refuses with its reason."""

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="variation_requests"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="variation_requests"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="variation_requests"
    )
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="variation_requests"
    )
    # The CPLI whose plan the care went over.
    cpli = models.ForeignKey(Cpli, on_delete=models.PROTECT, related_name="variation_requests")
    first_week = models.DateField("First week")
    last_week = models.DateField("Last week")
    extra_quantity = models.DecimalField("Extra each week", max_digits=9, decimal_places=2)
    reason = models.TextField()
    status = models.CharField(
        max_length=20, choices=VariationStatus.choices, default=VariationStatus.REQUESTED
    )
    refused_reason = models.TextField(blank=True)
    # The thread in the brokerage team's actions inbox, with the evidence attached.
    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The order of the temporary CPLI, issued on approval.
    document = models.ForeignKey(
        ContractDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The invoice line it was raised from, if any.
    invoice_line = models.ForeignKey(
        InvoiceLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=VariationStatus.values),
                name="variation_request_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(last_week__gte=models.F("first_week")),
                name="variation_request_weeks_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(extra_quantity__gt=0),
                name="variation_request_extra_positive",
            ),
            # One open request per client and weeks (overlaps are refused under a lock).
            models.UniqueConstraint(
                fields=["service_user", "first_week", "last_week"],
                condition=models.Q(status=VariationStatus.REQUESTED),
                name="variation_request_one_open_per_client_weeks",
            ),
        ]
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["provider", "status"]),
        ]

    def __str__(self) -> str:
        return f"Variation request {self.pk}"
