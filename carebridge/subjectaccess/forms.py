"""The forms of subject access. They only read input: the services check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.people.validators import normalise_nhs_number, validate_nhs_number
from carebridge.subjectaccess.choices import Requester
from carebridge.subjectaccess.models import METHOD_MAX, NAME_MAX, REASON_MAX

FIND_NOTHING = "Enter an NHS number, an SS Ref, or a last name"


class FindForm(GovForm):
    """One key is enough: the NHS number, the SS Ref, or the name (with the date of birth)."""

    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=12, help_text="For example, 485 777 3456"
    )
    ss_ref = forms.CharField(label="SS Ref", required=False, max_length=30)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    date_of_birth = GuideDateField(label="Date of birth", required=False)

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].strip()
        if value:
            validate_nhs_number(value)
        return normalise_nhs_number(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(
            data.get(key) for key in ("nhs_number", "ss_ref", "last_name")
        ):
            raise ValidationError(FIND_NOTHING)
        return data


class RequestForm(GovForm):
    requester = forms.ChoiceField(
        label="Who asked", choices=Requester.choices, widget=forms.RadioSelect
    )
    requester_name = forms.CharField(label="Their name", max_length=NAME_MAX)
    representative_authority = forms.CharField(
        label="The representative's authority",
        required=False,
        max_length=METHOD_MAX,
        help_text="For a representative: a lasting power of attorney, the person's written "
        "consent…",
    )
    received_on = GuideDateField(label="Date received")


class VerifyForm(GovForm):
    verified_on = GuideDateField(label="Date verified")
    method = forms.CharField(
        label="How identity was verified",
        max_length=METHOD_MAX,
        help_text="For example, passport seen at the office, or a known address confirmed",
    )


class ReasonForm(GovForm):
    reason = forms.CharField(
        label="Reason", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class CompleteForm(GovForm):
    """Nothing to fill: the confirmation button."""
