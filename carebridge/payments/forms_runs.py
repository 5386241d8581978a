"""The payment runs' forms: the list's filters (status, period), preparing a run (the period and
its payment date), preparing it again (a new payment date), and the confirmation of approve,
finalise and discard (no fields: its refusals show in the error summary)."""

from __future__ import annotations

from typing import Any, cast

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import QuerySet

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentRun

PAYMENT_DATE_HINT = (
    "The day the providers are paid: a working day from today. For example, 27 3 2026"
)


class RunFilters(ListFilterSet):
    """The council's runs by status and by billing period."""

    status = ChoiceFilter(
        label="Status", choices=[("", "Any status"), *RunStatus.choices], field_name="status"
    )
    period = IdChoiceFilter(label="Billing period", field_name="period_id")

    def __init__(
        self, data: Any, queryset: QuerySet[PaymentRun], *, periods: list[tuple[int, str]]
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("period", [("", "All periods"), *periods])


class PrepareForm(GovForm):
    """A run's billing period (one of the council's ended periods without a run) and the day
    it pays."""

    period = forms.TypedChoiceField(
        label="Which billing period is the run for?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the billing period to pay",
            "invalid_choice": "Select the billing period to pay",
        },
    )
    payment_date = GuideDateField(label="Payment date", help_text=PAYMENT_DATE_HINT)

    def __init__(self, *args: Any, periods: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["period"]).choices = periods
        self.helper.layout = Layout(
            Field.radios("period", legend_size=Size.MEDIUM, legend_tag="h2"),
            Field("payment_date"),
        )


class PrepareAgainForm(GovForm):
    """Preparing a run again rebuilds its lines; its payment date may move too."""

    payment_date = GuideDateField(label="Payment date", help_text=PAYMENT_DATE_HINT)


class ConfirmForm(GovForm):
    """A confirmation with no fields: its refusals show in the error summary."""
