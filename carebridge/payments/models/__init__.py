"""Payments' models: invoices, variation requests and one-off claims (invoices.py); payment
runs, their lines and payment exceptions (runs.py)."""

from carebridge.payments.models.invoices import (
    ClaimAttachment,
    ClaimClientItem,
    ClaimProviderItem,
    Invoice,
    InvoiceLine,
    OneOffClaim,
    VariationRequest,
)
from carebridge.payments.models.runs import PaymentException, PaymentLine, PaymentRun

__all__ = [
    "ClaimAttachment",
    "ClaimClientItem",
    "ClaimProviderItem",
    "Invoice",
    "InvoiceLine",
    "OneOffClaim",
    "PaymentException",
    "PaymentLine",
    "PaymentRun",
    "VariationRequest",
]
