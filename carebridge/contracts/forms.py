"""The contract document list's filters, and the provider's signature (agree or reject)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from carebridge.contracts.choices import DocumentStatus
from carebridge.core.forms import GovForm, GuideDateField


class DocumentFilters(forms.Form):
    """The list's GET filters. A value that is not one of the choices is ignored, never an error."""

    service = forms.TypedChoiceField(label="Service", required=False, coerce=int, empty_value=None)
    client = forms.CharField(
        label="Client", help_text="Name or SS Ref", required=False, max_length=100
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *DocumentStatus.choices]
    )
    since = GuideDateField(label="Updated since", required=False, help_text="For example, 1 4 2026")

    def __init__(self, data: Any, *, services: list[tuple[int, str]]) -> None:
        super().__init__(data)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All services"), *services]

    def values(self) -> dict[str, Any]:
        """The valid filters only. "Updated since" also takes an ISO date (`?since=2026-04-01`),
        so links and scripts need not split it into day, month and year."""
        self.is_valid()
        chosen = {
            name: self.cleaned_data.get(name, field.initial) for name, field in self.fields.items()
        }
        text = self.data.get("since", "") if hasattr(self.data, "get") else ""
        if chosen["since"] is None and text:
            try:
                chosen["since"] = date.fromisoformat(text.strip())
            except ValueError:
                chosen["since"] = None
        return chosen


def _password_field() -> forms.CharField:
    return forms.CharField(
        label="Password",
        help_text="Your password is your signature.",
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class AgreeForm(GovForm):
    password = _password_field()


class RejectForm(GovForm):
    notes = forms.CharField(
        label="Reason for rejecting this document",
        help_text="Say what is wrong, so the council can issue a new document.",
        max_length=2000,
        # Some browsers fill the first text box of a password form with the username.
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        error_messages={"required": "Say why you are rejecting this document"},
    )
    password = _password_field()
