"""The inputs of the actuals rows, built in Python: a page of 50 clients has some 600 of them,
and Django's template engine took most of the page's time drawing them one node at a time.
The HTML is the GOV.UK text input, select and error message, as in the templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _error(field: dict[str, Any], size: str = " govuk-!-font-size-16") -> SafeString:
    if not field["error"]:
        return mark_safe("")
    return format_html(
        '<p class="govuk-error-message{}" id="{}-error">'
        '<span class="govuk-visually-hidden">Error:</span> {}</p>',
        size,
        field["id"],
        field["error"],
    )


def _described(field: dict[str, Any]) -> SafeString:
    if not field["error"]:
        return mark_safe("")
    return format_html(' aria-describedby="{}-error"', field["id"])


@register.simple_tag
def figure_input(field: dict[str, Any]) -> SafeString:
    """One of a row's figures (Actual, Frstd, Msd, Xtr, Vst), labelled for screen readers."""
    error = " govuk-form-group--error" if field["error"] else ""
    return format_html(
        '<div class="govuk-form-group govuk-!-margin-bottom-0{}">'
        '<label class="govuk-label govuk-visually-hidden" for="{}">{}</label>{}'
        '<input class="govuk-input {}{}" id="{}" name="{}" type="text" inputmode="decimal" '
        'spellcheck="false" autocomplete="off" value="{}"{}></div>',
        error,
        field["id"],
        field["label"],
        _error(field),
        field["width"],
        " govuk-input--error" if field["error"] else "",
        field["id"],
        field["id"],
        field["value"],
        _described(field),
    )


@register.simple_tag
def detail_input(field: dict[str, Any], who: str, reasons: list[tuple[str, str]]) -> SafeString:
    """Comments, frustrated reason, aborted visit dates or variation code, under the figures."""
    wrong = bool(field["error"])
    if field["select"]:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((code, " selected" if field["value"] == code else "", text) for code, text in reasons),
        )
        control = format_html(
            '<select class="govuk-select govuk-!-font-size-16 govuk-!-width-full{}" id="{}" '
            'name="{}"{}><option value="">Nothing frustrated</option>{}</select>',
            " govuk-select--error" if wrong else "",
            field["id"],
            field["id"],
            _described(field),
            options,
        )
    else:
        control = format_html(
            '<input class="govuk-input govuk-!-font-size-16{}" id="{}" name="{}" type="text" '
            'value="{}"{}>',
            " govuk-input--error" if wrong else "",
            field["id"],
            field["id"],
            field["value"] or "",
            _described(field),
        )
    return format_html(
        '<div class="govuk-grid-column-{}"><div class="govuk-form-group govuk-!-margin-bottom-2{}">'
        '<label class="govuk-label govuk-!-font-size-16" for="{}">{}'
        '<span class="govuk-visually-hidden"> for {}</span></label>{}{}</div></div>',
        field["column"],
        " govuk-form-group--error" if wrong else "",
        field["id"],
        field["label"],
        who,
        _error(field),
        control,
    )
