"""The service navigation: each item shows only to roles that may use its function."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from carebridge.core.permissions import Function, can_edit, can_view

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    function: Function | None = None  # None: every logged-in user
    side: str | None = None  # "council" or "provider" for items of one side only
    edit: bool = False  # shown only to roles that may change things with the function
    kwargs: tuple[tuple[str, str], ...] = ()  # the URL's arguments, where it takes some


# Later issues add their functions here, in the order officers and providers use them.
NAVIGATION: list[NavItem] = [
    NavItem("Home", "home:home"),
    NavItem("Pending referrals", "referrals:pending", Function.REFERRALS, side="provider"),
    NavItem("Existing service users", "referrals:existing", Function.REFERRALS, side="provider"),
    NavItem("Referrals", "referrals:council_list", Function.REFERRALS, side="council"),
    NavItem("Contract documents", "contracts:document_list", Function.CONTRACT_DOCUMENTS),
    NavItem("Care package line items", "cplis:cpli_list", Function.CPLIS),
    NavItem("Purchase orders", "cplis:po_list", Function.PURCHASE_ORDERS),
    NavItem("Actuals", "actuals:week", Function.ACTUALS, side="provider"),
    NavItem("Confirm actuals", "actuals:period_list", Function.ACTUALS, side="provider"),
    NavItem("Actuals", "actuals:council_overview", Function.ACTUALS, side="council"),
    NavItem("Invoices", "payments:invoice_list", Function.INVOICES, side="provider"),
    NavItem("Invoices", "payments:council_invoice_list", Function.INVOICES, side="council"),
    NavItem("Variation requests", "payments:variation_list", Function.INVOICES, side="provider"),
    # The brokerage team decides them; the payments team sees them beside the invoices.
    NavItem(
        "Variation requests",
        "payments:council_variation_list",
        Function.CONTRACT_DOCUMENTS,
        side="council",
    ),
    NavItem("One-off claims", "payments:claim_list", Function.ONE_OFF_CLAIMS, side="provider"),
    NavItem(
        "One-off claims", "payments:council_claim_list", Function.ONE_OFF_CLAIMS, side="council"
    ),
    NavItem(
        "Scheduled payments",
        "payments:scheduled_list",
        Function.SCHEDULED_PAYMENTS,
        side="provider",
    ),
    # What each finalised payment run paid: for those who follow invoices or scheduled payments.
    NavItem("Remittance advice", "payments:remittance_list", Function.INVOICES, side="provider"),
    NavItem(
        "Remittance advice",
        "payments:remittance_list",
        Function.SCHEDULED_PAYMENTS,
        side="provider",
    ),
    NavItem("Payment runs", "payments:run_list", Function.INVOICES, side="council"),
    NavItem("Disputes", "disputes:dispute_list", Function.ACTUALS, side="provider"),
    # Those who may raise disputes: the payments officers (actuals) and the contracts side
    # (contract documents); a role with both has the item once.
    NavItem("Disputes", "disputes:council_list", Function.ACTUALS, side="council", edit=True),
    NavItem(
        "Disputes",
        "disputes:council_list",
        Function.CONTRACT_DOCUMENTS,
        side="council",
        edit=True,
    ),
    NavItem("Dispute reasons", "disputes:reason_list", Function.ACTUALS, side="council", edit=True),
    NavItem(
        "Dispute reasons",
        "disputes:reason_list",
        Function.CONTRACT_DOCUMENTS,
        side="council",
        edit=True,
    ),
    # Every report the role may use is listed on one page (reports/catalogue/).
    NavItem("Reports", "reports:index", Function.REPORTS),
    NavItem("Front door", "frontdoor:request_list", Function.FRONT_DOOR, side="council"),
    NavItem(
        "Front-door figures",
        "reports:report",
        Function.FRONT_DOOR,
        side="council",
        kwargs=(("slug", "front-door-weekly"),),
    ),
    NavItem("Directory", "frontdoor:directory_list", Function.FRONT_DOOR, side="council"),
    NavItem("Hubs", "frontdoor:hub_list", Function.FRONT_DOOR, side="council"),
    NavItem("Feedback", "frontdoor:feedback_list", Function.FRONT_DOOR, side="council"),
    NavItem("Service users", "people:service_user_list", Function.SERVICE_USERS),
    NavItem(
        "Organisation details",
        "organisations:organisation",
        Function.ORGANISATION_DETAILS,
        side="provider",
    ),
    NavItem("Contacts", "organisations:contact_list", Function.CONTACTS, side="provider"),
    NavItem("API keys", "api_tokens:list", Function.API_KEYS, side="provider", edit=True),
    NavItem("Actions", "actions:action_list", Function.ACTIONS),
    NavItem(
        "Change requests", "organisations:change_request_list", Function.ACTIONS, side="provider"
    ),
    # Council staff who decide requests about details (organisation details or contacts).
    NavItem(
        "Change requests",
        "organisations:change_request_list",
        Function.ORGANISATION_DETAILS,
        side="council",
        edit=True,
    ),
    NavItem(
        "Payment settings",
        "organisations:payment_settings",
        Function.ORGANISATION_DETAILS,
        side="council",
    ),
    NavItem("User accounts", "accounts:user_list", Function.USER_ACCOUNTS),
    # The council's systems: its case-management system, the logs, Dynamics 365, the CRM
    # webhook and the single sign-on, one to the next (integrations/_nav.html).
    NavItem(
        "Connections", "integrations:case_system", Function.CONNECTIONS, side="council", edit=True
    ),
    NavItem("Audit log", "audit:event_list", Function.AUDIT_LOG),
    NavItem("Your account", "accounts:account"),
]


def navigation_for(user: "User", current_path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for item in NAVIGATION:
        allowed = can_edit if item.edit else can_view
        if item.function is not None and not allowed(user.role, item.function):
            continue
        if item.side is not None and item.side != ("council" if user.council_id else "provider"):
            continue
        url = reverse(item.url_name, kwargs=dict(item.kwargs))
        if any(each["url"] == url for each in items):
            continue
        items.append({"label": item.label, "url": url, "current": False})
    # The item whose address is the longest start of the current path is the current one, so
    # /referrals/service-users/ marks "Existing service users", not "Pending referrals" too.
    matches = [
        item
        for item in items
        if current_path == item["url"]
        or (item["url"] != "/" and current_path.startswith(str(item["url"])))
    ]
    if matches:
        max(matches, key=lambda item: len(str(item["url"])))["current"] = True
    return items
