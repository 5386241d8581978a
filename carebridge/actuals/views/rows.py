"""The rows of a week's lines, as the week page and a client's Add/Edit page show them: the
inputs each row shows, the errors against them, and saving what was posted."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest

from carebridge.accounts.models import User
from carebridge.actuals import selectors, services
from carebridge.actuals.forms import field_name, parse_rows
from carebridge.actuals.rules import LABELS
from carebridge.core import row_links
from carebridge.organisations.choices import FrustratedReason, MissedReason

# The reasons' selects: their options and what the empty option says. Tuples, so the rows'
# markup can keep each select's options once written (templatetags/actuals_rows.py).
REASON_SELECTS = {
    "frustrated_reason": (tuple(FrustratedReason.choices), "Nothing frustrated"),
    "missed_reason": (tuple(MissedReason.choices), "Nothing missed"),
}

FIELD_WORDS = {
    **LABELS,
    "visits": "Vst",
    "comments": "Comments",
    "frustrated_reason": "Frustrated reason",
    "missed_reason": "Missed reason",
    "aborted_visit_dates": "Aborted visit dates",
    "variation_code": "Variation code",
}


def error_list(
    errors: dict[int, dict[str, str]], rows_by_cpli: dict[int, Any]
) -> list[tuple[str, str]]:
    """The error summary's entries: "Client, service level: message", linked to the input."""
    found = []
    for cpli_id, fields in errors.items():
        row = rows_by_cpli.get(cpli_id)
        who = f"{row.cpli.service_user.full_name}, {row.cpli.service_level.name}: " if row else ""
        for name, message in fields.items():
            target = name if name in FIELD_WORDS else "actual"
            found.append((f"#{field_name(cpli_id, target)}", f"{who}{message}"))
    return found


def save_rows(
    request: HttpRequest, user: User, cpli_ids: list[int], week: date
) -> tuple[dict[int, dict[str, str]], services.Saved | None, str]:
    """Parse and save the posted rows. Typing errors and rule errors are reported together;
    with any error nothing is saved."""
    entries, errors = parse_rows(request.POST, cpli_ids)
    items = [services.Item(cpli_id, week, entry, cpli_id) for cpli_id, entry in entries.items()]
    try:
        saved = services.actuals_save(user, items, dry_run=bool(errors))
    except services.ActualsInvalid as invalid:
        for ref, fields in invalid.errors.items():
            errors.setdefault(int(str(ref)), {}).update(fields)
        return errors, None, ""
    except services.ActualsRefused as refused:
        return errors, None, refused.message
    return errors, (None if errors else saved), ""


def saved_message(saved: services.Saved) -> str:
    if not saved.changed:
        return "Nothing had changed: no actuals were saved."
    rows = "1 actual" if saved.changed == 1 else f"{saved.changed} actuals"
    return f"{rows} saved."


# The inputs of a row, in the order the guides' tables show them: (field, label, width class).
NUMBER_INPUTS = (
    ("actual", "Actual", "govuk-input--width-3"),
    ("frustrated", "Frstd", "govuk-input--width-3"),
    ("missed", "Msd", "govuk-input--width-3"),
    ("extra", "Xtr", "govuk-input--width-3"),
    ("visits", "Vst", "govuk-input--width-2"),
)


def add_row_links(user: User, rows: list[selectors.Row]) -> None:
    """Give each row with an actual the links the apps above offer on it, for the whole page at
    once (core.row_links: a fixed number of queries)."""
    entered = [row.actual for row in rows if row.actual is not None]
    found = row_links.links_for(user, entered)
    for row in rows:
        if row.actual is not None:
            row.links = found.get(row.actual.pk, [])


def frustrated_choices(
    accepted: frozenset[str] | None, current: str
) -> tuple[tuple[str, str], ...]:
    """The frustrated reasons a row's select offers: those its council accepts, and the row's
    own if the council has stopped accepting it since (so that saving keeps it, and the rules
    say why it no longer may be claimed)."""
    return tuple(
        (code, label)
        for code, label in FrustratedReason.choices
        if accepted is None or code in accepted or code == current
    )


def decorate(rows: list[selectors.Row], posted: Any, errors: dict[int, dict[str, str]]) -> None:
    """Give each row the values its inputs show (what was posted, when the page comes back with
    errors; else what is saved) and its errors, keyed by field."""
    for row in rows:
        pk = row.cpli.pk
        stored = row.entry
        if posted is not None:
            values = {name: posted.get(field_name(pk, name), "") for name in FIELD_WORDS}
        else:
            values = {name: stored.get(name, "") for name in FIELD_WORDS}
        row.values = values
        row.errors = errors.get(pk, {})
        who = f"{row.cpli.service_user.full_name}, {row.cpli.service_level.name}"
        row.inputs = [
            {
                "name": name,
                "id": field_name(pk, name),
                "label": f"{label} for {who}",
                "short": label,
                "value": values.get(name, ""),
                "error": row.errors.get(name, ""),
                "width": width,
            }
            for name, label, width in NUMBER_INPUTS
        ]
        row.who = who
        # The inputs under the figures: (field, label, grid column). A variation code is asked
        # for only where the council allows extras.
        details = [
            ("comments", "Comments", "one-half"),
            ("frustrated_reason", "Frustrated because", "one-quarter"),
            ("aborted_visit_dates", "Aborted visit dates", "one-quarter"),
            ("missed_reason", "Missed because", "one-quarter"),
        ]
        if row.extras_allowed:
            details.append(("variation_code", "Variation code", "one-quarter"))
        # A provider of several councils is offered each row's own council's reasons.
        choices = {
            **{name: select[0] for name, select in REASON_SELECTS.items()},
            "frustrated_reason": frustrated_choices(
                row.frustrated_reasons, str(values.get("frustrated_reason") or "")
            ),
        }
        row.detail = [
            {
                "id": field_name(pk, name),
                "label": label,
                "column": column,
                "select": name in REASON_SELECTS,
                "choices": choices.get(name, ()),
                "empty": REASON_SELECTS.get(name, ((), ""))[1],
                "value": values.get(name, ""),
                "error": row.errors.get(name, ""),
            }
            for name, label, column in details
        ]
