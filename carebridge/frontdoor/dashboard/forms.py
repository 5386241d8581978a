"""The feedback list's filter form (the weekly figures are a report now, with its own filters)."""

from __future__ import annotations

from django import forms

from carebridge.core.forms import BoundedTextForm
from carebridge.frontdoor.requests.forms_public import RATINGS

FEEDBACK_PERIODS = [
    ("", "Any time"),
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
]


class FeedbackFiltersForm(BoundedTextForm):
    """The feedback list's filters (a GET form: a bad value is ignored, never an error page)."""

    rating = forms.TypedChoiceField(
        label="Rating",
        required=False,
        choices=[("", "Any rating"), *[(str(value), label) for value, label in RATINGS]],
        coerce=int,
        empty_value=None,
    )
    period = forms.TypedChoiceField(
        label="Given",
        required=False,
        choices=FEEDBACK_PERIODS,
        coerce=int,
        empty_value=None,
    )
    with_comment = forms.BooleanField(label="With a comment only", required=False)
