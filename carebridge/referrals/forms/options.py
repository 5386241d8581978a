"""A select's options written in Python, for the selects that list every provider of a council.

At a county's size a council has some 1,200 providers: Django's Select renders each option with
its own template (and its ModelChoiceField makes a model instance of each), and a template's
`{% for %}` costs about as much, which made the new referral form and the council's referral
list the slowest pages a broker opens (issue 22). The markup is exactly what those templates
wrote, every value escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def options_html(options: Iterable[tuple[Any, Any]], chosen: Any) -> SafeString:
    """`<option value="…"[ selected]>…</option>` for each (value, label), back to back, as
    core/_list_select.html writes them; the option whose value equals `chosen` is selected."""
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{conditional_escape(value)}"'
            f"{' selected' if value == chosen else ''}>{conditional_escape(label)}</option>"
            for value, label in options
        )
    )


class NamedChoiceIterator(ModelChoiceIterator):
    """A ModelChoiceField's choices as (pk, name) pairs read with `values_list`: no model
    instance per choice. For a model whose `str()` is its `name`."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class Select(forms.Select):
    """Django's Select with the same markup, its options written here rather than by a
    template each. Flat choices only (no groups); one value chosen. Named `Select` as Django's
    is: crispy-forms-gds gives a widget its GOV.UK class by its class's name."""

    template_name = "referrals/widgets/select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> Any:
        # forms.Widget's context only: ChoiceWidget's would build a dict for every option.
        context = forms.Widget.get_context(self, name, value, attrs)
        values = context["widget"]["value"]
        chosen = values[0] if values else None
        # As Select.optgroups: the first option whose value is chosen is the one selected.
        found = False
        parts = []
        for option, label in self.choices:
            selected = not found and str(option) == chosen
            found = found or selected
            parts.append(
                f'\n  <option value="{conditional_escape(str(option))}"'
                f"{' selected' if selected else ''}>{conditional_escape(str(label))}</option>\n"
            )
        context["widget"]["options_html"] = mark_safe("".join(parts))  # noqa: S308 - escaped
        return context


class NamedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over many rows (every provider of a council: 1,200 at a county's
    size), its choices read as names and written without a template each; what it cleans to is
    the model instance, as before."""

    iterator = NamedChoiceIterator
    widget = Select
