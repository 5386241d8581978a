"""What the help pages read: the councils a reader is looking at, and what each council added."""

from __future__ import annotations

from collections.abc import Iterable

from carebridge.help.choices import EntryKind
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.organisations.models import Council


def contacts_of(councils: Iterable[Council]) -> dict[int, list[SupportContact]]:
    """Each council's support contacts, in its order (one query)."""
    ids = [c.pk for c in councils]
    found: dict[int, list[SupportContact]] = {pk: [] for pk in ids}
    for contact in SupportContact.objects.filter(council_id__in=ids):
        found[contact.council_id].append(contact)
    return found


def page_notes(councils: Iterable[Council], slug: str) -> dict[int, HelpEntry]:
    """Each council's note on one help topic, where it wrote one (one query)."""
    return {
        note.council_id: note
        for note in HelpEntry.objects.filter(
            council__in=list(councils), kind=EntryKind.PAGE_NOTE, topic=slug
        )
    }


def entries_of(councils: Iterable[Council], kind: EntryKind) -> dict[int, list[HelpEntry]]:
    """Each council's do's, don'ts or questions and answers, in its order (one query)."""
    ids = [c.pk for c in councils]
    found: dict[int, list[HelpEntry]] = {pk: [] for pk in ids}
    for entry in HelpEntry.objects.filter(council_id__in=ids, kind=kind):
        found[entry.council_id].append(entry)
    return found
