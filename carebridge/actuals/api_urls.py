"""The provider API for actuals, under /api/v1/provider/ (carebridge/urls.py)."""

from django.urls import path

from carebridge.actuals import api

urlpatterns = [
    path("actuals/", api.ActualsWeek.as_view(), name="provider_api_actuals"),
    path("actuals/csv/", api.ActualsCsv.as_view(), name="provider_api_actuals_csv"),
]
