"""The help topics of the organisations pages: a provider's details, services and contacts,
change requests on both sides, the council's payment settings, and choosing the council a
provider of several looks at."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "organisation-details",
        "Organisation details",
        views=("organisations:organisation", "organisations:organisation_edit"),
        audience=Audience.PROVIDER,
        section="Organisation",
        summary="Your organisation's name, address and contact details, and how to ask for a "
        "change.",
    ),
    Topic(
        "services",
        "Services",
        views=(
            "organisations:service_list",
            "organisations:service_detail",
            "organisations:service_edit",
        ),
        audience=Audience.PROVIDER,
        section="Organisation",
        summary="The locations you provide care from, and how to ask for a change to one.",
    ),
    Topic(
        "contacts",
        "Contacts",
        views=(
            "organisations:contact_list",
            "organisations:contact_detail",
            "organisations:contact_new",
            "organisations:contact_edit",
            "organisations:contact_remove_role",
        ),
        audience=Audience.PROVIDER,
        section="Organisation",
        summary="The people in your organisation who use the portal: ask for someone new, a "
        "change to their details, or their access removed.",
    ),
    Topic(
        "change-requests",
        "Change requests",
        views=(
            "organisations:change_request_list",
            "organisations:change_request_detail",
            "organisations:change_request_reject",
        ),
        audience=Audience.EVERYONE,
        section="Messages",
        summary="A provider's requests to change its details, and the council's approval or "
        "rejection of each.",
    ),
    Topic(
        "payment-settings",
        "Payment settings",
        views=(
            "organisations:payment_settings",
            "organisations:payment_rule_edit",
            "organisations:scheduled_payments_edit",
            "organisations:contract_supplier_reference_edit",
            "organisations:contract_provider_kind_edit",
        ),
        audience=Audience.COUNCIL,
        areas=("payments", "scheduled_payments"),
        section="Payments",
        summary="How the council pays under each type of contract, how scheduled payments are "
        "cut, each contract's supplier reference, and the kind of care bought from each provider.",
    ),
    Topic(
        "choosing-a-council",
        "Choosing the council you look at",
        views=("organisations:council_focus",),
        audience=Audience.PROVIDER,
        section="Getting started",
        summary="If you work for several councils, look at one council's work and rules, or "
        "all of them together.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # The Approve button on a change request: posts, then back to the request.
    "organisations:change_request_approve",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
