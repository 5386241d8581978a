"""The return's page forms: the quarter it ends on, and the council's LA code."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from carebridge.core import calendar
from carebridge.core.formats import guide_date
from carebridge.core.forms import GovForm

QUARTERS_OFFERED = 8


def _quarter_end(year: int, quarter: int) -> date:
    """The last day of a calendar quarter (1: 31/03, 2: 30/06, 3: 30/09, 4: 31/12)."""
    month = quarter * 3
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def current_quarter_end(today: date) -> date:
    return _quarter_end(today.year, (today.month - 1) // 3 + 1)


def quarter_ends(today: date) -> list[date]:
    """The last full quarter's end first, then the seven before it."""
    year, quarter = today.year, (today.month - 1) // 3  # the quarter before today's
    ends = []
    for _ in range(QUARTERS_OFFERED):
        if quarter == 0:
            year, quarter = year - 1, 4
        ends.append(_quarter_end(year, quarter))
        quarter -= 1
    return ends


class QuarterForm(GovForm):
    """Which quarter the rolling 12 months end on: by default the last full one."""

    quarter_end = forms.TypedChoiceField(
        label="Quarter ending",
        help_text="The return covers the 12 months that end on this day.",
        coerce=date.fromisoformat,
        error_messages={"invalid_choice": "Select one of the quarters offered"},
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        today = calendar.today()
        self.ends = quarter_ends(today)
        # The quarter under way too, so its records can be put right before it ends.
        current = current_quarter_end(today)
        field = self.fields["quarter_end"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (current.isoformat(), f"{guide_date(current)} (quarter under way)"),
            *((end.isoformat(), guide_date(end)) for end in self.ends),
        ]
        self.initial["quarter_end"] = self.ends[0].isoformat()

    def chosen(self) -> date | None:
        """The quarter's end: the default on a first visit, None when the choice is not one."""
        if not self.is_bound:
            return self.ends[0]
        return self.cleaned_data["quarter_end"] if self.is_valid() else None


class LaCodeForm(GovForm):
    la_code = forms.CharField(
        label="LA code",
        help_text="The council's ONS code, like E10000020.",
        max_length=9,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
