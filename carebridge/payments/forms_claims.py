"""The forms of one-off claims: a new claim (service, Date of Claim, notes) and its update, a
client item (an unplanned absence), a provider item, a file, and the payments team's decision."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms

from carebridge.core import uploads
from carebridge.core.forms import GovForm, GuideDateField
from carebridge.payments.choices import AbsenceStay
from carebridge.payments.models import ClaimClientItem, ClaimProviderItem

CHOOSE_DATE = "Choose the Date of Claim: the end date of one of the council's periods"
SS_REF_MAX = 30
WORKER_MAX = ClaimClientItem._meta.get_field("authorised_by").max_length or 100
DESCRIPTION_MAX = ClaimProviderItem._meta.get_field("description").max_length or 200


def _id_choice(label: str, required_message: str, **options: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **options,
    )


class ClaimForm(GovForm):
    """A claim's service (when new), its Date of Claim (a period's end, each named with its
    council when the provider works for several) and its notes."""

    service = _id_choice("Service", "Choose the service the claim is for")
    period = _id_choice(
        "Date of Claim",
        CHOOSE_DATE,
        help_text="The end date of the council's period the absences fall in.",
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self,
        *args: Any,
        services: list[tuple[int, str]] | None,
        dates: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if services is None:
            # Updating a claim: its service stays.
            del self.fields["service"]
        else:
            cast(forms.ChoiceField, self.fields["service"]).choices = [
                ("", "Choose a service"),
                *services,
            ]
        cast(forms.ChoiceField, self.fields["period"]).choices = [("", "Choose a date"), *dates]


class ClientItemForm(GovForm):
    """A client's unplanned absence: who (by SS Ref), the days, the stay before them, the hours
    claimed and, for 4 to 7 days, the locality worker who authorised them."""

    ss_ref = forms.CharField(
        label="SS Ref",
        max_length=SS_REF_MAX,
        help_text="The council's reference for the service user.",
        error_messages={"required": "Enter the service user's SS Ref"},
    )
    absence_start = GuideDateField(label="First day of the absence")
    absence_end = GuideDateField(label="Last day of the absence")
    stay = forms.ChoiceField(
        label="What was the stay before the absence?",
        choices=AbsenceStay.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the stay before the absence",
            "invalid_choice": "Choose the stay before the absence",
        },
    )
    hours = forms.DecimalField(
        label="Hours claimed",
        max_digits=5,
        decimal_places=2,
        min_value=0.01,
        help_text="For example, 12.5. Paid at the rate of the service user's care package.",
        error_messages={
            "required": "Enter the hours claimed",
            "invalid": "Hours claimed must be a number, like 12.5",
            "min_value": "Hours claimed must be more than 0",
            "max_digits": "Hours claimed must be 168 or fewer",
            "max_whole_digits": "Hours claimed must be 168 or fewer",
            "max_decimal_places": "Hours claimed must have 2 decimal places or fewer",
        },
    )
    authorised_by = forms.CharField(
        label="Authorising locality worker (for 4 to 7 days)",
        max_length=WORKER_MAX,
        required=False,
        help_text="Needed when the absence is 4 to 7 days long. More than 7 days needs the "
        "council's agreement before you claim.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("ss_ref", field_width=Fluid.ONE_THIRD, spellcheck="false"),
            Field("absence_start"),
            Field("absence_end"),
            Field.radios("stay", legend_size=Size.SMALL),
            Field.text("hours", field_width=5),
            Field.text("authorised_by", field_width=Fluid.TWO_THIRDS),
        )


class ProviderItemForm(GovForm):
    """A cost of the provider's own: what it was and its amount in pounds and pence."""

    description = forms.CharField(
        label="Description",
        max_length=DESCRIPTION_MAX,
        error_messages={"required": "Enter a description of the cost"},
    )
    amount = forms.DecimalField(
        label="Amount, £",
        max_digits=10,
        decimal_places=2,
        min_value=0.01,
        error_messages={
            "required": "Enter the amount",
            "invalid": "Amount must be in pounds and pence, like 25.50",
            "min_value": "Amount must be more than £0",
            "max_digits": "Amount must be £99,999,999.99 or less",
            "max_whole_digits": "Amount must be £99,999,999.99 or less",
            "max_decimal_places": "Amount must be in pounds and pence, like 25.50",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("description"), Field.text("amount", field_width=10))


class ClaimFileForm(GovForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF, an image (PNG, JPEG or GIF), a Word document or an Excel file.",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        uploads.check(upload)
        return upload


class DecisionForm(GovForm):
    """The payments team's decision: the type of the action that tells the provider, and (to
    reject) the reason."""

    action_type = _id_choice(
        "Type of action",
        "Choose the type of action that tells the provider",
        help_text="The provider is told on an action of this type, assigned to it.",
    )
    reason = forms.CharField(
        label="Reason",
        help_text="The provider reads this on the action and the claim.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason, for the provider to read"},
    )

    def __init__(
        self, *args: Any, action_types: list[tuple[int, str]], needs_reason: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action_type"]).choices = action_types
        if action_types:
            self.fields["action_type"].initial = action_types[0][0]
        if not needs_reason:
            del self.fields["reason"]
