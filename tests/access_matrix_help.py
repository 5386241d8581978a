"""The access matrix's help part: the other council's own help (a support contact, a question
and answer and a note on a page), written by its administrator through the help services. Only
that administrator may change or remove them; their words must never show on our pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from carebridge.help import services as help_services
from carebridge.help.choices import EntryKind
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.help.topics import all_topics
from tests.access_entry import Entry

if TYPE_CHECKING:
    from tests.access_matrix import World

TEAM = "Quillwhistle helpdesk"
QUESTION = "Why do quillbacks queue?"
ANSWER = "Quillback answers are kept for Quillinghurst's providers."
NOTE = "Quillnote about this page."
MARKERS = [TEAM, "0113 496 0787", "quillwhistle@example.org", QUESTION, ANSWER, NOTE]


def build_help(world: World) -> None:
    """The other council's own help, for the matrix's world."""
    council, admin = world.other_council, world.other_council_admin
    help_services.contact_save(
        council=council,
        by=admin,
        team=TEAM,
        what_for="Quillback questions",
        phone="0113 496 0787",
        email="quillwhistle@example.org",
    )
    help_services.entry_save(
        council=council, by=admin, kind=EntryKind.FAQ, title=QUESTION, body=ANSWER
    )
    page = next(iter(all_topics()), None)
    if page is not None:
        help_services.entry_save(
            council=council, by=admin, kind=EntryKind.PAGE_NOTE, topic=page, body=NOTE
        )


def _contact(world: World) -> dict[str, int]:
    return {"pk": SupportContact.objects.get(council=world.other_council, team=TEAM).pk}


def _entry(world: World) -> dict[str, int]:
    return {"pk": HelpEntry.objects.get(council=world.other_council, title=QUESTION).pk}


REGISTRY: dict[str, Entry] = {
    "help:contact_edit": Entry(kwargs=_contact, owner=lambda w: w.other_council_admin),
    "help:contact_remove": Entry(kwargs=_contact, owner=lambda w: w.other_council_admin),
    "help:entry_edit": Entry(kwargs=_entry, owner=lambda w: w.other_council_admin),
    "help:entry_remove": Entry(kwargs=_entry, owner=lambda w: w.other_council_admin),
    # A help topic is the portal's manual, not an object of anyone's: an unknown one is not
    # found for everyone (tests/test_access_matrix.py reads every real topic as each persona).
    "help:topic": Entry(kwargs=lambda w: {"slug": "no-such-topic"}),
}
