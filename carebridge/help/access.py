"""The council's own help rows, for its administrators' pages: a row of another council is not
found, whoever asks (never say that another council's row exists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from carebridge.help.models import HelpEntry, SupportContact

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def access_contact(user: User, pk: int) -> SupportContact:
    """The user's council's support contact, or 404."""
    found = (
        SupportContact.objects.filter(pk=pk, council_id=user.council_id).first()
        if user.council_id is not None
        else None
    )
    if found is None:
        raise Http404("No such support contact")
    return found


def access_entry(user: User, pk: int) -> HelpEntry:
    """The user's council's do, don't, question or page note, or 404."""
    found = (
        HelpEntry.objects.filter(pk=pk, council_id=user.council_id).first()
        if user.council_id is not None
        else None
    )
    if found is None:
        raise Http404("No such help entry")
    return found
