"""Lists: one FilterSet base for every list's GET filters, and one way to cut a list into pages.

An app's `filters.py` holds the FilterSets of its lists; the page, its HTMX fragment and (for
referrals) the API read the same one. The filters' form is a `BoundedTextForm`, so a text filter
has a maximum length and refuses control characters like any other field, and the pages render
its fields in their own GOV.UK markup (`core/_filter_select.html` for a choice).
"""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from carebridge.core.forms import BoundedTextForm

# Rows on a page of a list. Lists of short rows that people scan (CPLIs, the directory, the
# audit log, users, service users) show twice as many.
PAGE_SIZE = 25
LONG_PAGE_SIZE = 50


def page_of(request: HttpRequest, items: Any, *, per_page: int = PAGE_SIZE) -> Page:
    """The page the query string asks for; a page number that is not one gives the first or last
    page, never an error."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class CutCharField(forms.CharField):
    """A text filter cut at its maximum length rather than refused: a search pasted too long
    still searches."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if text is None or self.max_length is None:
            return text or ""
        return text[: self.max_length]


class SearchFilter(django_filters.CharFilter):
    """A search box's words, cut at `max_length`."""

    field_class = CutCharField


class ChoiceFilter(django_filters.Filter):
    """A choice of values exactly as given (the list's own "All …" option first, no dashes)."""

    field_class = forms.ChoiceField


class IdChoiceFilter(django_filters.Filter):
    """A choice of rows by id (districts, councils, providers): the cleaned value is an int."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


class CheckboxFilter(django_filters.Filter):
    """A checkbox: ticked or not (a query string without it is unticked)."""

    field_class = forms.BooleanField


class ListFilterSet(django_filters.FilterSet):
    """A list's GET filters. A value that is not one of the choices, or is too long, is ignored,
    never an error: that filter does not apply, and the others still do."""

    # A list whose filters go together (the front door's queue, its feedback) names what it shows
    # before anyone filters it: an empty filter then takes its value here, and one value that is
    # not valid shows the whole list as named here, rather than dropping only that filter.
    defaults: ClassVar[dict[str, Any] | None] = None

    class Meta:
        form = BoundedTextForm

    def get_form_class(self) -> type[forms.Form]:
        # A field the Meta form declares itself is the form's (one definition, shared with the
        # pages that render it); the filters add a field only for the names it lacks.
        form: type[forms.Form] = self._meta.form
        fields = {
            name: each.field for name, each in self.filters.items() if name not in form.base_fields
        }
        return type(f"{type(self).__name__}Form", (form,), fields)

    def set_choices(self, name: str, choices: list[tuple[Any, str]]) -> None:
        """Give a filter its choices, known only per request (the user's districts, say)."""
        self.filters[name].extra["choices"] = choices

    def filter_queryset(self, queryset: Any) -> Any:
        # Each filter gets its chosen value, which a FilterSet may read more widely than its
        # form's cleaned_data (DocumentFilters also takes an ISO date).
        for name, value in self.chosen().items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def chosen(self) -> dict[str, Any]:
        """The valid filters only, by name: cleaned_data keeps a field only when its value was
        good; any other filter has its field's initial value (None). A list with `defaults` has
        those instead (all of them when one value is not valid)."""
        form = self.form
        valid = form.is_valid()
        if self.defaults is not None:
            return self._chosen_or_defaults(self.defaults) if valid else dict(self.defaults)
        return {
            name: form.cleaned_data.get(name, field.initial) for name, field in form.fields.items()
        }

    def _chosen_or_defaults(self, defaults: dict[str, Any]) -> dict[str, Any]:
        chosen = {name: self.form.cleaned_data[name] for name in defaults}
        return {
            name: defaults[name] if value in (None, "") else value for name, value in chosen.items()
        }
