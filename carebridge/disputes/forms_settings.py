"""The form of the council's catalogue of dispute reasons; the write is
disputes.services.dispute_reason_add."""

from __future__ import annotations

from django import forms

from carebridge.core.forms import GovForm
from carebridge.disputes.models import REASON_MAX


class ReasonAddForm(GovForm):
    label = forms.CharField(
        label="Reason",
        help_text="As your officers will choose it when they raise a dispute, for example "
        "Client in hospital or respite.",
        max_length=REASON_MAX,
        error_messages={
            "required": "Enter the reason",
            "max_length": f"Reason must be {REASON_MAX:,} characters or fewer",
        },
    )
