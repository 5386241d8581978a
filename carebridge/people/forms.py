"""The form of a person's Client Level Data details; the write is
people.services.cld_details_update."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.organisations.models import Council, District
from carebridge.people import cld
from carebridge.people.models import ServiceUser
from carebridge.people.services import CLD_FIELDS, RECTIFIABLE_FIELDS

NOT_RECORDED = ("", "Not recorded")


def _choice(label: str, choices: Any, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=hint, required=False, choices=[NOT_RECORDED, *choices]
    )


class CldDetailsForm(GovForm):
    gender = _choice("Gender", cld.Gender.choices)
    ethnicity = _choice("Ethnicity", cld.Ethnicity.choices)
    primary_support_reason = _choice(
        "Primary support reason",
        cld.PrimarySupportReason.choices,
        "The main reason the person needs support.",
    )
    accommodation_status = _choice("Accommodation", cld.AccommodationStatus.choices)
    has_unpaid_carer = _choice("Has an unpaid carer", cld.UnpaidCarer.choices)
    client_funding_status = _choice("Funding", cld.ClientFundingStatus.choices)
    employment_status = _choice(
        "Employment",
        cld.EmploymentStatus.choices,
        "Needed for people aged 18 to 64 whose primary support reason is learning disability.",
    )
    date_of_death = GuideDateField(label="Date of death (if they have died)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            *(Field.select(name) for name in CLD_FIELDS if name != "date_of_death"),
            Field("date_of_death", legend_size=Size.SMALL),
        )

    @classmethod
    def initial_of(cls, person: ServiceUser) -> dict[str, Any]:
        return {name: getattr(person, name) for name in CLD_FIELDS}


class RectifyForm(GovForm):
    """A council officer's correction of a person's details, with the reason for it; the write
    is people.services.service_user_rectify."""

    ss_ref = forms.CharField(
        label="SS Ref",
        help_text="Your council's own reference for the person; no one else at the council may "
        "have it.",
        max_length=30,
        error_messages={"required": "Enter the SS Ref"},
    )
    title = forms.CharField(label="Title", required=False, max_length=20)
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name", required=False, max_length=100)
    date_of_birth = GuideDateField(label="Date of birth")
    nhs_number = forms.CharField(label="NHS number", required=False, max_length=12)
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    address_line_2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    address_line_3 = forms.CharField(label="Address line 3", required=False, max_length=200)
    town = forms.CharField(label="Town or city", required=False, max_length=100)
    county = forms.CharField(label="County", required=False, max_length=100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=8)
    district = forms.ModelChoiceField(
        label="District",
        queryset=District.objects.none(),
        required=False,
        empty_label="Not recorded",
        error_messages={"invalid_choice": "Choose one of your council's districts"},
    )
    phone = forms.CharField(label="Phone", required=False, max_length=30)
    mobile = forms.CharField(label="Mobile", required=False, max_length=30)
    gp_name = forms.CharField(label="GP", required=False, max_length=200)
    gp_practice = forms.CharField(label="GP practice", required=False, max_length=200)
    gp_phone = forms.CharField(label="GP practice phone", required=False, max_length=30)
    next_of_kin_name = forms.CharField(label="Next of kin", required=False, max_length=200)
    next_of_kin_relationship = forms.CharField(
        label="Next of kin's relationship", required=False, max_length=100
    )
    next_of_kin_phone = forms.CharField(label="Next of kin's phone", required=False, max_length=30)
    consent_to_share = forms.BooleanField(
        label="They consent to share information with the providers caring for them",
        required=False,
    )
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="For example, what the person told you and how you checked it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Enter the reason for the correction"},
    )

    DETAILS = RECTIFIABLE_FIELDS

    def __init__(self, *args: Any, council: Council | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ModelChoiceField)
        # Only the person's own council's districts are offered (the service checks again).
        district.queryset = District.objects.filter(council=council).order_by("name")
        self.helper.layout = Layout(
            *(
                Field("date_of_birth", legend_size=Size.SMALL)
                if name == "date_of_birth"
                else Field.checkbox(name)
                if name == "consent_to_share"
                else Field.select(name)
                if name == "district"
                else Field.text(name)
                for name in self.DETAILS
            ),
            Field.textarea("reason"),
        )

    @classmethod
    def initial_of(cls, person: ServiceUser) -> dict[str, Any]:
        return {
            name: person.district_id if name == "district" else getattr(person, name)
            for name in cls.DETAILS
        }

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.DETAILS}
