"""The service navigation, grouped the way users think: sections in the service navigation, and
the section's own pages as its sub-navigation on each of them. Each item names the function from
`core/permissions.py` that shows it, so a role sees only what it may use; a section shows when
one of its items does, and opens its first. Every page is two clicks from anywhere: the section,
then the item."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

from carebridge.actuals.access import actuals_offered
from carebridge.core.permissions import Function, can_edit, can_view

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    function: Function | None = None  # None: every logged-in user
    edit: bool = False  # shown only to roles that may change things with the function
    kwargs: tuple[tuple[str, str], ...] = ()  # the URL's arguments, where it takes some
    # Offered only to a provider some council pays on actuals (a residential or nursing
    # provider has none to enter or dispute: actuals.access).
    on_actuals: bool = False


@dataclass(frozen=True)
class Section:
    label: str
    items: tuple[NavItem, ...]


F = Function

# A provider's sections (the guides' functions, grouped as providers work through a week).
PROVIDER: tuple[Section, ...] = (
    Section("Home", (NavItem("Home", "home:home"),)),
    Section(
        "Referrals",
        (
            NavItem("Pending referrals", "referrals:pending", F.REFERRALS),
            NavItem("Existing service users", "referrals:existing", F.REFERRALS),
        ),
    ),
    Section(
        "Contracts",
        (
            NavItem("Contract documents", "contracts:document_list", F.CONTRACT_DOCUMENTS),
            NavItem("Care package line items", "cplis:cpli_list", F.CPLIS),
            NavItem("Purchase orders", "cplis:po_list", F.PURCHASE_ORDERS),
        ),
    ),
    Section(
        "Actuals",
        (
            NavItem("Record actuals", "actuals:week", F.ACTUALS, on_actuals=True),
            NavItem("Confirm actuals", "actuals:period_list", F.ACTUALS, on_actuals=True),
            NavItem("Disputes", "disputes:dispute_list", F.ACTUALS, on_actuals=True),
        ),
    ),
    Section(
        "Payments",
        (
            NavItem("Invoices", "payments:invoice_list", F.INVOICES),
            NavItem("Variation requests", "payments:variation_list", F.INVOICES),
            NavItem("One-off claims", "payments:claim_list", F.ONE_OFF_CLAIMS),
            NavItem("Scheduled payments", "payments:scheduled_list", F.SCHEDULED_PAYMENTS),
            # What each finalised payment run paid: for those who follow invoices or scheduled
            # payments (a role with both has the item once).
            NavItem("Remittance advice", "payments:remittance_list", F.INVOICES),
            NavItem("Remittance advice", "payments:remittance_list", F.SCHEDULED_PAYMENTS),
            NavItem("Reports", "reports:index", F.REPORTS),
        ),
    ),
    Section(
        "Messages",
        (
            NavItem("Actions", "actions:action_list", F.ACTIONS),
            NavItem("Change requests", "organisations:change_request_list", F.ACTIONS),
        ),
    ),
    Section(
        "Organisation",
        (
            NavItem("Organisation details", "organisations:organisation", F.ORGANISATION_DETAILS),
            NavItem("Services", "organisations:service_list", F.ORGANISATION_DETAILS),
            NavItem("Contacts", "organisations:contact_list", F.CONTACTS),
            NavItem("API keys", "api_tokens:list", F.API_KEYS, edit=True),
        ),
    ),
)

# The council's staff: brokerage, the front door, payments and administration, by job.
COUNCIL: tuple[Section, ...] = (
    Section("Home", (NavItem("Home", "home:home"),)),
    Section(
        "Front door",
        (
            NavItem("Requests", "frontdoor:request_list", F.FRONT_DOOR),
            NavItem(
                "Front-door figures",
                "reports:report",
                F.FRONT_DOOR,
                kwargs=(("slug", "front-door-weekly"),),
            ),
            NavItem("Directory", "frontdoor:directory_list", F.FRONT_DOOR),
            NavItem("Hubs", "frontdoor:hub_list", F.FRONT_DOOR),
            NavItem("Feedback", "frontdoor:feedback_list", F.FRONT_DOOR),
        ),
    ),
    Section(
        "Referrals",
        (
            NavItem("Referrals", "referrals:council_list", F.REFERRALS),
            NavItem("Service users", "people:service_user_list", F.SERVICE_USERS),
        ),
    ),
    Section(
        "Contracts",
        (
            NavItem("Contract documents", "contracts:document_list", F.CONTRACT_DOCUMENTS),
            NavItem("Care package line items", "cplis:cpli_list", F.CPLIS),
            NavItem("Purchase orders", "cplis:po_list", F.PURCHASE_ORDERS),
            # The brokerage team decides them; the payments team sees them beside the invoices.
            NavItem("Variation requests", "payments:council_variation_list", F.CONTRACT_DOCUMENTS),
        ),
    ),
    Section(
        "Actuals",
        (
            NavItem("Actuals", "actuals:council_overview", F.ACTUALS),
            # Those who may raise disputes: the payments officers (actuals) and the contracts
            # side (contract documents); a role with both has each item once.
            NavItem("Disputes", "disputes:council_list", F.ACTUALS, edit=True),
            NavItem("Disputes", "disputes:council_list", F.CONTRACT_DOCUMENTS, edit=True),
            NavItem("Dispute reasons", "disputes:reason_list", F.ACTUALS, edit=True),
            NavItem("Dispute reasons", "disputes:reason_list", F.CONTRACT_DOCUMENTS, edit=True),
        ),
    ),
    Section(
        "Payments",
        (
            NavItem("Invoices", "payments:council_invoice_list", F.INVOICES),
            NavItem("One-off claims", "payments:council_claim_list", F.ONE_OFF_CLAIMS),
            NavItem("Payment runs", "payments:run_list", F.INVOICES),
            NavItem("Payment settings", "organisations:payment_settings", F.ORGANISATION_DETAILS),
        ),
    ),
    # Every report the role may use is listed on one page (reports/catalogue/).
    Section("Reports", (NavItem("Reports", "reports:index", F.REPORTS),)),
    Section(
        "Messages",
        (
            NavItem("Actions", "actions:action_list", F.ACTIONS),
            # Council staff who decide requests about details (organisation details or contacts).
            NavItem(
                "Change requests",
                "organisations:change_request_list",
                F.ORGANISATION_DETAILS,
                edit=True,
            ),
        ),
    ),
    Section(
        "Administration",
        (
            NavItem("User accounts", "accounts:user_list", F.USER_ACCOUNTS),
            # The council's systems: its case-management system, the logs, Dynamics 365, the
            # CRM webhook and the single sign-on, one to the next (integrations/_nav.html).
            NavItem("Connections", "integrations:case_system", F.CONNECTIONS, edit=True),
            NavItem("Help and support", "help:manage", F.HELP_CONTENT, edit=True),
            # Subject access requests: the information-governance officers' list and exports.
            NavItem("Information governance", "subjectaccess:request_list", F.SUBJECT_ACCESS),
            NavItem("Audit log", "audit:event_list", F.AUDIT_LOG),
            NavItem("Records retention", "retention:overview", F.RETENTION),
        ),
    ),
)


def sections_of(user: User) -> tuple[Section, ...]:
    return COUNCIL if user.council_id else PROVIDER


def _url_context() -> tuple[str, str | None, str]:
    """What an address reversed depends on besides its name: the URLconf (the settings', or one
    a request set) and the prefix the site is served under."""
    return str(settings.ROOT_URLCONF), get_urlconf(), get_script_prefix()


@lru_cache(maxsize=256)
def _allowed(
    council: bool,
    role: str,
    on_actuals: bool,
    root_urlconf: str,
    urlconf: str | None,
    prefix: str,
) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each section's (label, address) items that a role may use, each address once: worked out
    once per role (and whether actuals are offered) rather than on every page (some 30
    addresses reversed a request)."""
    found = []
    for section in COUNCIL if council else PROVIDER:
        items: list[tuple[str, str]] = []
        for item in section.items:
            allowed = can_edit if item.edit else can_view
            if item.function is not None and not allowed(role, item.function):
                continue
            if item.on_actuals and not on_actuals:
                continue
            url = reverse(item.url_name, kwargs=dict(item.kwargs))
            if all(url != seen for _label, seen in items):
                items.append((item.label, url))
        found.append(tuple(items))
    return tuple(found)


def navigation_for(user: User, current_path: str) -> dict[str, object]:
    """The sections the user sees (each opening its first item), the current section's pages as
    the sub-navigation, and which of them the page is."""
    sections = []
    # Asked only of a provider's role that would see the actuals items (one query).
    on_actuals = (
        user.council_id is not None or not can_view(user.role, F.ACTUALS) or actuals_offered(user)
    )
    allowed = _allowed(bool(user.council_id), user.role, on_actuals, *_url_context())
    for section, visible in zip(sections_of(user), allowed, strict=True):
        items = [
            {"label": label, "url": url, "current": False, "exact": False} for label, url in visible
        ]
        if items:
            sections.append(
                {"label": section.label, "url": items[0]["url"], "items": items, "current": False}
            )
    # The item whose address is the longest start of the current path is the current one, so
    # /referrals/service-users/ marks "Existing service users", not "Pending referrals" too.
    matches = [
        (section, item)
        for section in sections
        for item in section["items"]  # type: ignore[attr-defined]
        if current_path == item["url"]
        or (item["url"] != "/" and current_path.startswith(str(item["url"])))
    ]
    current = None
    if matches:
        current, item = max(matches, key=lambda match: len(str(match[1]["url"])))
        current["current"] = True
        item["current"] = True
        item["exact"] = current_path == item["url"]
        section_exact = current_path == current["url"]
        current["exact"] = section_exact
    return {
        "sections": sections,
        # A section of one page needs no sub-navigation.
        "sub": current if current is not None and len(current["items"]) > 1 else None,  # type: ignore[arg-type]
    }


def items_for(user: User) -> list[dict[str, object]]:
    """Every page the user's navigation offers, in order (for tests and the help index)."""
    navigation = navigation_for(user, "")
    return [
        item
        for section in navigation["sections"]  # type: ignore[attr-defined]
        for item in section["items"]
    ]
