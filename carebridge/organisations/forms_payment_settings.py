"""The forms of the council's payment settings: a contract type's payment rule, the rulebook's
scheduled payments and a contract's supplier reference. They only read input; the writes are organisations.services.payment_settings.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Fixed, Layout, Size
from django import forms

from carebridge.core.forms import GovForm
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.provider_kinds import ProviderKind
from carebridge.organisations.services.payment_settings import SUPPLIER_REFERENCE_MAX

# A cap on one aborted visit longer than any visit means nothing: four hours is plenty.
ABORTED_MINUTES_MOST = 240


def whole_number(
    label: str,
    *,
    subject: str,
    least: int,
    most: int,
    hint: str = "",
    required: bool = True,
) -> forms.IntegerField:
    """A whole number from `least` to `most`, in a text box (GOV.UK: a number box changes the
    value as you scroll), with the pattern's messages ("Aborted visits paid must be 100 or
    fewer")."""
    return forms.IntegerField(
        label=label,
        help_text=hint,
        required=required,
        min_value=least,
        max_value=most,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {subject[0].lower()}{subject[1:]}",
            "invalid": f"{subject} must be a whole number, like {least if least else most}",
            "min_value": f"{subject} must be {least} or more",
            "max_value": f"{subject} must be {most} or fewer",
        },
    )


def percent(label: str, *, subject: str, hint: str = "") -> forms.IntegerField:
    return whole_number(
        f"{label} (%)", subject=subject, least=0, most=100, hint=hint or "From 0 to 100."
    )


def yes_no(label: str, *, required_message: str, hint: str = "") -> forms.TypedChoiceField:
    """Yes or No as radios: a missing answer is an error, never a silent No."""
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def yes_no_initial(value: bool) -> str:
    return "yes" if value else "no"


def _section(legend: str, *names: str) -> Fieldset:
    return Fieldset(
        *(Field.text(name, field_width=Fixed.FOUR) for name in names),
        legend=legend,
        legend_size=Size.MEDIUM,
        legend_tag="h2",
    )


class PaymentRuleForm(GovForm):
    payment_method = forms.ChoiceField(
        label="How is this contract type paid?",
        choices=PaymentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how this contract type is paid",
            "invalid_choice": "Select how this contract type is paid",
        },
    )
    one_off_claims_allowed = yes_no(
        "Can providers claim one-off payments?",
        hint="For example, for a client's absence. The council approves each claim.",
        required_message="Select whether providers can claim one-off payments",
    )
    aborted_visit_max_minutes = whole_number(
        "Most minutes paid for one aborted visit (optional)",
        subject="Most minutes paid for an aborted visit",
        least=1,
        most=ABORTED_MINUTES_MOST,
        required=False,
        hint="For example, 30. Leave it empty for no cap.",
    )
    aborted_visit_paid_percent = percent(
        "Share of an aborted visit paid", subject="The share of an aborted visit paid"
    )
    night_cancellation_paid_percent = percent(
        "Share of a night cancelled within 24 hours paid",
        subject="The share of a night cancelled paid",
        hint="From 0 to 100. A night ended by hospital admission or death is paid in full.",
    )
    missed_planned_absence_paid_percent = percent(
        "Planned absence with notice", subject="The share of a planned absence paid"
    )
    missed_non_engagement_paid_percent = percent(
        "Non-engagement by the person", subject="The share of non-engagement paid"
    )
    missed_short_notice_paid_percent = percent(
        "Short-notice cancellation by the person",
        subject="The share of a short-notice cancellation paid",
    )
    missed_provider_failure_paid_percent = percent(
        "Provider unable to deliver", subject="The share of a provider's failure paid"
    )

    MISSED = (
        "missed_planned_absence_paid_percent",
        "missed_non_engagement_paid_percent",
        "missed_short_notice_paid_percent",
        "missed_provider_failure_paid_percent",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("payment_method", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field.radios("one_off_claims_allowed", legend_size=Size.MEDIUM, legend_tag="h2"),
            _section(
                "Frustrated quantities",
                "aborted_visit_max_minutes",
                "aborted_visit_paid_percent",
                "night_cancellation_paid_percent",
            ),
            _section("Missed quantities: the share paid for each reason", *self.MISSED),
        )

    @classmethod
    def initial_of(cls, rule: Any) -> dict[str, Any]:
        initial = {name: getattr(rule, name) for name in cls.base_fields}
        initial["one_off_claims_allowed"] = yes_no_initial(rule.one_off_claims_allowed)
        return initial


class ScheduledPaymentsForm(GovForm):
    scheduled_payment_weeks = whole_number(
        "Weeks one scheduled payment covers",
        subject="The weeks one scheduled payment covers",
        least=1,
        most=13,
        hint="For example, 4 for a payment every 4 weeks.",
    )
    scheduled_weeks_in_advance = whole_number(
        "Weeks of it paid in advance",
        subject="The weeks paid in advance",
        least=0,
        most=12,
        hint="Fewer than the weeks it covers: the rest are paid in arrears. For example, 2.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            *(Field.text(name, field_width=Fixed.TWO) for name in self.base_fields)
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        weeks, advance = data.get("scheduled_payment_weeks"), data.get("scheduled_weeks_in_advance")
        if weeks is not None and advance is not None and advance >= weeks:
            self.add_error(
                "scheduled_weeks_in_advance",
                "The weeks paid in advance must be fewer than the weeks one scheduled payment "
                "covers",
            )
        return data


class SupplierReferenceForm(GovForm):
    # Its characters are the service's to check (contract_supplier_reference_set), whose message
    # the view puts against this field.
    supplier_reference = forms.CharField(
        label="Supplier reference (optional)",
        help_text="The provider's number in the council's finance system, on the finance export. "
        "Letters, numbers, spaces, hyphens and slashes. Leave it empty if there is none yet.",
        required=False,
        max_length=SUPPLIER_REFERENCE_MAX,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("supplier_reference", field_width=Fixed.TEN))


class ProviderKindForm(GovForm):
    """What the council buys from a provider (Stockport's guide, section 3): home care is paid on
    actuals; residential and nursing care are paid on the placement, so the provider is offered
    no Actuals or Disputes for this council."""

    kind = forms.ChoiceField(
        label="What does the council buy from this provider?",
        choices=ProviderKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose home care, residential care or nursing care",
            "invalid_choice": "Choose home care, residential care or nursing care",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("kind", legend_size=Size.MEDIUM))
