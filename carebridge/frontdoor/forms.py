"""The front-door officers' forms: the queue's filters and each triage step. They only read
input; the writes are services in frontdoor.services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from carebridge.core.forms import BoundedTextForm, GovForm, GuideDateField
from carebridge.frontdoor.choices import RequestStatus
from carebridge.people.models import ServiceUser

NEW = "new"


class QueueFiltersForm(BoundedTextForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Waiting for the council"), ("all", "Any")]
        + [(s.value, s.label) for s in RequestStatus if s != RequestStatus.SIGNPOSTED],
    )
    urgent_only = forms.BooleanField(label="Urgent only", required=False)
    q = forms.CharField(label="Reference, name or postcode", required=False, max_length=100)


def _text(
    label: str, required_message: str, *, hint: str = "", required: bool = True
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=hint,
        error_messages={"required": required_message},
    )


class InformationForm(GovForm):
    text = _text(
        "What do you need to know?",
        "Enter what you need to know",
        hint="The person reads this on their tracking page, and we e-mail them to look.",
    )


class NoteForm(GovForm):
    text = _text("Note", "Enter the note", hint="Only council staff see notes.")


class CloseForm(GovForm):
    text = _text(
        "Outcome",
        "Enter the outcome the person will read",
        hint="The person reads this on their tracking page.",
    )


class RedirectForm(GovForm):
    redirected_to = forms.CharField(
        label="Redirected to",
        max_length=200,
        help_text="The service that fits better, for example the community mental health team.",
        error_messages={"required": "Enter the service you are redirecting them to"},
    )
    text = _text(
        "What the person needs to know",
        "Enter what you are telling the person",
        hint="How to reach that service. The person reads this on their tracking page.",
    )


class AppropriateForm(GovForm):
    appropriate = forms.TypedChoiceField(
        label="Was sending this request to the council appropriate?",
        choices=[("yes", "Yes, an appropriate referral"), ("no", "No, an inappropriate referral")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the referral was appropriate"},
    )


class AcceptForm(GovForm):
    """Accept for assessment: a person the council knows, or a new one (with their SS Ref)."""

    service_user = forms.ChoiceField(
        label="Who is this?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person, or add them as new"},
    )
    ss_ref = forms.CharField(
        label="SS Ref",
        required=False,
        max_length=30,
        help_text="Only for someone new: their reference in the case-management system.",
    )
    first_name = forms.CharField(label="First name", required=False, max_length=100)
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    date_of_birth = GuideDateField(
        label="Date of birth", required=False, help_text="For example, 27 3 1941"
    )
    text = _text(
        "Message to the person (optional)",
        "",
        required=False,
        hint="What happens next, for example when the assessor will call.",
    )

    def __init__(self, *args: Any, matches: list[ServiceUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (
                str(person.pk),
                f"{person.full_name}, born {person.date_of_birth:%-d %B %Y} ({person.ss_ref})",
            )
            for person in matches
        ]
        choices.append((NEW, "Someone new to the council's records"))
        cast(forms.ChoiceField, self.fields["service_user"]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("service_user") == NEW:
            for name, message in (
                ("ss_ref", "Enter the SS Ref from the case-management system"),
                ("first_name", "Enter the first name"),
                ("last_name", "Enter the last name"),
                ("date_of_birth", "Enter the date of birth"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data


class SettingsForm(GovForm):
    """The council's front-door settings."""

    is_open = forms.BooleanField(
        label="The front door is open to the public",
        required=False,
        help_text="Until it is, the council's public front-door pages are not found.",
    )
    contact_phone = forms.CharField(label="Front-door phone", max_length=30, required=False)
    contact_hours = forms.CharField(
        label="Phone hours",
        max_length=200,
        required=False,
        help_text="For example, Monday to Friday, 9am to 5pm.",
    )
    emergency_contacts = forms.CharField(
        label="Emergency contacts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, shown at once when someone may be in danger. 999 and NHS 111 "
        "are always shown first.",
    )
    directory_feed_url = forms.URLField(
        label="Directory feed (Open Referral UK)",
        required=False,
        assume_scheme="https",
        help_text="The services endpoint of the council's community directory, read each night.",
    )
    crm_webhook_url = forms.URLField(
        label="CRM webhook",
        required=False,
        assume_scheme="https",
        help_text="Requests sent to the council are posted here as JSON. Leave blank for none.",
    )
    crm_webhook_secret = forms.CharField(
        label="CRM webhook signing secret",
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave blank to keep the current secret.",
    )
