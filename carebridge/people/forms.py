"""The form of a person's Client Level Data details; the write is
people.services.cld_details_update."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.people import cld
from carebridge.people.models import ServiceUser
from carebridge.people.services import CLD_FIELDS

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
