"""The provider's invoice forms: choosing a service's period for the wizard, and an invoice's
reference, date and ticked lines (for Create and Edit alike)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.layout import Field, Fluid, Layout, Size
from django import forms

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.payments.models import Invoice
from carebridge.payments.services import NO_LINES

REFERENCE_MAX = Invoice._meta.get_field("reference").max_length or 50


class ChoosePeriodForm(GovForm):
    """Step 1 of the wizard: one service's actuals period, among those its council pays on
    invoice (each named with its council)."""

    period = forms.ChoiceField(
        label="Which service and actuals period is the invoice for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the service and actuals period to invoice",
            "invalid_choice": "Select the service and actuals period to invoice",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period"]).choices = choices
        self.helper.layout = Layout(
            Field.radios("period", legend_size=Size.MEDIUM, legend_tag="h2")
        )


class InvoiceForm(GovForm):
    """The provider's own reference and date for an invoice, and the lines it holds: the ticked
    rows of the pre-invoice (and, when editing, its own lines)."""

    reference = forms.CharField(
        label="Invoice reference",
        max_length=REFERENCE_MAX,
        help_text="Your own reference: you cannot use the same one twice.",
        error_messages={"required": "Enter your invoice reference"},
    )
    invoice_date = GuideDateField(label="Invoice date")
    lines = forms.TypedMultipleChoiceField(
        coerce=int,
        required=True,
        error_messages={
            "required": NO_LINES,
            "invalid_choice": "Tick lines from the list only: open the page again",
        },
    )

    def __init__(self, *args: Any, line_ids: list[int] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if line_ids is None:
            # A contract-level invoice's lines are its claim's items: they are not ticked here.
            del self.fields["lines"]
        else:
            cast(forms.ChoiceField, self.fields["lines"]).choices = [
                (pk, str(pk)) for pk in line_ids
            ]
        # The lines are a table of checkboxes the page draws itself.
        self.helper.layout = Layout(
            Field.text("reference", field_width=Fluid.ONE_THIRD, spellcheck="false"),
            Field("invoice_date"),
        )
