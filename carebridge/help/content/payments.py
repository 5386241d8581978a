"""The help topics of the payments pages: the provider's invoices, variation requests, one-off
claims, scheduled payments and remittance advice; the council's invoice queue, claims to decide,
variation decisions and payment runs."""

from carebridge.help.topics import Audience, Topic

SECTION = "Payments"

TOPICS: list[Topic] = [
    Topic(
        "invoices",
        "Invoices and credit notes",
        views=("payments:invoice_list", "payments:invoice_detail"),
        audience=Audience.PROVIDER,
        areas=("payments",),
        section=SECTION,
        summary="Your invoices, credit notes and supplementary invoices to each council, their "
        "status and when each is due to be paid.",
    ),
    Topic(
        "create-an-invoice",
        "Create, change or delete an invoice",
        views=(
            "payments:invoice_new",
            "payments:invoice_pre",
            "payments:invoice_edit",
            "payments:invoice_delete",
        ),
        audience=Audience.PROVIDER,
        areas=("payments",),
        section=SECTION,
        summary="Raise an invoice from a service's pre-invoice, then change or delete it "
        "until you submit it.",
    ),
    Topic(
        "variation-requests",
        "Variation requests (temporary CPLIs)",
        views=(
            "payments:variation_list",
            "payments:variation_new",
            "payments:variation_detail",
        ),
        audience=Audience.PROVIDER,
        areas=("actuals",),
        section=SECTION,
        summary="Ask the council's brokerage team for a temporary CPLI to be paid for care "
        "given over the plan.",
    ),
    Topic(
        "one-off-claims",
        "One-off claims",
        views=(
            "payments:claim_list",
            "payments:claim_new",
            "payments:claim_detail",
            "payments:claim_edit",
            "payments:claim_client_item",
            "payments:claim_provider_item",
            "payments:claim_file",
            "payments:claim_submit",
            "payments:claim_delete",
            "payments:claim_invoice",
        ),
        audience=Audience.PROVIDER,
        areas=("payments",),
        section=SECTION,
        summary="Claim for a client's unplanned absence after a hospital or respite stay, and "
        "invoice the claim once the council approves it.",
    ),
    Topic(
        "scheduled-payments",
        "Scheduled payments",
        views=("payments:scheduled_list",),
        audience=Audience.PROVIDER,
        areas=("scheduled_payments",),
        section=SECTION,
        summary="What councils that pay on a schedule have paid you and will pay you, billing "
        "period by billing period.",
    ),
    Topic(
        "remittance-advice",
        "Remittance advice",
        views=("payments:remittance_list", "payments:remittance_detail"),
        audience=Audience.PROVIDER,
        areas=("payments",),
        section=SECTION,
        summary="What each council paid you in each payment run, client by client.",
    ),
    Topic(
        "invoice-queue",
        "Invoices to check",
        views=(
            "payments:council_invoice_list",
            "payments:council_invoice_detail",
            "payments:council_invoice_decide",
        ),
        audience=Audience.COUNCIL,
        areas=("payments",),
        section=SECTION,
        summary="The invoices providers have submitted: authorise, hold or return each one.",
    ),
    Topic(
        "claims-to-decide",
        "One-off claims to decide",
        views=("payments:council_claim_list", "payments:claim_decide"),
        audience=Audience.COUNCIL,
        areas=("payments",),
        section=SECTION,
        summary="Providers' one-off claims for unplanned absences: approve or reject each one.",
    ),
    Topic(
        "variation-decisions",
        "Deciding variation requests",
        views=(
            "payments:council_variation_list",
            "payments:council_variation_detail",
            "payments:council_variation_approve",
            "payments:council_variation_refuse",
        ),
        audience=Audience.COUNCIL,
        areas=("actuals",),
        section=SECTION,
        summary="Providers' requests for a temporary CPLI: approve one to publish it as a "
        "contract document, or refuse it with a reason.",
    ),
    Topic(
        "payment-runs",
        "Payment runs",
        views=(
            "payments:run_list",
            "payments:run_prepare",
            "payments:run_detail",
            "payments:run_decide",
        ),
        audience=Audience.COUNCIL,
        areas=("payments", "scheduled_payments"),
        section=SECTION,
        summary="Prepare a billing period's payment run, have a second officer approve it, "
        "finalise it and download its finance export.",
    ),
]

# Views of this area that are not pages a person reads (APIs, downloads, POST-only actions).
NOT_PAGES: set[str] = {
    # Downloads.
    "payments:invoice_csv",
    "payments:invoice_pdf",
    "payments:remittance_csv",
    "payments:remittance_pdf",
    "payments:run_export",
    "payments:claim_file_download",
    # Buttons that post and go back to the page they are on.
    "payments:invoice_submit",
    "payments:claim_remove",
    # The provider API.
    "provider_api_invoices",
    "provider_api_payments",
}

__all__ = ["NOT_PAGES", "TOPICS", "Audience", "Topic"]
