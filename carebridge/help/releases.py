"""What's new: what each release changed for the people who use the portal, newest first.

One release per piece of work that landed (an issue of the project), dated by its last change,
written from the change history and the decision records in plain words for each audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PROVIDERS = "Providers"
COUNCIL = "Council staff"
RESIDENTS = "Residents"
EVERYONE = "Everyone"


@dataclass(frozen=True)
class Release:
    name: str
    day: date
    # (who it is for: PROVIDERS, COUNCIL, RESIDENTS or EVERYONE, what changed)
    changes: tuple[tuple[str, str], ...]


RELEASES: tuple[Release, ...] = (
    Release(
        "Help and a simpler menu",
        date(2026, 12, 7),
        (
            (
                EVERYONE,
                "Every page has a Help link explaining the page and your council's rules, and a "
                "glossary explains the words the portal uses beside the columns that use them.",
            ),
            (EVERYONE, "The menu is grouped into sections, each with its own pages below it."),
            (
                PROVIDERS,
                "If you work for several councils, choose the council you are looking at from "
                "any page.",
            ),
            (COUNCIL, "Add your council's own support contacts, notes, do's and don'ts and FAQs."),
            (
                COUNCIL,
                "Administrators can remove a lost authenticator app from someone's account, so "
                "they can log in again with their passcode.",
            ),
        ),
    ),
    Release(
        "Connecting the council's and providers' systems",
        date(2026, 12, 7),
        (
            (
                COUNCIL,
                "New referrals can arrive from your case-management system on their own, and "
                "each referral's answers and updates are sent back to it in order.",
            ),
            (
                COUNCIL,
                "Front-door requests can reach your CRM, including Dynamics 365, with logs of "
                "what was delivered and what is waiting.",
            ),
            (COUNCIL, "Staff can log in through the council's own single sign-on."),
            (
                PROVIDERS,
                "Super Users can make API keys so your own system can answer referrals, send "
                "actuals and read invoices and remittances.",
            ),
        ),
    ),
    Release(
        "Reports",
        date(2026, 12, 7),
        (
            (
                COUNCIL,
                "One Reports page with filters, a chart and totals, downloadable as CSV, Excel "
                "or PDF.",
            ),
            (
                COUNCIL,
                "Reports on referral response times, confirmations on time, planned against "
                "delivered care, and spend against commitment.",
            ),
            (
                COUNCIL,
                "The quarterly Client Level Data return, checked record by record before you "
                "download it.",
            ),
            (COUNCIL, "The front-door figures are now four front-door reports."),
            (
                PROVIDERS,
                "Reports of your pending scheduled payments and your remittance advice.",
            ),
        ),
    ),
    Release(
        "Payment runs, scheduled payments and remittances",
        date(2026, 12, 7),
        (
            (
                COUNCIL,
                "The payments team prepares a payment run for each period; a second officer "
                "approves it before it is paid.",
            ),
            (
                COUNCIL,
                "Administrators set how each contract type is paid: on invoice, from actuals "
                "or on a schedule.",
            ),
            (
                PROVIDERS,
                "See your scheduled payments, past and to come, and your remittance advice as a "
                "page, PDF or CSV file.",
            ),
            (
                EVERYONE,
                "Prompt payment: the portal counts the 30 days to pay an invoice and shows what "
                "is late.",
            ),
        ),
    ),
    Release(
        "Disputes and missed reasons",
        date(2026, 12, 7),
        (
            (
                COUNCIL,
                "Dispute a provider's actuals with a reason from your council's list; payment "
                "of the disputed rows is held until you resolve it.",
            ),
            (
                PROVIDERS,
                "See each dispute, amend its rows, respond and ask for it to be resolved.",
            ),
            (PROVIDERS, "A missed quantity (Msd) now needs its reason, which decides its pay."),
            (
                COUNCIL,
                "Open any provider's confirmed period from the actuals overview and see every "
                "client's rows.",
            ),
        ),
    ),
    Release(
        "Invoices, claims and variation requests",
        date(2026, 12, 6),
        (
            (
                PROVIDERS,
                "Where your council pays on invoice, raise an invoice from your actuals after "
                "checking its pre-invoice.",
            ),
            (
                PROVIDERS,
                "Ask for a temporary CPLI when care went over the plan, and make one-off claims "
                "where your contract allows them.",
            ),
            (
                COUNCIL,
                "The payments team's invoice queue: authorise, hold or return each invoice.",
            ),
            (
                EVERYONE,
                "Changing actuals already invoiced raises a credit note or supplementary invoice.",
            ),
        ),
    ),
    Release(
        "Faster, more consistent lists",
        date(2026, 12, 6),
        (
            (
                EVERYONE,
                "Lists filter and page the same way across the portal, and the home page "
                "gathers what needs your attention.",
            ),
            (EVERYONE, "Behind the scenes, the portal is reorganised to be easier to change."),
        ),
    ),
    Release(
        "Working for several councils",
        date(2026, 12, 6),
        (
            (
                PROVIDERS,
                "The actuals week page shows each council's own period, rules and deadline.",
            ),
            (PROVIDERS, "Each actuals CSV file is one council's, in its own layout."),
            (PROVIDERS, "A late confirmation shows when it was made and when it was due."),
            (EVERYONE, "Filters name each option's council."),
        ),
    ),
    Release(
        "The front door for residents",
        date(2026, 11, 24),
        (
            (
                RESIDENTS,
                "Ask your council for help online, one question a page, and see whether you "
                "are likely to be eligible for care and why.",
            ),
            (
                RESIDENTS,
                "Find local community services, book a time at a hub, and track your request.",
            ),
            (
                COUNCIL,
                "The front-door team triages each request; officers set the phone number, "
                "office hours and out-of-hours team, and open or close the front door.",
            ),
        ),
    ),
    Release(
        "Actions",
        date(2026, 11, 24),
        (
            (
                EVERYONE,
                "Raise an action about a client, contract, invoice or anything else, follow its "
                "thread and attach files.",
            ),
            (COUNCIL, "Each action goes to the right team's inbox; only the council closes it."),
            (EVERYONE, "Choose which e-mails you receive about actions."),
        ),
    ),
    Release(
        "Actuals",
        date(2026, 11, 24),
        (
            (
                PROVIDERS,
                "Record what was delivered each week against the plan, with Generate actuals to "
                "start from the plan.",
            ),
            (PROVIDERS, "Import and export actuals as a CSV file in your council's layout."),
            (PROVIDERS, "Confirm each period's actuals by your council's deadline."),
            (COUNCIL, "See which providers have confirmed each period."),
        ),
    ),
    Release(
        "Contracts and your organisation's details",
        date(2026, 11, 24),
        (
            (
                PROVIDERS,
                "Agree to or reject contract documents with your password, and download them "
                "as PDF.",
            ),
            (PROVIDERS, "See your care package line items and download them as CSV or Excel."),
            (
                PROVIDERS,
                "Ask for changes to your organisation, services and contacts; the council "
                "approves them.",
            ),
            (COUNCIL, "Publish contract documents, terminate care and approve change requests."),
        ),
    ),
    Release(
        "Referrals",
        date(2026, 11, 23),
        (
            (COUNCIL, "Send a referral to a provider, and send a refused one to another."),
            (
                PROVIDERS,
                "Accept or refuse each referral within the reply window, delay a start, and "
                "send the provider update after the first visit.",
            ),
            (PROVIDERS, "The pending list refreshes on its own and shows green, amber and red."),
        ),
    ),
    Release(
        "Logging in",
        date(2026, 11, 23),
        (
            (
                EVERYONE,
                "Log in step by step with your password and a second step, under your "
                "council's password and lock-out rules.",
            ),
            (EVERYONE, "Reset a forgotten password from the log-in page."),
            (PROVIDERS, "Super Users add and manage their organisation's contacts."),
        ),
    ),
)
