"""The actuals tables' rows, written as HTML in Python.

A week page of 50 clients has about 600 inputs and 180 selects. Through the template engine, at
some 20 microseconds a variable, its rows alone took three quarters of the page's time (issue
22); the same markup joined from strings takes a tenth of that. The markup is the one the
templates had: GOV.UK inputs, each labelled for screen readers with whose row it is, errors
against the field, and the reasons' options. Every value is escaped here, as autoescaping would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeData, SafeString, mark_safe

from carebridge.actuals.selectors.week import ClientGroup, Row
from carebridge.contracts.models import Cpli
from carebridge.core.formats import guide_date, money

register = template.Library()

# An id no client has, reversed once and replaced by each client's.
_STAND_IN = 987654321987


def _e(value: Any) -> str:
    """Escaped as the template engine's autoescaping would: safe strings as they are."""
    if isinstance(value, SafeData):
        return str(value)
    return _escaped(str(value))


# A page repeats the same few texts hundreds of times (labels, "7", "0", empty values): each is
# escaped once. Bounded, as what people typed can be anything, and emptied when each page's rows
# are written (`_page_of_rows`): clients' names and comments are never kept from one page to the
# next, whoever asks for it.
_escaped = lru_cache(maxsize=1024)(escape)


def _page_of_rows(html: str) -> SafeString:
    """The rows' markup, escaped value by value above; the escaping memo forgets the page."""
    _escaped.cache_clear()
    return mark_safe(html)  # noqa: S308 - every value is escaped by _e


def _number(value: Decimal | None) -> str:
    """A quantity as `{{ value.normalize }}` showed it: 14, 3.5, never 1E+1."""
    return "" if value is None else f"{value.normalize():f}"


def _default(value: Any) -> str:
    """An empty value (nothing typed, no visits) shows as a dash, as `|default` did."""
    return _e(value) if value else "–"


def _error(field_id: str, message: str) -> str:
    return (
        f'<p class="govuk-error-message govuk-!-font-size-16" id="{field_id}-error">'
        f'<span class="govuk-visually-hidden">Error:</span> {_e(message)}</p>'
    )


def _described(field_id: str, message: str) -> str:
    return f' aria-describedby="{field_id}-error"' if message else ""


def _figure_cell(field: dict[str, Any], editable: bool, who: str) -> str:
    """One of a row's figures: an input labelled "Actual for <client>, <level>" (`who`, escaped,
    is whose row it is), or the value."""
    if not editable:
        return f'<td class="govuk-table__cell">{_default(field["value"])}</td>'
    field_id, message = field["id"], field["error"]
    return (
        '<td class="govuk-table__cell"><div class="govuk-form-group govuk-!-margin-bottom-0'
        f'{" govuk-form-group--error" if message else ""}">'
        f'<label class="govuk-label govuk-visually-hidden" for="{field_id}">'
        f"{_e(field['short'])} for {who}</label>"
        f"{_error(field_id, message) if message else ''}"
        f'<input class="govuk-input {field["width"]}{" govuk-input--error" if message else ""}"'
        f' id="{field_id}" name="{field_id}" type="text" inputmode="decimal" spellcheck="false"'
        f' autocomplete="off" value="{_e(field["value"])}"{_described(field_id, message)}>'
        "</div></td>"
    )


def _level_cell(row: Row) -> str:
    """The service level, the line as the guide writes it, and the row's state."""
    cpli = row.cpli
    parts = [
        f'<td class="govuk-table__cell">{_e(cpli.service_level.name)}',
        '<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-bottom-0">'
        f"{_description(cpli)}</span>",
    ]
    direction = row.assessment.direction if row.assessment else ""
    if direction == "over":
        parts.append('<br><strong class="govuk-tag govuk-tag--green">Over plan</strong>')
    elif direction == "under":
        parts.append('<br><strong class="govuk-tag govuk-tag--red">Under plan</strong>')
    if row.allocation_year:
        parts.append(
            f'<br><span class="govuk-!-font-size-16">{_number(row.allocation_used)} of '
            f"{_number(cpli.yearly_allocation)} {_e(cpli.get_unit_display().lower())} used in "
            f"{_e(row.allocation_year)}</span>"
        )
    if not row.actual and not row.is_allocation:
        parts.append('<br><strong class="govuk-tag govuk-tag--grey">No actual yet</strong>')
    parts.append("</td>")
    planned = (
        f"{_number(cpli.yearly_allocation)} a year" if row.is_allocation else _number(row.planned)
    )
    parts.append(f'<td class="govuk-table__cell govuk-table__cell--numeric">{planned}</td>')
    return "".join(parts)


def _description(cpli: Cpli) -> str:
    """The line as the guide writes it (`Cpli.description`), escaped: it depends on five of the
    line's values only, and a service's lines share a few, so each is written once."""
    return _description_of(
        cpli.quantity, cpli.unit, cpli.rate, cpli.pricing_basis, cpli.yearly_allocation
    )


@lru_cache(maxsize=256)
def _description_of(
    quantity: Decimal, unit: str, rate: Decimal, pricing_basis: str, allocation: Decimal | None
) -> str:
    line = Cpli(
        quantity=quantity,
        unit=unit,
        rate=rate,
        pricing_basis=pricing_basis,
        yearly_allocation=allocation,
    )
    return escape(line.description)


def _cost_cell(row: Row) -> str:
    if row.actual:
        cost_sum = row.assessment.cost_sum if row.assessment else ""
        shown = (
            f'{_e(money(row.actual.cost))}<br><span class="govuk-hint govuk-!-font-size-16 '
            f'govuk-!-margin-bottom-0 cb-nowrap">= {_e(cost_sum)}</span>'
        )
    else:
        shown = (
            '<span class="govuk-hint govuk-!-margin-bottom-0">'
            f"Planned {_e(money(row.planned_cost))}</span>"
        )
    return f'<td class="govuk-table__cell govuk-table__cell--numeric">{shown}</td>'


def _warning(row: Row) -> str:
    assessment = row.assessment
    if assessment is None or not (assessment.does_not_add_up or assessment.notes):
        return ""
    said = f"Does not add up. {_e(assessment.difference)}" if assessment.does_not_add_up else ""
    said += "".join(f" {_e(note)}" for note in assessment.notes)
    return (
        '<div class="govuk-warning-text govuk-!-margin-bottom-2">'
        '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>'
        '<strong class="govuk-warning-text__text">'
        f'<span class="govuk-visually-hidden">Warning: </span>{said}</strong></div>'
    )


def row_links_html(links: Iterable[Any], *, break_before: bool = False) -> str:
    """The links apps above actuals offer on a row (core.row_links), as _row_links.html."""
    return "".join(
        f'{"<br>" if break_before or number else ""}<a class="govuk-link govuk-!-font-size-16"'
        f' href="{_e(link.url)}">{_e(link.label)}'
        f'<span class="govuk-visually-hidden">{_e(link.hidden)}</span></a>'
        for number, link in enumerate(links)
    )


def _options(detail: dict[str, Any]) -> str:
    choices = detail["choices"]
    if not isinstance(choices, tuple):
        choices = tuple(choices)
    return _options_html(choices, detail["empty"], detail["value"])


# A page has two selects a row, nearly all with nothing or one of a few reasons chosen: their
# options are written once. Bounded, as a posted value can be anything.
@lru_cache(maxsize=256)
def _options_html(choices: tuple[tuple[str, str], ...], empty: str, value: Any) -> str:
    return f'<option value="">{_e(empty)}</option>' + "".join(
        f'<option value="{_e(code)}"{" selected" if value == code else ""}>{_e(text)}</option>'
        for code, text in choices
    )


def _detail_input(detail: dict[str, Any], who: str) -> str:
    """A comment, reason, date or code under the figures, labelled with whose row it is."""
    field_id, message = detail["id"], detail["error"]
    if detail["select"]:
        control = (
            '<select class="govuk-select govuk-!-font-size-16 govuk-!-width-full'
            f'{" govuk-select--error" if message else ""}" id="{field_id}" name="{field_id}"'
            f"{_described(field_id, message)}>{_options(detail)}</select>"
        )
    else:
        control = (
            '<input class="govuk-input govuk-!-font-size-16'
            f'{" govuk-input--error" if message else ""}" id="{field_id}" name="{field_id}"'
            f' type="text" value="{_e(detail["value"] or "")}"{_described(field_id, message)}>'
        )
    return (
        f'<div class="govuk-grid-column-{detail["column"]}">'
        '<div class="govuk-form-group govuk-!-margin-bottom-2'
        f'{" govuk-form-group--error" if message else ""}">'
        f'<label class="govuk-label govuk-!-font-size-16" for="{field_id}">{_e(detail["label"])}'
        f'<span class="govuk-visually-hidden"> for {who}</span></label>'
        f"{_error(field_id, message) if message else ''}{control}</div></div>"
    )


def _read_only_details(row: Row) -> str:
    actual = row.actual
    comments = (actual.comments if actual else "") or "None"
    said = f'<span class="govuk-!-font-weight-bold">Comments:</span> {_e(comments)}'
    if actual is not None:
        for value, label, shown in (
            (actual.frustrated_reason, "Frustrated because", actual.get_frustrated_reason_display),
            (actual.missed_reason, "Missed because", actual.get_missed_reason_display),
            (actual.variation_code, "Variation code", lambda: actual.variation_code),
        ):
            if value:
                said += f'. <span class="govuk-!-font-weight-bold">{label}:</span> {_e(shown())}'
    return f'<p class="govuk-body govuk-!-font-size-16 govuk-!-margin-bottom-0">{said}</p>'


def _details_row(row: Row, editable: bool) -> str:
    """The row under the figures: warnings, links, and the comments and reasons."""
    parts = [
        '<tr class="govuk-table__row cb-actual-details"><td class="govuk-table__cell" colspan="8">'
    ]
    parts.append(_warning(row))
    if row.links:
        parts.append(
            f'<p class="govuk-body govuk-!-margin-bottom-2">{row_links_html(row.links)}</p>'
        )
    if editable:
        who = _e(row.who)
        inputs = "".join(_detail_input(detail, who) for detail in row.detail)
        parts.append(f'<div class="govuk-grid-row">{inputs}</div>')
    else:
        parts.append(_read_only_details(row))
    parts.append("</td></tr>")
    return "".join(parts)


def rows_html(rows: Iterable[Row], *, editable: bool) -> str:
    """One client's CPLI rows for a week: the figures, then the row's comments and reasons. With
    `editable`, the figures are inputs named "line<CPLI id>-<field>" of the surrounding form."""
    parts = []
    for row in rows:
        may_change = editable and row.editable
        direction = row.assessment.direction if row.assessment else ""
        marked = {"over": " cb-actual-over", "under": " cb-actual-under"}.get(direction, "")
        parts.append(f'<tr class="govuk-table__row{marked}">')
        who = _e(row.who)
        for number, field in enumerate(row.inputs):
            parts.append(_figure_cell(field, may_change, who))
            if number == 0:
                parts.append(_level_cell(row))
        parts.append(_cost_cell(row))
        parts.append("</tr>")
        parts.append(_details_row(row, may_change))
    return "".join(parts)


@register.simple_tag
def actual_rows(rows: Iterable[Row], editable: bool) -> SafeString:
    """`{% actual_rows rows editable %}`: the rows of the week page and a client's page."""
    return _page_of_rows(rows_html(rows, editable=bool(editable)))


@register.simple_tag
def week_groups(data: Any, service: Any, week: Any) -> SafeString:
    """`{% week_groups data service week %}`: each client of the week page as a table body, its
    name, the rows the form posts (hidden "rows"), its cost and Add/Edit link, then its rows."""
    # One reverse for the page: a client's address is this one with their id for the stand-in.
    client_url = reverse("actuals:client", args=[_STAND_IN])
    query = f"?service={service.pk}&amp;week={week:%Y-%m-%d}"
    parts = []
    for group in data.groups:
        href = client_url.replace(str(_STAND_IN), str(group.person.pk)) + query
        parts.append(_group_html(group, href, data))
    return _page_of_rows("".join(parts))


def _group_html(group: ClientGroup, href: str, data: Any) -> str:
    person = group.person
    name = _e(person.full_name)
    council = f" · {_e(group.council_name)}" if data.several_councils else ""
    posted = "".join(
        f'<input type="hidden" name="rows" value="{row.cpli.pk}">'
        for row in group.rows
        if row.editable
    )
    return (
        '<tbody class="govuk-table__body"><tr class="govuk-table__row cb-actuals-client">'
        f'<th scope="rowgroup" class="govuk-table__header" colspan="6">{name} '
        f'<span class="govuk-!-font-weight-regular">{_e(person.ss_ref)}{council}</span>'
        f"{posted}</th>"
        '<td class="govuk-table__cell govuk-table__cell--numeric" colspan="2">'
        f"{_e(money(group.cost))} "
        f'<a class="govuk-link govuk-!-margin-left-2" href="{href}">'
        f'Add/Edit<span class="govuk-visually-hidden"> actuals for {name}</span></a></td></tr>'
        f"{rows_html(group.rows, editable=data.can_enter)}</tbody>"
    )


@register.simple_tag
def calendar_rows(weeks: Iterable[Any], month: date, service: Any) -> SafeString:
    """`{% calendar_rows calendar_weeks month service %}`: the month's weeks of the week page's
    calendar, each a link to its week but the one shown, as the template's loop wrote them (42
    days a page through the template engine were a tenth of its time)."""
    parts = []
    for week in weeks:
        start = guide_date(week.start)
        if week.chosen:
            head = (
                '<span aria-current="true">Shown<span class="govuk-visually-hidden">: week '
                f"beginning {start}</span></span>"
            )
        else:
            head = (
                f'<a class="govuk-link" href="?service={service.pk}&amp;week={week.start:%Y-%m-%d}">'
                f'View<span class="govuk-visually-hidden"> week beginning {start}</span></a>'
            )
        days = "".join(
            '<td class="govuk-table__cell'
            f'{" cb-calendar-other" if day.month != month.month else ""}">{day.day}</td>'
            for day in week.days
        )
        parts.append(
            f'\n        <tr class="govuk-table__row{" cb-calendar-chosen" if week.chosen else ""}">'
            f'\n          <th scope="row" class="govuk-table__header">{head}</th>'
            f"\n          {days}\n        </tr>\n        "
        )
    return mark_safe("".join(parts))  # noqa: S308 - dates and an id only
