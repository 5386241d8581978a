"""The integrations pages' forms: a council's connections to its own systems, and the delivery
log's filters and "Send again". They only read input; the writes are in
integrations.connections and the outboxes' own modules."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from carebridge.core.forms import BoundedTextForm, GovForm
from carebridge.core.outbound import url_refusal


def _address(label: str, hint: str, *, required_message: str) -> forms.URLField:
    return forms.URLField(
        label=label,
        assume_scheme="https",
        max_length=200,
        help_text=hint,
        error_messages={
            "required": required_message,
            "invalid": "Enter a web address that starts with https://",
        },
    )


def _secret(label: str, hint: str, *, max_length: int) -> forms.CharField:
    # Write-only: the page never puts a kept secret back into the box.
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        strip=True,
        help_text=hint,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class _Addresses(GovForm):
    """Addresses the outbound guard refuses are refused here too, against their own box."""

    addresses: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.addresses:
            value = data.get(name)
            refusal = url_refusal(value) if value else ""
            if refusal and name not in self.errors:
                self.add_error(name, refusal)
        return data


class CaseSystemForm(_Addresses):
    addresses = ("base_url",)

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the council calls the system, for example Mosaic.",
        error_messages={"required": "Enter the system's name"},
    )
    base_url = _address(
        "Address",
        "The system's API root: the referral feed is read from this address with /referrals "
        "added, and updates are posted under it.",
        required_message="Enter the system's address",
    )
    api_key = _secret(
        "API key",
        "Sent with every call to the system. Leave blank to keep the key you set before.",
        max_length=500,
    )
    polling_enabled = forms.BooleanField(
        label="Ask the system's referral feed for new referrals", required=False
    )
    updates_enabled = forms.BooleanField(
        label="Send the system an acknowledgement and every answer to its referrals",
        required=False,
    )


class DataverseForm(_Addresses):
    addresses = ("environment_url", "token_url")

    environment_url = _address(
        "Environment address",
        "Like https://council.crm11.dynamics.com",
        required_message="Enter the environment's address",
    )
    token_url = _address(
        "Token address",
        "The OAuth 2.0 token endpoint, like "
        "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
        required_message="Enter the token address",
    )
    client_id = forms.CharField(
        label="Client id",
        max_length=100,
        help_text="The application (client) id registered for the portal.",
        error_messages={"required": "Enter the client id"},
    )
    client_secret = _secret(
        "Client secret", "Leave blank to keep the secret you set before.", max_length=500
    )
    team_id = forms.CharField(
        label="Team to alert (optional)",
        required=False,
        max_length=36,
        help_text="The id of the team alerted to each new case, like "
        "3f2b8c1e-6a4d-4e3b-9c6f-1d2e3f4a5b6c",
    )
    enabled = forms.BooleanField(label="Push front-door requests to Dataverse", required=False)

    def clean_team_id(self) -> str:
        value: str = self.cleaned_data.get("team_id", "")
        if not value:
            return ""
        try:
            return str(uuid.UUID(value))
        except ValueError as error:
            raise forms.ValidationError(
                "Enter the team's id as Dataverse shows it, like "
                "3f2b8c1e-6a4d-4e3b-9c6f-1d2e3f4a5b6c"
            ) from error


class PdsForm(_Addresses):
    addresses = ("base_url", "token_url")

    base_url = _address(
        "API address",
        "Like https://api.service.nhs.uk/personal-demographics/FHIR/R4 (integration: "
        "https://int.api.service.nhs.uk/personal-demographics/FHIR/R4)",
        required_message="Enter the API's address",
    )
    token_url = _address(
        "Token address",
        "Like https://api.service.nhs.uk/oauth2/token",
        required_message="Enter the token address",
    )
    api_key = forms.CharField(
        label="API key",
        max_length=200,
        help_text="Your application's API key from the NHS England developer portal.",
        error_messages={"required": "Enter the API key"},
    )
    key_id = forms.CharField(
        label="Key id (kid)",
        max_length=100,
        help_text="The id of the public key in the key set you gave NHS England, like test-1.",
        error_messages={"required": "Enter the key id"},
    )
    private_key = forms.CharField(
        label="Private key",
        required=False,
        max_length=10000,
        help_text="The RSA private key that signs the portal's requests, in PEM form. It is never "
        "shown again. Leave blank to keep the key you set before.",
        # Write-only: the page never puts a kept key back into the box.
        widget=forms.Textarea(attrs={"rows": 6, "autocomplete": "off", "spellcheck": "false"}),
    )
    ods_code = forms.CharField(
        label="ODS code (optional)",
        required=False,
        max_length=10,
        help_text="The council's own Organisation Data Service code, sent with each look-up.",
    )
    trusted_email_domains = forms.CharField(
        label="Trusted e-mail domains",
        required=False,
        max_length=1000,
        help_text="One a line, like nhs.net. Only professionals who prove an e-mail address at "
        "one of these domains (or a part of one) may look a person up.",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    enabled = forms.BooleanField(
        label="Fill in people's details from their NHS number", required=False
    )

    def clean_ods_code(self) -> str:
        value: str = self.cleaned_data.get("ods_code", "").strip().upper()
        if value and not value.isalnum():
            raise forms.ValidationError("Enter the ODS code in letters and numbers, like X26")
        return value


# The delivery log's filters: (value, label), the first the default.
STATUSES = [
    ("failed", "Failed"),
    ("waiting", "Waiting"),
    ("delivered", "Delivered"),
    ("all", "All"),
]
SYSTEMS = [("all", "Both"), ("case", "Case management"), ("crm", "CRM")]


class DeliveryFiltersForm(BoundedTextForm):
    """The query string's filters; anything else is the default, never an error."""

    status = forms.ChoiceField(label="Status", required=False, choices=STATUSES)
    system = forms.ChoiceField(label="System", required=False, choices=SYSTEMS)

    def chosen(self) -> dict[str, str]:
        self.is_valid()  # a filter that is not a choice is left out of cleaned_data
        return {
            name: self.cleaned_data.get(name) or choices[0][0]
            for name, choices in (("status", STATUSES), ("system", SYSTEMS))
        }


class RetryForm(BoundedTextForm):
    """Which undelivered row to send again."""

    kind = forms.ChoiceField(choices=[("case", "Case management"), ("crm", "CRM")])
    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
