"""The retention forms: the schedule, placing a legal hold and releasing it."""

from __future__ import annotations

from typing import Any

from django import forms

from carebridge.core.forms import GovForm
from carebridge.retention.choices import SCHEDULE


class ScheduleForm(GovForm):
    """One number of months per class, bounded as the rulebook's validators bound them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for record_class, (field, removal, words) in SCHEDULE.items():
            self.fields[field] = forms.IntegerField(
                label=f"{record_class.label} ({removal.label.lower()}), in months",
                min_value=12 if field == "retention_audit_months" else 1,
                max_value=600,
                help_text=words,
                error_messages={"required": "Enter a number of months"},
            )


class HoldForm(GovForm):
    kind = forms.ChoiceField(
        label="Whom to hold",
        choices=[("service_user", "A service user"), ("request", "A front-door request's person")],
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label="Their reference",
        max_length=30,
        help_text="The service user's social services reference, or the request's reference.",
    )
    reason = forms.CharField(label="Why the hold is placed", max_length=2000, widget=forms.Textarea)


class ReleaseForm(GovForm):
    reason = forms.CharField(
        label="Why the hold is released", max_length=2000, widget=forms.Textarea
    )
