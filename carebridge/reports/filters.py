"""The base of every report's filters form, and the filters most reports share: the council
(for a provider that works for several), the provider (for a council's staff) and a date range.

A report's form is a GET form. On the first visit it is unbound and the report shows its
defaults (`ReportFilters.defaults`); a bad value is shown against its field (GOV.UK error
summary) on the page, and a download with one is refused with 400."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

from carebridge.contracts.commitment import financial_year_label, financial_year_of
from carebridge.core.calendar import today
from carebridge.core.formats import guide_date
from carebridge.core.forms import GovForm, GuideDateField
from carebridge.organisations.selectors import councils_of_provider, providers_of_council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

ALL = ""
# The longest span one report covers: a year and a quarter takes in a financial year with its
# late confirmations, and keeps a county's report to a bounded size.
LONGEST_SPAN_DAYS = 731


class ReportFilters(GovForm):
    """Each report's filters derive from this. `defaults` are the filters of a first visit, as
    the selector's keyword values; `described` the filters in words, for the files' headings."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User) -> None:
        super().__init__(data)
        self.user = user

    def defaults(self) -> dict[str, Any]:
        return {
            name: self.get_initial_for_field(field, name) for name, field in self.fields.items()
        }

    def values(self) -> dict[str, Any] | None:
        """The filters to build the report with: the defaults on a first visit, the cleaned
        values when they are valid, None when they are not (the errors are on the form)."""
        if not self.is_bound:
            return self.defaults()
        return dict(self.cleaned_data) if self.is_valid() else None

    def described(self, values: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Each filter as (label, what was chosen), in the form's order."""
        described = []
        for name, field in self.fields.items():
            value = values.get(name)
            described.append((str(field.label or name), _in_words(field, value)))
        return described


def _in_words(field: forms.Field, value: Any) -> str:
    labels: dict[str, object] = {}
    if isinstance(field, forms.ChoiceField):
        labels = {str(key): label for key, label in list(field.choices)}  # type: ignore[arg-type]
    if value is None or value == "":
        return str(labels.get("", "All")) if labels else "Not given"
    if isinstance(value, date):
        return guide_date(value)
    if labels:
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def council_field(user: User, *, label: str = "Council") -> forms.TypedChoiceField:
    """For a provider: the councils it works for, or all of them (each row names its council)."""
    councils = (
        list(
            councils_of_provider(user.provider_id).order_by("name", "pk").values_list("pk", "name")
        )
        if user.provider_id is not None
        else []
    )
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[(ALL, "All councils"), *[(str(pk), name) for pk, name in councils]],
        coerce=int,
        empty_value=None,
    )


def start_at_council(form: forms.Form, council_id: int | None) -> None:
    """A provider of several councils that chose one to look at: the report's Council filter
    starts there (the first visit's value, and a download's without filters). A council named
    in the query string, or "All councils" chosen, is the form's data and stays."""
    field = form.fields.get("council")
    if council_id is None or not isinstance(field, forms.ChoiceField):
        return
    if str(council_id) in {str(key) for key, _label in field.choices}:  # type: ignore[union-attr,misc]
        field.initial = council_id


def provider_field(user: User, *, label: str = "Provider") -> forms.TypedChoiceField:
    """For a council's staff: the providers it contracts with, or all of them."""
    providers = (
        list(providers_of_council(user.council_id).order_by("name", "pk").values_list("pk", "name"))
        if user.council_id is not None
        else []
    )
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[(ALL, "All providers"), *[(str(pk), name) for pk, name in providers]],
        coerce=int,
        empty_value=None,
    )


def financial_year_field(
    years: Iterable[int], *, label: str = "Financial year", required: bool = True
) -> forms.TypedChoiceField:
    """A choice of financial years (April to March), this year's on a first visit."""
    return forms.TypedChoiceField(
        label=label,
        required=required,
        choices=[(str(year), financial_year_label(year)) for year in years],
        coerce=int,
        empty_value=None,
        initial=financial_year_of(today()),
    )


class DateRangeFilters(ReportFilters):
    """A report over the days from one date to another, both included."""

    starts = GuideDateField(label="From", name="the first date")
    ends = GuideDateField(label="To", name="the last date")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts"), cleaned.get("ends")
        if starts and ends:
            if ends < starts:
                self.add_error(
                    "ends", ValidationError("The last date must be on or after the first date")
                )
            elif (ends - starts).days > LONGEST_SPAN_DAYS:
                self.add_error("ends", ValidationError("Choose dates no more than 2 years apart"))
        return cleaned
