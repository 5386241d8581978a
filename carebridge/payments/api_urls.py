"""The provider API for care packages, disputes, invoices and payments, under /api/v1/provider/
(carebridge/urls.py)."""

from django.urls import path

from carebridge.payments import api

urlpatterns = [
    path("cplis/", api.CpliList.as_view(), name="provider_api_cplis"),
    path("disputes/", api.DisputeList.as_view(), name="provider_api_disputes"),
    path("invoices/", api.InvoiceList.as_view(), name="provider_api_invoices"),
    path("payments/", api.PaymentList.as_view(), name="provider_api_payments"),
]
