from django.urls import path

from carebridge.payments.views import (
    claims,
    council,
    downloads,
    invoices,
    remittances,
    runs,
    scheduled,
    variations,
)

app_name = "payments"

# One-off claims: the provider's pages, then the payments team's.
CLAIM_PATTERNS = [
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/update/", claims.claim_edit, name="claim_edit"),
    path("claims/<int:pk>/client-items/new/", claims.claim_client_item, name="claim_client_item"),
    path(
        "claims/<int:pk>/provider-items/new/",
        claims.claim_provider_item,
        name="claim_provider_item",
    ),
    path("claims/<int:pk>/files/new/", claims.claim_file, name="claim_file"),
    path(
        "claims/<int:pk>/files/<int:file_pk>/",
        claims.claim_file_download,
        name="claim_file_download",
    ),
    path(
        "claims/<int:pk>/remove/<slug:kind>/<int:part>/",
        claims.claim_remove,
        name="claim_remove",
    ),
    path("claims/<int:pk>/submit/", claims.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/delete/", claims.claim_delete, name="claim_delete"),
    path("claims/<int:pk>/invoice/", claims.claim_invoice, name="claim_invoice"),
    path("council/claims/", claims.council_claim_list, name="council_claim_list"),
    path("council/claims/<int:pk>/<slug:decision>/", claims.claim_decide, name="claim_decide"),
]

# What the provider sees of getting paid: its scheduled payments and its remittance advice (a
# council's payments officer opens any remittance of its own runs too).
PROVIDER_PAY_PATTERNS = [
    path("scheduled-payments/", scheduled.scheduled_list, name="scheduled_list"),
    path("remittances/", remittances.remittance_list, name="remittance_list"),
    path(
        "remittances/<int:pk>/<int:provider_pk>/",
        remittances.remittance_detail,
        name="remittance_detail",
    ),
    path(
        "remittances/<int:pk>/<int:provider_pk>/pdf/",
        remittances.remittance_pdf,
        name="remittance_pdf",
    ),
    path(
        "remittances/<int:pk>/<int:provider_pk>/csv/",
        remittances.remittance_csv_download,
        name="remittance_csv",
    ),
]

# The payments team's payment runs (docs/decisions/0011-payment-runs.md).
RUN_PATTERNS = [
    path("council/runs/", runs.run_list, name="run_list"),
    path("council/runs/new/", runs.run_prepare, name="run_prepare"),
    path("council/runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("council/runs/<int:pk>/finance-export.csv", runs.run_export, name="run_export"),
    path("council/runs/<int:pk>/<slug:decision>/", runs.run_decide, name="run_decide"),
]

urlpatterns = [
    *CLAIM_PATTERNS,
    *PROVIDER_PAY_PATTERNS,
    *RUN_PATTERNS,
    path("invoices/", invoices.invoice_list, name="invoice_list"),
    path("invoices/new/", invoices.invoice_new, name="invoice_new"),
    path(
        "invoices/new/<int:service_id>/<int:period_id>/",
        invoices.invoice_pre,
        name="invoice_pre",
    ),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", invoices.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/delete/", invoices.invoice_delete, name="invoice_delete"),
    path("invoices/<int:pk>/submit/", invoices.invoice_submit, name="invoice_submit"),
    path("invoices/<int:pk>/csv/", downloads.invoice_csv, name="invoice_csv"),
    path("invoices/<int:pk>/pdf/", downloads.invoice_pdf, name="invoice_pdf"),
    # Variation requests: the provider's, then the council's brokerage team's.
    path("variations/", variations.variation_list, name="variation_list"),
    path("variations/new/", variations.variation_new, name="variation_new"),
    path("variations/<int:pk>/", variations.variation_detail, name="variation_detail"),
    path(
        "council/variations/",
        variations.council_variation_list,
        name="council_variation_list",
    ),
    path(
        "council/variations/<int:pk>/",
        variations.council_variation_detail,
        name="council_variation_detail",
    ),
    path(
        "council/variations/<int:pk>/approve/",
        variations.council_variation_approve,
        name="council_variation_approve",
    ),
    path(
        "council/variations/<int:pk>/refuse/",
        variations.council_variation_refuse,
        name="council_variation_refuse",
    ),
    # The council's payments team.
    path("council/invoices/", council.council_invoice_list, name="council_invoice_list"),
    path(
        "council/invoices/<int:pk>/", council.council_invoice_detail, name="council_invoice_detail"
    ),
    path(
        "council/invoices/<int:pk>/<slug:decision>/",
        council.council_invoice_decide,
        name="council_invoice_decide",
    ),
]
