from django.urls import path

from carebridge.organisations.views import change_requests, focus, payment_settings, provider

app_name = "organisations"

urlpatterns = [
    # The provider's details, as the portal guides lay them out: organisation, services, contacts.
    path("", provider.organisation, name="organisation"),
    # Which council a provider of several is looking at (every page's "Change council").
    path("council/", focus.council_focus, name="council_focus"),
    path("edit/", provider.organisation_edit, name="organisation_edit"),
    path("services/", provider.service_list, name="service_list"),
    path("services/<int:pk>/", provider.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", provider.service_edit, name="service_edit"),
    path("contacts/", provider.contact_list, name="contact_list"),
    path("contacts/new/", provider.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", provider.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", provider.contact_edit, name="contact_edit"),
    path(
        "contacts/<int:pk>/remove-role/", provider.contact_remove_role, name="contact_remove_role"
    ),
    # Both sides: the provider's requests and answers, the council's queue and decisions.
    path("change-requests/", change_requests.change_request_list, name="change_request_list"),
    path(
        "change-requests/<int:pk>/",
        change_requests.change_request_detail,
        name="change_request_detail",
    ),
    path(
        "change-requests/<int:pk>/approve/",
        change_requests.change_request_approve,
        name="change_request_approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        change_requests.change_request_reject,
        name="change_request_reject",
    ),
    # The council's payment settings: each contract type's payment rule, scheduled payments.
    path("payment-settings/", payment_settings.payment_settings, name="payment_settings"),
    path("payment-settings/rule/", payment_settings.payment_rule_edit, name="payment_rule_edit"),
    path(
        "payment-settings/scheduled-payments/",
        payment_settings.scheduled_payments_edit,
        name="scheduled_payments_edit",
    ),
    # A contract's supplier reference (the provider's number in the council's finance system).
    path(
        "payment-settings/contracts/<int:pk>/supplier-reference/",
        payment_settings.contract_supplier_reference_edit,
        name="contract_supplier_reference_edit",
    ),
    # What the council buys from the contract's provider: home care, residential or nursing care.
    path(
        "payment-settings/contracts/<int:pk>/kind-of-care/",
        payment_settings.contract_provider_kind_edit,
        name="contract_provider_kind_edit",
    ),
]
