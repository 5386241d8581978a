"""The public front door's forms beyond the questions: tracking, answering the council,
feedback, and asking for an assessment after signposting."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from carebridge.core.forms import GovForm, email_field
from carebridge.frontdoor.assessment.professional import SharingBasis
from carebridge.frontdoor.assessment.rules import ASKER
from carebridge.frontdoor.choices import Asker
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.services import Contact, contact_from
from carebridge.people.validators import normalise_postcode, validate_postcode

RATINGS = [
    (5, "Very satisfied"),
    (4, "Satisfied"),
    (3, "Neither satisfied nor dissatisfied"),
    (2, "Dissatisfied"),
    (1, "Very dissatisfied"),
]


class TrackForm(GovForm):
    reference = forms.CharField(
        label="Reference",
        max_length=20,
        help_text="It is in the e-mail we sent, and looks like FD-7K3M-Q9TX.",
        error_messages={"required": "Enter your reference"},
    )
    email = email_field(
        required_message="Enter your e-mail address",
        help_text="The one you gave when you made the request.",
    )


class InformationGiveForm(GovForm):
    text = forms.CharField(
        label="Your answer",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the information the council asked for"},
    )


class FeedbackForm(GovForm):
    rating = forms.TypedChoiceField(
        label="Overall, how did you feel about this service?",
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you felt about this service"},
    )
    comment = forms.CharField(
        label="How could we improve this service? (optional)",
        required=False,
        max_length=1200,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Do not include personal or financial information, like your National "
        "Insurance number or credit card details.",
    )


class AskAssessmentForm(GovForm):
    """Asking for an assessment after saying no to sharing: the details the council needs."""

    person_name = forms.CharField(
        label="Full name of the person who needs support",
        max_length=200,
        error_messages={"required": "Enter the full name of the person who needs support"},
    )
    postcode = forms.CharField(
        label="Their postcode", max_length=10, error_messages={"required": "Enter their postcode"}
    )
    email = email_field(
        required_message="Enter an e-mail address",
        help_text="We send the reference here, and tell you when things change.",
    )
    phone = forms.CharField(label="Phone number (optional)", max_length=30, required=False)
    consent_to_share = forms.BooleanField(
        label="I agree to these details and my answers being shared with the council’s adult "
        "social care team",
        error_messages={"required": "Select that you agree to share, so the council can assess"},
    )

    def __init__(self, *args: Any, professional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if professional:
            self.fields["consent_to_share"].label = (
                "The person agrees to these details and the referral being shared with the "
                "council’s adult social care team"
            )

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        try:
            validate_postcode(value)
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from error
        return normalise_postcode(value)

    def contact(self, sent: FrontDoorRequest, answers: dict[str, Any] | None = None) -> Contact:
        """The details given here, with consent. A professional's referral keeps what the
        browser kept of it (their own details, the address, the risks), updated with these."""
        data: dict[str, Any] = self.cleaned_data
        given = {
            "person_name": data["person_name"],
            "person_email": data["email"],
            "person_phone": data["phone"],
            "postcode": data["postcode"],
            "consent_to_share": True,
        }
        if answers and answers.get(ASKER) == Asker.PROFESSIONAL:
            referral = contact_from(answers)
            return replace(
                referral, **given, sharing_basis=SharingBasis.CONSENT, sharing_basis_reason=""
            )
        return Contact(asker=sent.asker, about=sent.about, **given)
