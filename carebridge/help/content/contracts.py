"""The help topics of the contracts pages: contract documents (the council publishes, the
provider agrees or rejects), the council's service levels, care package line items and purchase
orders."""

from carebridge.help.topics import Audience, Topic

TOPICS: list[Topic] = [
    Topic(
        "contract-documents",
        "Contract documents",
        views=("contracts:document_list", "contracts:document_detail"),
        audience=Audience.EVERYONE,
        section="Contracts",
        summary="Find a contract document, read its care package line items and its status, "
        "and download its PDF.",
    ),
    Topic(
        "agree-contract-document",
        "Agree to or reject a contract document",
        views=("contracts:document_agree", "contracts:document_reject"),
        audience=Audience.PROVIDER,
        section="Contracts",
        summary="Sign a contract document with your password, or reject it and say why.",
    ),
    Topic(
        "publish-contract-document",
        "Publish, reissue or terminate a contract document",
        views=(
            "contracts:document_new",
            "contracts:document_reissue",
            "contracts:document_terminate",
        ),
        audience=Audience.COUNCIL,
        section="Contracts",
        summary="Commission care for a client from a provider's service, issue a new document "
        "after a rejection, or end an agreed order.",
    ),
    Topic(
        "care-package-line-items",
        "Care package line items",
        views=("cplis:cpli_list",),
        audience=Audience.EVERYONE,
        section="Contracts",
        summary="Every client's care, line by line: what is bought, at what rate, from when "
        "to when.",
    ),
    Topic(
        "purchase-orders",
        "Purchase orders",
        views=("cplis:po_list", "cplis:po_detail"),
        audience=Audience.EVERYONE,
        areas=("payments",),
        section="Contracts",
        summary="The value of each client's care in a financial year, what has been paid and "
        "what remains.",
    ),
    Topic(
        "service-levels",
        "Service levels",
        views=("contracts:service_level_list", "contracts:service_level_edit"),
        audience=Audience.COUNCIL,
        section="Payments",
        summary="The kinds of care your council buys, and how each one is paid.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    "contracts:document_pdf",
    "cplis:cpli_export_csv",
    "cplis:cpli_export_xlsx",
    "provider_api_cplis",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
