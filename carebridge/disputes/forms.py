"""The forms of disputes: the council's raise form (the rows, a reason from its catalogue and
the details), the provider's response, the council's resolve and reopen notes, and the first
post of the action about a dispute. They only
read input: the services (disputes.services) check and write."""

from __future__ import annotations

from typing import Any

from django import forms

from carebridge.core.forms import GovForm, GuideDateField
from carebridge.disputes.models import DETAILS_MAX, NOTE_MAX, RESPONSE_MAX, DisputeReason
from carebridge.disputes.services import MOST_ROWS, NO_ROWS, NOT_A_REASON, TOO_MANY_ROWS


class RaiseForm(GovForm):
    """The rows ticked on the page (only the period's rows of the provider may be chosen), the
    reason and the details for the provider."""

    rows = forms.TypedMultipleChoiceField(
        label="Rows to dispute",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": NO_ROWS,
            "invalid_choice": "Choose the rows from the table: one of them is not there now",
        },
    )
    # Chosen by its label (unique in the council), which a council's catalogue not yet saved
    # (the guide's defaults, selectors.dispute_catalogue_for) has before it has a key.
    reason = forms.ChoiceField(
        label="Reason",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason", "invalid_choice": NOT_A_REASON},
    )
    details = forms.CharField(
        label="Details",
        help_text="What is wrong with these rows, for the provider to answer: the provider "
        "reads this on the dispute.",
        max_length=DETAILS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter the details",
            "max_length": f"Details must be {DETAILS_MAX:,} characters or fewer",
        },
    )

    def __init__(
        self,
        *args: Any,
        row_ids: list[int],
        reasons: list[DisputeReason],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        rows = self.fields["rows"]
        assert isinstance(rows, forms.ChoiceField)
        rows.choices = [(pk, str(pk)) for pk in row_ids]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = [(each.label, each.label) for each in reasons]

    def clean_rows(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["rows"]
        if len(chosen) > MOST_ROWS:
            raise forms.ValidationError(TOO_MANY_ROWS)
        return chosen


class ResponseForm(GovForm):
    response = forms.CharField(
        label="Your response",
        help_text="What you found and what you amended, for the council to read before it "
        "resolves the dispute.",
        max_length=RESPONSE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter your response",
            "max_length": f"Your response must be {RESPONSE_MAX:,} characters or fewer",
        },
    )


class ResolveForm(GovForm):
    note = forms.CharField(
        label="Note (optional)",
        help_text="For the provider to read on the dispute.",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The note must be {NOTE_MAX:,} characters or fewer"},
    )


class ReopenForm(GovForm):
    note = forms.CharField(
        label="What is still in dispute",
        help_text="The provider reads this and answers the dispute again.",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what is still in dispute",
            "max_length": f"The note must be {NOTE_MAX:,} characters or fewer",
        },
    )


class DialogueForm(GovForm):
    """The action about a dispute: what the other side is asked, and by when (its title says
    which dispute)."""

    text = forms.CharField(
        label="What do you want to discuss?",
        help_text="The other side reads this on the action and answers there.",
        max_length=RESPONSE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the text of the action",
            "max_length": f"The text must be {RESPONSE_MAX:,} characters or fewer",
        },
    )
    due_date = GuideDateField(label="Due date")
