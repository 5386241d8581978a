"""Importing a file: read, matched and saved through actuals_save, whole or not at all."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied

from carebridge.accounts.models import User
from carebridge.actuals import services
from carebridge.actuals.csvio.matching import councils_with_lines, items_of
from carebridge.actuals.csvio.problems import CsvImportFailed, Problem, file_problem, problems_of
from carebridge.actuals.csvio.reading import read_file, text_of
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.models import Council


def import_rows(user: User, text: str, *, council_id: int | None = None) -> services.Saved:
    """Import a file's text as the user's provider, for one council (the only one it has lines
    with, or the one named): every row checked, all saved or none. Raises CsvImportFailed with
    every problem found (nothing saved)."""
    if user.provider_id is None or not can_edit(user.role, Function.ACTUALS):
        raise PermissionDenied("Only a provider's own staff can import its actuals.")
    councils = councils_with_lines(user.provider_id)
    if council_id is None and len(councils) <= 1:
        # Without lines at all, every row is simply not matched, as for another's line.
        council_id = next(iter(councils), None)
    elif council_id not in councils:
        # Two councils' lines can share a service, a service level's name and even an SS Ref:
        # the file's rows are matched to one council's lines only, never guessed between.
        raise file_problem("Choose the council whose actuals the file holds")
    layout, columns, rows, problems = read_file(text)
    items, unmatched = items_of(user.provider_id, council_id, layout, columns, rows)
    return _save(user, items, problems + unmatched, columns)


def _save(
    user: User, items: list[services.Item], problems: list[Problem], columns: Sequence[str]
) -> services.Saved:
    """Save the rows, or, if any row could not be read, only check the others: the rules'
    problems and the reading problems are reported together, and nothing is saved."""
    if not items:
        raise CsvImportFailed(problems)
    try:
        # With rows that could not be read, the rest are only checked: nothing is written.
        saved = services.actuals_save(user, items, source="csv", dry_run=bool(problems))
    except services.ActualsInvalid as invalid:
        for ref, errors in invalid.errors.items():
            assert isinstance(ref, int)
            problems += problems_of(ref, errors, columns)
    except services.ActualsRefused as refused:
        raise file_problem(refused.message) from None
    if problems:
        raise CsvImportFailed(problems)
    return saved


def import_bytes(user: User, data: bytes, *, council_id: int | None = None) -> services.Saved:
    """Import an uploaded file's bytes (see import_rows)."""
    return import_rows(user, text_of(data), council_id=council_id)


def councils_of(user: User) -> list[tuple[int, str]]:
    """The councils the user's provider has lines with, by name: whose files it may import."""
    if user.provider_id is None:
        return []
    return list(
        Council.objects.filter(pk__in=councils_with_lines(user.provider_id))
        .order_by("name")
        .values_list("pk", "name")
    )
