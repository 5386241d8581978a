"""The provider's answers to a referral, and the filters of its two lists, as GOV.UK forms.

Field names follow the services' argument names, so a rule a service finds broken lands on the
field it is about; the few that differ are mapped in `service_fields`.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from carebridge.core.calendar import LONDON
from carebridge.core.forms import GovForm, GuideDateField
from carebridge.referrals.choices import FailureReason, RefusalReason
from carebridge.referrals.models import Referral
from carebridge.referrals.rules import (
    QUARTER_HOURS_MESSAGE,
    provider_update_check,
    visit_actuals_check,
)

YES_NO = [("yes", "Yes"), ("no", "No")]

# "14:00", "14.00", "1400", "9:30", "2pm", "2:30pm", "2.30 pm"
_TIME_24 = re.compile(r"^(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?$")
_TIME_12 = re.compile(r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm)$")


def parse_visit_time(text: str) -> time | None:
    """A time as care workers type it: 24-hour "14:00", or "2pm"; None when it is not a time."""
    text = text.strip().lower().replace(" ", "")
    if text in {"midday", "noon", "12noon"}:
        return time(12, 0)
    if match := _TIME_12.match(text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["half"] == "pm" else 0)
    elif match := _TIME_24.match(text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class VisitTimeField(forms.CharField):
    """A clock time in London, typed as "14:00" (or "2pm")."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        what = label[0].lower() + label[1:]
        super().__init__(
            label=label,
            max_length=10,
            help_text="Use the 24-hour clock, for example 14:00",
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
            error_messages={"required": f"Enter the {what}"},
            **kwargs,
        )
        self.what = what

    def clean(self, value: Any) -> time | None:
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_visit_time(text)
        if parsed is None:
            raise ValidationError(
                f"Enter the {self.what} using the 24-hour clock, like 14:00", code="invalid"
            )
        return parsed


class ServiceForm(GovForm):
    """A form whose data goes to one service, which may find a rule broken. The rules that need
    more than one answer (`check_rules`, the service's own checks from `referrals.rules`) run
    when the form is cleaned, so the first submit shows them with every other error."""

    service_fields: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, referral: Referral | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral

    def check_rules(self, referral: Referral, data: dict[str, Any]) -> None:
        """Raise the service's ValidationError for these answers; None marks one not read."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.referral is not None:
            try:
                self.check_rules(self.referral, data)
            except ValidationError as error:
                for name, errors in error.error_dict.items():
                    field = self.service_fields.get(name, name)
                    # A field that could not be read already says so: one error at a time.
                    if field not in self.errors:
                        self.add_error(field if field in self.fields else None, errors)
        return data

    def add_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {self.service_fields.get(k, k): v for k, v in error.error_dict.items()}
            )
        super().add_errors(error)


class FirstVisitForm(ServiceForm):
    """The date and time of the first visit, in London time."""

    service_fields: ClassVar[dict[str, str]] = {"first_visit_at": "visit_date"}

    visit_date = GuideDateField(label="Date of 1st visit")
    visit_time = VisitTimeField(label="Time of 1st visit")

    def first_visit_at(self) -> datetime:
        return datetime.combine(
            self.cleaned_data["visit_date"], self.cleaned_data["visit_time"], tzinfo=LONDON
        )


class AcceptForm(FirstVisitForm):
    confirmed = forms.BooleanField(
        label="I confirm the first visit is agreed for this date", required=False
    )
    # Set when the page has shown the warning, so an unticked box is then an error.
    warned = forms.BooleanField(required=False, widget=forms.HiddenInput)


class DelayForm(FirstVisitForm):
    visit_date = GuideDateField(label="New date of 1st visit")
    visit_time = VisitTimeField(label="New time of 1st visit")


def _reason(label: str, choices: list[tuple[str, str]], message: str) -> forms.ChoiceField:
    """One reason from the guide's list, as radios."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message},
    )


def _details(label: str, hint: str, *, most: int = 2000) -> forms.CharField:
    """Optional free text, which the service requires for some answers (Other, a change)."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=most,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RefuseForm(ServiceForm):
    reason = _reason(
        "Reason for refusal",
        RefusalReason.choices,
        "Choose the reason for refusing this referral",
    )
    details = _details(
        "Details about this refusal",
        "Give more reasons for refusing this referral. You must if you choose Other.",
    )


class FailedStartForm(ServiceForm):
    reason = _reason(
        "Reason why service was cancelled",
        FailureReason.choices,
        "Choose the reason why the service was cancelled",
    )
    details = _details("Details", "You must give details if you choose Other.")


def _yes_no(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": message},
    )


class ProviderUpdateForm(ServiceForm):
    care_start_date = GuideDateField(label="Start date")
    predicted_end_date = GuideDateField(
        label="Predicted end date (if known)", required=False, name="the predicted end date"
    )
    terminated_within_72_hours = _yes_no(
        "Was the service terminated within 72 hours?",
        "Choose yes if the service was terminated within 72 hours",
    )
    needs_changed = _yes_no(
        "Have there been any changes to the needs / package?",
        "Choose yes if the needs or package have changed",
    )
    needs_change_details = _details(
        "Changes to the needs / package", "Describe the changes if you answered yes.", most=4000
    )
    completed_by = forms.CharField(
        label="Completed by",
        max_length=200,
        error_messages={"required": "Enter who completed this update"},
    )
    completed_on = GuideDateField(label="Date", name="the date of this update", help_text="")

    def check_rules(self, referral: Referral, data: dict[str, Any]) -> None:
        provider_update_check(
            referral,
            care_start_date=data.get("care_start_date"),
            predicted_end_date=data.get("predicted_end_date"),
            needs_changed=data.get("needs_changed"),
            needs_change_details=data.get("needs_change_details"),
            completed_by=data.get("completed_by"),
            completed_on=data.get("completed_on"),
        )


def _whole_number(
    label: str, *, what: str, example: int, subject: str, most: int, width: int
) -> forms.IntegerField:
    """A count, with the GOV.UK pattern's messages ("Visits must be 0 or more")."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=most,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": f"govuk-input--width-{width}"}
        ),
        error_messages={
            "required": f"Enter the {label[0].lower()}{label[1:]}",
            "invalid": f"Enter the number of {what} as a whole number, like {example}",
            "min_value": f"{subject} must be 0 or more",
            "max_value": f"{subject} must be {most:,} or fewer",
        },
    )


MOST_HOURS = Decimal(10_000)


class VisitActualsForm(ServiceForm):
    start_date = GuideDateField(label="Start date")
    end_date = GuideDateField(label="End date")
    visits_delivered = _whole_number(
        "Total number of visits delivered",
        what="visits",
        example=6,
        subject="Visits",
        most=10_000,
        width=5,
    )
    hours_delivered = forms.DecimalField(
        label="Total number of hours delivered",
        help_text="In hours and quarter hours, for example 15 or 15.25",
        min_value=Decimal(0),
        max_value=MOST_HOURS,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "required": "Enter the total number of hours delivered",
            "invalid": "Enter the hours as a number, like 15 or 15.25",
            "min_value": "Hours must be 0 or more",
            "max_value": f"Hours must be {MOST_HOURS:,} or fewer",
            "max_digits": f"Hours must be {MOST_HOURS:,} or fewer",
            "max_whole_digits": f"Hours must be {MOST_HOURS:,} or fewer",
            "max_decimal_places": QUARTER_HOURS_MESSAGE,
        },
    )
    carers_at_start = _whole_number(
        "Number of carers on commencement of service",
        what="carers",
        example=1,
        subject="Carers on commencement",
        most=20,
        width=3,
    )
    carers_at_end = _whole_number(
        "Number of carers at end of service",
        what="carers",
        example=1,
        subject="Carers at end of service",
        most=20,
        width=3,
    )

    def check_rules(self, referral: Referral, data: dict[str, Any]) -> None:
        visit_actuals_check(
            referral,
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            visits_delivered=data.get("visits_delivered"),
            hours_delivered=data.get("hours_delivered"),
        )
