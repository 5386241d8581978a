"""The forms of the details pages (each sends a change request, never a change) and the council's
rejection. The service checks the values; these collect them and show its errors by the fields."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout
from django import forms

from carebridge.core.forms import GovForm
from carebridge.core.permissions import PROVIDER_ROLES, Role
from carebridge.organisations.choices import (
    CONTACT_FIELDS,
    FIELD_LABELS,
    ORGANISATION_FIELDS,
    SERVICE_FIELDS,
)
from carebridge.organisations.models import Council

COUNCIL_HINT = (
    "That council checks the change and makes it. Your details are the same for every council "
    "you work with."
)

# How wide each detail's box is: about as wide as the answer it expects.
_WIDTHS: dict[str, Any] = {
    "title": Fixed.FIVE,
    "postcode": Fixed.TEN,
    "uprn": Fixed.TEN,
    "usrn": Fixed.TEN,
    "mobile": Fixed.TWENTY,
    "phone": Fixed.TWENTY,
    "fax": Fixed.TWENTY,
    "country": Fluid.ONE_THIRD,
    "cqc_location_id": Fixed.TEN,
}

# TextInput throughout (crispy-forms-gds marks errors on it); `input_type` sets the HTML type.
_INPUT_ATTRS: dict[str, dict[str, str]] = {
    "email": {"input_type": "email", "autocomplete": "off", "spellcheck": "false"},
    "phone": {"input_type": "tel", "autocomplete": "off"},
    "mobile": {"input_type": "tel", "autocomplete": "off"},
    "fax": {"input_type": "tel", "autocomplete": "off"},
    "postcode": {"autocomplete": "off", "spellcheck": "false"},
    "uprn": {"inputmode": "numeric"},
    "usrn": {"inputmode": "numeric"},
}


def _detail_field(name: str, *, required: bool) -> forms.CharField:
    label = FIELD_LABELS[name]
    # The service checks every value (required ones too) and reports every fault at once, so
    # the form itself never stops at the first.
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs=dict(_INPUT_ATTRS.get(name, {}))),
    )


class ChangeRequestForm(GovForm):
    """A request's details, and the council to send it to when the provider works for several."""

    detail_fields: tuple[str, ...] = ()
    required_fields: frozenset[str] = frozenset()  # labelled without "(optional)"

    def __init__(self, *args: Any, councils: list[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.detail_fields:
            self.fields.setdefault(name, _detail_field(name, required=name in self.required_fields))
        self.order_fields(self.detail_fields)
        self.councils = {str(council.pk): council for council in councils}
        if len(councils) > 1:
            self.fields["council"] = forms.ChoiceField(
                label="Which council should review this request?",
                help_text=COUNCIL_HINT,
                choices=[(pk, council.name) for pk, council in self.councils.items()],
                widget=forms.RadioSelect,
                required=False,  # the service says so, with the other faults
                error_messages={
                    "invalid_choice": "Choose one of the councils your organisation works for"
                },
            )
        layout = [
            Field.text(name, field_width=_WIDTHS.get(name, Fluid.TWO_THIRDS))
            for name in self.detail_fields
            if name in self.fields and name != "role"
        ]
        if "role" in self.fields:
            layout.append(Field.select("role"))
        if "council" in self.fields:
            layout.append(Field.radios("council"))
        self.helper.layout = Layout(*layout)

    def details(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in self.detail_fields}

    def council(self) -> Council | None:
        return self.councils.get(self.cleaned_data.get("council", ""))


class OrganisationForm(ChangeRequestForm):
    detail_fields = ORGANISATION_FIELDS
    required_fields = frozenset({"name"})


class ServiceForm(ChangeRequestForm):
    detail_fields = SERVICE_FIELDS
    required_fields = frozenset({"name"})


class ContactForm(ChangeRequestForm):
    detail_fields = CONTACT_FIELDS
    required_fields = frozenset({"first_name", "last_name", "email"})
    role = forms.ChoiceField(
        label="Security role",
        help_text="What they may do in the portal.",
        choices=[("", "Choose a security role")]
        + [(role.value, role.label) for role in Role if role in PROVIDER_ROLES],
        required=False,
    )


class RemoveRoleForm(ChangeRequestForm):
    """Only the council to send it to: removing a role asks nothing else."""


class RejectForm(GovForm):
    reason = forms.CharField(
        label="Reason for rejecting this request",
        help_text="The provider reads this. Say what is wrong, so they can put it right.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say why you are rejecting this request"},
    )
