"""The form of a service level's payment settings; the write is
contracts.service_levels.service_level_settings_update."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fixed, Layout, Size
from django import forms

from carebridge.contracts.choices import CldDeliveryMechanism, CldServiceType
from carebridge.contracts.models import ServiceLevel
from carebridge.contracts.service_levels import (
    CLD_COMPONENT_MAX,
    COST_CENTRE_MAX,
    RETAINER_WEEKS_MOST,
)
from carebridge.core.forms import GovForm
from carebridge.organisations.forms_payment_settings import whole_number, yes_no, yes_no_initial

YES_NO_FIELDS = ("extras_allowed", "fixed_hours", "is_active")


class ServiceLevelSettingsForm(GovForm):
    hospital_retainer_weeks = whole_number(
        "Weeks a hospital admission is paid",
        subject="Weeks a hospital admission is paid",
        least=0,
        most=RETAINER_WEEKS_MOST,
        hint="How many weeks running an admission is paid as frustrated, for example 2 for "
        "community support or 6 for shared support. Beyond it the operational team decides.",
    )
    vat_rate = forms.DecimalField(
        label="VAT rate (%)",
        help_text="For example, 20. Home care is usually exempt: 0.",
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the VAT rate",
            "invalid": "VAT rate must be a number, like 20",
            "min_value": "VAT rate must be 0 or more",
            "max_value": "VAT rate must be 100 or less",
            "max_digits": "VAT rate must be 100 or less",
            "max_whole_digits": "VAT rate must be 100 or less",
            "max_decimal_places": "VAT rate must have 2 decimal places or fewer",
        },
    )
    extras_allowed = yes_no(
        "Can providers claim extras on this level?",
        hint="Not for supported living, where an increase is a new line.",
        required_message="Select whether providers can claim extras on this level",
    )
    fixed_hours = yes_no(
        "Are its hours fixed?",
        hint="Core or shared hours that should not vary: an actual other than the plan is an "
        "exception.",
        required_message="Select whether the level's hours are fixed",
    )
    cost_centre = forms.CharField(
        label="Cost centre (optional)",
        help_text="The finance system's code its spend is booked to on the finance export.",
        required=False,
        max_length=COST_CENTRE_MAX,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )
    is_active = yes_no(
        "Is it offered for new contract documents?",
        hint="A level no longer offered keeps its care package line items, paid as before.",
        required_message="Select whether the level is offered for new contract documents",
    )

    cld_service_type = forms.ChoiceField(
        label="Service type in the Client Level Data return",
        choices=CldServiceType.choices,
        required=False,
    )
    cld_service_component = forms.CharField(
        label="Service component in the Client Level Data return",
        help_text='For example "Home Support", "Community Supported Living", "Short Term '
        'Residential Care" or "Carer Respite". The return needs one for every service.',
        required=False,
        max_length=CLD_COMPONENT_MAX,
    )
    cld_delivery_mechanism = forms.ChoiceField(
        label="Delivery mechanism in the Client Level Data return",
        choices=CldDeliveryMechanism.choices,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.text("hospital_retainer_weeks", field_width=Fixed.TWO),
            Field.text("vat_rate", field_width=Fixed.FIVE),
            *(
                Field.radios(name, legend_size=Size.SMALL, inline=True)
                for name in ("extras_allowed", "fixed_hours")
            ),
            Field.text("cost_centre", field_width=Fixed.TEN),
            Field.radios("is_active", legend_size=Size.SMALL, inline=True),
            Field.select("cld_service_type"),
            Field.text("cld_service_component", field_width=Fixed.TWENTY),
            Field.select("cld_delivery_mechanism"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A form posted without the return's type or mechanism (a page of before they were
        # asked) leaves them as they are: the service keeps a value given as None.
        for name in ("cld_service_type", "cld_delivery_mechanism"):
            if not cleaned.get(name):
                cleaned[name] = None
        return cleaned

    @classmethod
    def initial_of(cls, level: ServiceLevel) -> dict[str, Any]:
        initial = {name: getattr(level, name) for name in cls.base_fields}
        for name in YES_NO_FIELDS:
            initial[name] = yes_no_initial(getattr(level, name))
        return initial
