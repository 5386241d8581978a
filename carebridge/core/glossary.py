"""The field's words, explained once: the glossary page lists them and `{% term %}`
(`templatetags/glossary.py`) opens one beside a page's column or field with GOV.UK's details
component. Written for Carebridge in plain English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    slug: str
    name: str
    # What a page's column heading calls it, where it is shortened (Pl, Msd...).
    short: str
    meaning: str
    # How the term's details ask about it, where "What is a <name>?" does not read well.
    asked: str = ""

    @property
    def question(self) -> str:
        """The summary of the term's details: "What does Msd mean?" for a short form, else
        "What is a referral?"."""
        if self.asked:
            return self.asked
        if self.short:
            return f"What does {self.short} mean?"
        name = self.name[0].lower() + self.name[1:]
        article = "an" if name[0] in "aeiou" else "a"
        return f"What is {article} {name}?"


TERMS: tuple[Term, ...] = (
    # Contracts and care packages
    Term(
        "cpli",
        "Care package line item (CPLI)",
        "CPLI",
        "One line of a person's care package: one service level (for example home care, single "
        "carer) at one rate, for a number of hours, visits or nights a week, from a start date. "
        "The council pays for what is delivered against it.",
    ),
    Term(
        "iso",
        "Individual service order (ISO)",
        "ISO",
        "The council's order for one person's care with one provider. It lists the care "
        "package line items and is the contract document the provider agrees to or rejects.",
    ),
    Term(
        "contract-document",
        "Contract document",
        "",
        "The document the council publishes to commission care for one person (an individual "
        "service order). The provider agrees to it by entering their password, or rejects it "
        "with a reason.",
    ),
    Term(
        "service-level",
        "Service level",
        "",
        "A kind of care the council buys, from its own catalogue: for example home care with "
        "one or two carers, night sits or live-in care. It sets the unit (hours, sessions or "
        "nights) each line is counted in.",
    ),
    Term(
        "purchase-order",
        "Purchase order (PO)",
        "PO",
        "The money side of a contract document: what the council has set aside for the care "
        "in a financial year, and how much of it has been spent so far.",
    ),
    Term(
        "commitment",
        "Commitment",
        "",
        "What the council expects to spend on a piece of care over a financial year if it is "
        "delivered as planned, worked out from the weekly quantity and the rate.",
        asked="What is a commitment?",
    ),
    # Actuals
    Term(
        "actuals",
        "Actuals",
        "",
        "What was really delivered against each care package line item in a week, recorded by "
        "the provider and confirmed for each period. The council pays from the confirmed actuals.",
        asked="What are actuals?",
    ),
    Term(
        "planned",
        "Planned",
        "Pl",
        "The quantity the council ordered for the week (hours, sessions or nights). It comes "
        "from the care package and you cannot change it.",
    ),
    Term(
        "actual",
        "Actual",
        "",
        "The quantity really delivered in the week. It should equal planned, less frustrated "
        "and missed, plus extra; a row where it does not is marked as an exception.",
        asked="What is the Actual column?",
    ),
    Term(
        "frustrated",
        "Frustrated",
        "Frstd",
        "Planned care that could not be given because the person was not available, for "
        "example in hospital, or a visit aborted at short notice. The council may pay it under "
        "its rules, so each frustrated quantity needs a reason.",
    ),
    Term(
        "missed",
        "Missed",
        "Msd",
        "Planned care that was not given: cancelled with notice, refused by the person, or a "
        "carer could not attend. Whether it is paid depends on the reason and the council's "
        "rules.",
    ),
    Term(
        "extra",
        "Extra",
        "Xtr",
        "Care given on top of the plan. It is paid only if the council allows extras, and only "
        "with a variation code from the person's social worker.",
    ),
    Term(
        "visits",
        "Visits",
        "Vst",
        "How many visits were made in the week. It is for information: payment follows the "
        "quantities, not the number of visits.",
    ),
    Term(
        "variation-code",
        "Variation code",
        "",
        "A reference the social worker gives when they agree that a person needs more care "
        "than planned. You enter it against an extra quantity so the council can match it.",
    ),
    Term(
        "exception",
        "Exception (does not add up)",
        "",
        "A row the council checks before paying: the actual does not equal planned minus "
        "frustrated minus missed plus extra, it is far over plan, or it is zero with no "
        "comment. The row is still saved, marked with a warning sign and an explanation.",
        asked="What is an exception?",
    ),
    Term(
        "period",
        "Period",
        "",
        "The stretch of weeks a provider confirms actuals for at once: one week or four weeks, "
        "depending on the council.",
        asked="What is a period?",
    ),
    Term(
        "confirmation",
        "Confirmation",
        "",
        "The provider's statement that a period's actuals are complete and correct. The council "
        "pays only confirmed periods, and each council sets a deadline for confirming.",
        asked="What is confirmation?",
    ),
    # Disputes
    Term(
        "dispute",
        "Dispute",
        "",
        "The council's challenge to actuals a provider has confirmed. The provider answers it "
        "and asks for it to be resolved; the council then resolves it. Disputed rows are held "
        "back from payment until then.",
    ),
    Term(
        "dispute-reason",
        "Dispute reason",
        "",
        "Why the council disputes an actual, chosen from the council's own list, for example "
        "care not delivered or a variation code missing.",
    ),
    # Payments
    Term(
        "invoice",
        "Invoice",
        "",
        "A provider's bill for a service's care in one period, built from its actuals. Used "
        "where the council pays that type of contract on invoice; the council authorises, holds "
        "or returns it.",
    ),
    Term(
        "credit-note",
        "Credit note",
        "",
        "A negative invoice. It is raised when actuals already invoiced are changed so that "
        "less is owed.",
    ),
    Term(
        "supplementary-invoice",
        "Supplementary invoice",
        "",
        "An extra invoice for the same period, raised when actuals already invoiced are "
        "changed so that more is owed.",
    ),
    Term(
        "pre-invoice",
        "Pre-invoice",
        "",
        "A preview of what an invoice for a service's period would hold: every week of care "
        "with actuals that is not yet on an invoice. You check it before raising the invoice.",
    ),
    Term(
        "scheduled-payment",
        "Scheduled payment",
        "",
        "A regular payment of the planned care for a block of weeks, partly in advance and "
        "partly in arrears, without actuals or an invoice. It is Current until paid, then "
        "Finalised.",
    ),
    Term(
        "one-off-claim",
        "One-off claim",
        "",
        "A claim for something actuals cannot hold, such as an unplanned absence under a block "
        "contract. Only some contract types allow them.",
        asked="What is a one-off claim?",
    ),
    Term(
        "variation-request",
        "Variation request (temporary CPLI)",
        "",
        "A provider's request to be paid for care given above the plan to one person for a "
        "short time. If the council approves it, a temporary care package line item covers "
        "that care.",
        asked="What is a variation request?",
    ),
    Term(
        "payment-run",
        "Payment run",
        "",
        "The council's batch of payments for one period: prepared by one payments officer, "
        "approved by another, then paid. Each item is paid once.",
    ),
    Term(
        "remittance-advice",
        "Remittance advice",
        "",
        "The council's statement of what it paid you in a payment run, line by line, so you "
        "can match the money that arrives in your bank account.",
        asked="What is remittance advice?",
    ),
    Term(
        "prompt-payment",
        "Prompt payment",
        "",
        "The rule that a public body pays a valid, undisputed invoice within 30 days of "
        "receiving it. The portal counts the days and shows what is late.",
        asked="What is prompt payment?",
    ),
    # Referrals
    Term(
        "referral",
        "Referral",
        "",
        "A council's request that a provider start care for a person, for example on leaving "
        "hospital. The provider accepts or refuses it within the reply window.",
    ),
    Term(
        "reply-window",
        "Reply window",
        "",
        "The time a provider has to accept or refuse a referral, counted only in the council's "
        "service hours. It shows green, then amber when little time is left, then red when it "
        "has passed.",
    ),
    Term(
        "provider-update",
        "Provider update",
        "",
        "The report a provider sends soon after the first visit, saying how the care has "
        "started. The council sets how long after the first visit it is due.",
    ),
    Term(
        "failed-start",
        "Failed service start",
        "",
        "A referral the provider accepted but could not start, for example because the person "
        "went back into hospital. The provider tells the council why.",
    ),
    # Working with the council
    Term(
        "action",
        "Action",
        "",
        "A conversation between a provider and a council team about a person, a contract, an "
        "invoice or anything else, with a due date. Either side can reply; only the council "
        "closes it.",
    ),
    Term(
        "change-request",
        "Change request",
        "",
        "A provider's request to change its organisation's, a service's or a contact's "
        "details. The council approves or rejects it, and nothing changes until it is approved.",
    ),
    Term(
        "super-user",
        "Super User",
        "",
        "A provider's contact who manages its details, its contacts and their log-ins, and "
        "the work their role allows.",
        asked="What is a Super User?",
    ),
    Term(
        "rulebook",
        "Rulebook",
        "",
        "A council's own settings in the portal: its reply window, actuals period, "
        "confirmation deadline, payment rules, log-in rules and more. The Help pages show each "
        "council's rules from it.",
        asked="What is a council's rulebook?",
    ),
    # People
    Term(
        "ss-ref",
        "Social services reference (SS Ref)",
        "SS Ref",
        "The council's own reference number for a person who receives care. Use it with the "
        "NHS number to be sure you have the right person.",
    ),
    Term(
        "nhs-number",
        "NHS number",
        "",
        "A person's 10-digit number in the NHS, the same across health and care. The portal "
        "checks that it is a valid number.",
        asked="What is an NHS number?",
    ),
    # The front door
    Term(
        "front-door",
        "Front door",
        "",
        "The council's online way for residents to ask for help with adult social care. The "
        "council's front-door team reads each request and decides what happens next.",
        asked="What is the front door?",
    ),
    Term(
        "signposting",
        "Signposting",
        "",
        "Pointing someone who does not need care arranged by the council to local services "
        "and groups that may help them.",
        asked="What is signposting?",
    ),
    Term(
        "hub",
        "Hub",
        "",
        "A local place, such as a community centre or library, where residents can book to "
        "meet an adult social care worker face to face.",
    ),
    # Reports
    Term(
        "cld",
        "Client Level Data return (CLD)",
        "CLD",
        "The return councils send to the Department of Health and Social Care every quarter, "
        "describing the adult social care each person received.",
    ),
)

BY_SLUG = {term.slug: term for term in TERMS}
