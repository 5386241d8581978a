"""The demo's own help of each council: support contacts, do's and don'ts, three questions and
answers, and a note on the actuals week's help page, written by the council's administrator
through the help services. Told once: a council that has any help of its own keeps it as it is
(an administrator may have changed it since)."""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.accounts.models import User
from carebridge.core.permissions import Role
from carebridge.demo.common import Tally
from carebridge.demo.organisations_demo import demo_email
from carebridge.help import services as help_services
from carebridge.help import topics
from carebridge.help.choices import EntryKind
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.organisations.models import Council

# The help page of the actuals week, which each council's note is on (left out while the
# actuals help has no such page).
ACTUALS_WEEK_TOPIC = "record-actuals"


@dataclass(frozen=True)
class DemoContact:
    team: str
    what_for: str
    # The last three digits of a number in the council's (fictional) exchange.
    extension: str
    mailbox: str
    hours: str


CONTACTS = (
    DemoContact(
        "Brokerage team",
        "New referrals, changes to a care package and contract documents.",
        "310",
        "brokerage",
        "Monday to Friday, 8am to 6pm",
    ),
    DemoContact(
        "Provider payments team",
        "Actuals, payments, remittance advice and disputes.",
        "320",
        "providerpayments",
        "Monday to Thursday, 9am to 5pm; Friday, 9am to 4:30pm",
    ),
    DemoContact(
        "Portal support",
        "Log-in problems, locked accounts and adding people to your organisation.",
        "330",
        "portalsupport",
        "Monday to Friday, 9am to 5pm",
    ),
)

DOS = (
    (
        "Answer referrals promptly",
        "Accept or refuse each referral within the reply window, even when the answer is no: "
        "the brokerage team can then offer the package to another provider straight away.",
    ),
    (
        "Comment on every difference",
        "When what you delivered is not what was planned, say why in the comment on the row. "
        "A short reason now saves a query later.",
    ),
    (
        "Keep your contacts up to date",
        "Ask for a change to your organisation's contacts as soon as someone joins or leaves, "
        "so that e-mails about referrals and payments reach the right person.",
    ),
)

DONTS = (
    (
        "Share a log-in",
        "Everyone who uses the portal needs their own account. Your organisation's Super User "
        "can ask for one.",
    ),
    (
        "Put personal details in an action's title",
        "Use the person's SS Ref (social services reference) in the title and keep their "
        "details in the text, which only the right teams can read.",
    ),
)

FAQS = (
    (
        "What do I do if a person goes into hospital?",
        "Record the visits that did not happen as frustrated on the actuals week, with a "
        "comment saying when the person went in.\n\nIf you expect the stay to be long, raise "
        "an action for the brokerage team so they can review the package.",
    ),
    (
        "Why has a payment been held?",
        "A payment waits when a row of the period is disputed or does not add up. Open the "
        "period's actuals to see which rows, and answer any dispute from its page.\n\nIf "
        "nothing shows as open, call the provider payments team.",
    ),
    (
        "Who can confirm our actuals?",
        "Only your organisation's Super Users can confirm a week. If yours is away, another "
        "Super User can do it; ask the portal support team if you have none.",
    ),
)

NOTE = (
    "Before you confirm",
    "Check that every row with a difference has a comment. Rows confirmed without one are "
    "often queried, which can hold the payment of the whole period.",
)


def demo_help(tally: Tally, councils: dict[str, Council]) -> None:
    """Each council's own help, written once by its administrator."""
    for slug, council in councils.items():
        if (
            SupportContact.objects.filter(council=council).exists()
            or HelpEntry.objects.filter(council=council).exists()
        ):
            tally.found("councils' help")
            continue
        admin = User.objects.filter(email=demo_email(Role.COUNCIL_ADMINISTRATOR, slug)).first()
        _contacts(council, admin, slug)
        _entries(council, admin)
        tally.made("councils' help")


def _contacts(council: Council, admin: User | None, slug: str) -> None:
    # The council's own fictional range (0113 496 0100 gives 0113 496 0310 and so on).
    parts = council.phone.split()
    exchange = f"{parts[0]} {parts[1]} 0" if len(parts) == 3 else "01632 960 "
    for contact in CONTACTS:
        help_services.contact_save(
            council=council,
            by=admin,
            team=contact.team,
            what_for=contact.what_for,
            phone=f"{exchange}{contact.extension}",
            email=f"{contact.mailbox}@{slug}.example",
            hours=contact.hours,
        )


def _entries(council: Council, admin: User | None) -> None:
    for kind, entries in ((EntryKind.DO, DOS), (EntryKind.DONT, DONTS), (EntryKind.FAQ, FAQS)):
        for title, body in entries:
            help_services.entry_save(council=council, by=admin, kind=kind, title=title, body=body)
    if topics.topic(ACTUALS_WEEK_TOPIC) is not None:
        help_services.entry_save(
            council=council,
            by=admin,
            kind=EntryKind.PAGE_NOTE,
            topic=ACTUALS_WEEK_TOPIC,
            title=NOTE[0],
            body=NOTE[1],
        )
