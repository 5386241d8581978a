"""The forms of variation requests: the provider's request for a temporary CPLI (with its
evidence) and the brokerage officer's refusal. They only read input: the services
(payments.services.variations) check and write."""

from __future__ import annotations

from django import forms

from carebridge.actions.forms import AttachmentsField
from carebridge.core.forms import GovForm, GuideDateField


class VariationRequestForm(GovForm):
    """The weeks of care over the plan, the extra each week, why, and the evidence."""

    first_week = GuideDateField(
        label="First week",
        name="the first week",
        help_text="The date the first week of extra care starts, for example 9 11 2026",
    )
    last_week = GuideDateField(
        label="Last week",
        name="the last week",
        help_text="The date the last week of extra care starts: the same as the first week for "
        "one week",
    )
    extra_quantity = forms.DecimalField(
        label="Extra each week",
        max_digits=7,
        decimal_places=2,
        error_messages={
            "required": "Enter the extra each week",
            "invalid": "The extra each week must be a number, like 2.5",
            "max_digits": "The extra each week must be 99,999.99 or less",
            "max_decimal_places": "The extra each week must have 2 decimal places at most",
            "max_whole_digits": "The extra each week must be 99,999.99 or less",
        },
    )
    reason = forms.CharField(
        label="Reason",
        help_text="What care was given over the plan, and why: the brokerage team and the "
        "client's social worker read this.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the reason for the extra care"},
    )
    attachments = AttachmentsField(
        label="Evidence (optional)",
        help_text="Visit records or care notes that show the extra care: PDF, Word, Excel or "
        "images (PNG, JPEG or GIF), each smaller than 10 MB.",
    )


class VariationRefuseForm(GovForm):
    reason = forms.CharField(
        label="Reason",
        help_text="The provider reads this on the request and on its action.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason, for the provider to read"},
    )
