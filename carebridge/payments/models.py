"""Payments: the provider's invoices and credit notes, raised from its actuals where the
council pays on invoice. A CPLI week is on at most one invoice line (docs/decisions/0009)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from carebridge.actuals.models import Actual, Period
from carebridge.contracts.models import Cpli
from carebridge.organisations.models import Council, Provider, Service
from carebridge.payments.choices import InvoiceKind, InvoiceStatus


class Invoice(models.Model):
    """A provider's invoice (or credit note) to a council for one service's actuals in one
    period, under the provider's own reference."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="invoices")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="invoices")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="invoices")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    # The invoice a credit note corrects.
    credits = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    reference = models.CharField("Invoice reference", max_length=50)
    invoice_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.UNSUBMITTED
    )
    held_reason = models.TextField(blank=True)
    returned_reason = models.TextField(blank=True)
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
                condition=models.Q(kind=InvoiceKind.INVOICE, credits__isnull=True)
                | models.Q(kind=InvoiceKind.CREDIT_NOTE, credits__isnull=False),
                name="invoice_credit_note_credits_an_invoice",
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
    actual's cost, rounded once at the line), and its VAT rate."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    # Copied from the invoice so that the database itself keeps a CPLI week on one invoice.
    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    cpli = models.ForeignKey(Cpli, on_delete=models.PROTECT, related_name="invoice_lines")
    actual = models.ForeignKey(Actual, on_delete=models.PROTECT, related_name="invoice_lines")
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
        ]

    def __str__(self) -> str:
        return f"Line for CPLI {self.cpli_id} on invoice {self.invoice_id}"
