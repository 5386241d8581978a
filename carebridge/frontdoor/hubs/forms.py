"""The forms of the appointment pages (one question per page for the public) and of the
officers' hub pages. They collect answers; the services in hubs/services decide."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms
from django.core.exceptions import ValidationError

from carebridge.core.forms import EMAIL_FORMAT_MESSAGE, GovForm, GuideDateField, email_field
from carebridge.frontdoor.choices import WEEKDAYS
from carebridge.frontdoor.hubs.services import HUB_FIELDS
from carebridge.frontdoor.models import Hub, Slot

_PHONE = re.compile(r"^[0-9+()\- ]{6,30}$")


def _text(label: str, *, max_length: int, required: bool = False, message: str = "") -> Any:
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        max_length=max_length,
        required=required,
        error_messages={
            "required": message,
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
    )


# --- The public's pages ------------------------------------------------------------------------


class HubChoiceForm(GovForm):
    hub = forms.ChoiceField(
        label="Choose a hub",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the hub you would like to go to"},
    )

    def __init__(self, *args: Any, hubs: list[Hub], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hub"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [Choice(str(hub.pk), hub.name, hint=hub.address) for hub in hubs]
        field.error_messages["invalid_choice"] = "Select one of the hubs"
        self.helper.layout = Layout(Field.radios("hub", legend_size=Size.MEDIUM, legend_tag="h2"))


class SlotChoiceForm(GovForm):
    """The time: rendered by its page as radios grouped by day; the first has id id_slot_1."""

    slot = forms.ChoiceField(
        label="Choose a time",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a time for your appointment"},
    )

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(slot.pk), str(slot.pk)) for slot in slots]
        field.error_messages["invalid_choice"] = "That time is no longer free. Select another time"


class DetailsForm(GovForm):
    name = _text("Full name", max_length=200, required=True, message="Enter your full name")
    email = email_field(
        required_message="Enter your e-mail address",
        help_text="We will send the link to confirm your appointment to this address.",
    )
    phone = _text("Phone number", max_length=30)
    about = forms.CharField(
        label="What would you like to talk about? (optional)",
        required=False,
        max_length=500,
        help_text="For example, help with washing and dressing, or support as a carer. "
        "This helps us have the right person ready.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": "What you would like to talk about must be 500 characters or fewer"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phone"].help_text = "For example, 01632 960 001. In case we need to call you."
        self.helper.layout = Layout(
            Field.text(
                "name", field_width=Fluid.TWO_THIRDS, autocomplete="name", spellcheck="false"
            ),
            Field.text(
                "email", field_width=Fluid.TWO_THIRDS, autocomplete="email", spellcheck="false"
            ),
            Field.text("phone", field_width=Fluid.ONE_THIRD, autocomplete="tel", type="tel"),
            Field.textarea("about", max_characters=500),
        )

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if phone and not _PHONE.match(phone):
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 1632 960 001")
        return phone


# --- The officers' pages -----------------------------------------------------------------------


class HubForm(GovForm):
    name = _text("Name", max_length=200, required=True, message="Enter the hub's name")
    address_line_1 = _text(
        "Address line 1",
        max_length=200,
        required=True,
        message="Enter the first line of the address",
    )
    address_line_2 = _text("Address line 2", max_length=200)
    town = _text("Town or city", max_length=100, required=True, message="Enter the town or city")
    postcode = _text("Postcode", max_length=8, required=True, message="Enter the postcode")
    phone = _text("Phone", max_length=30)
    email = forms.EmailField(
        label="E-mail address (optional)",
        max_length=254,
        required=False,
        error_messages={"invalid": EMAIL_FORMAT_MESSAGE},
    )
    opening_notes = _text("Opening times", max_length=300)
    access_notes = forms.CharField(
        label="Getting there and access (optional)",
        required=False,
        help_text="Step-free access, parking, buses, hearing loop, quiet room: what people "
        "should know before they come.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_active = forms.TypedChoiceField(
        label="Is the hub taking bookings?",
        choices=[("yes", "Yes"), ("no", "No, do not offer it to the public")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the hub is taking bookings"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opening_notes"].help_text = 'For example "Monday to Friday, 9am to 5pm".'
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("address_line_1", field_width=Fluid.TWO_THIRDS),
            Field.text("address_line_2", field_width=Fluid.TWO_THIRDS),
            Field.text("town", field_width=Fluid.ONE_HALF),
            Field.text("postcode", field_width=Fluid.ONE_QUARTER),
            Field.text("phone", field_width=Fluid.ONE_HALF, type="tel"),
            Field.text("email", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
            Field.text("opening_notes"),
            Field.textarea("access_notes"),
            Field.radios("is_active", legend_size=Size.SMALL, inline=True),
        )

    @staticmethod
    def initial_for(hub: Hub) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(hub, name) for name in HUB_FIELDS}
        initial["is_active"] = "yes" if hub.is_active else "no"
        return initial


class ClockTimeField(forms.CharField):
    """A time of day as people write it: "9:30", "14:00", "2pm", "2:30pm"."""

    _PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=8, **kwargs)
        self.help_text = "For example, 9:30 or 14:00"
        self.error_messages["required"] = f"Enter the {label.lower()}"
        self.error_messages["invalid"] = f"Enter the {label.lower()} like 9:30 or 14:00"

    def clean(self, value: Any) -> time:
        text = super().clean(value).strip().lower().replace(" ", "")
        match = self._PATTERN.match(text)
        if match is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
        if half:
            if not 1 <= hour <= 12:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return time(hour, minute)


LENGTHS = [(str(m), f"{m} minutes") for m in (15, 20, 30, 45, 60, 90)]


class PublishForm(GovForm):
    first_day = GuideDateField(label="First day")
    last_day = GuideDateField(label="Last day")
    weekdays = forms.MultipleChoiceField(
        label="Which days does the hub offer appointments?",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the days the hub offers appointments"},
    )
    start_time = ClockTimeField(label="Start time")
    end_time = ClockTimeField(label="End time")
    length_minutes = forms.TypedChoiceField(
        label="How long is each appointment?",
        choices=LENGTHS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how long each appointment is"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].help_text = "Bank holidays are skipped."
        self.fields["end_time"].help_text = "The last appointment ends by then. For example, 16:00"
        self.helper.layout = Layout(
            Field("first_day"),
            Field("last_day"),
            Field.checkboxes("weekdays", legend_size=Size.SMALL, small=True),
            Field.text("start_time", field_width=5),
            Field.text("end_time", field_width=5),
            Field.radios("length_minutes", legend_size=Size.SMALL, small=True),
        )


class CancelBookingForm(GovForm):
    reason = forms.CharField(
        label="Why is the appointment cancelled?",
        help_text="The person is e-mailed this, with a link to book another time.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the appointment is cancelled"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("reason", label_size=Size.MEDIUM))
