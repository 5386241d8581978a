from django.urls import path

from carebridge.actuals.views import council, csv, periods, review, week

app_name = "actuals"

urlpatterns = [
    path("", week.week, name="week"),
    path("generate/", week.generate, name="generate"),
    path("clients/<int:service_user_id>/", week.client, name="client"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/<int:pk>/", periods.period, name="period"),
    path("bulk/export/", csv.bulk_export, name="bulk_export"),
    path("bulk/import/", csv.bulk_import, name="bulk_import"),
    path("council/", council.overview, name="council_overview"),
    path(
        "council/periods/<int:pk>/providers/<int:provider_pk>/",
        review.council_review,
        name="council_review",
    ),
    path(
        "council/periods/<int:pk>/providers/<int:provider_pk>/actuals.csv",
        review.council_review_export,
        {"fmt": "csv"},
        name="council_review_csv",
    ),
    path(
        "council/periods/<int:pk>/providers/<int:provider_pk>/actuals.xlsx",
        review.council_review_export,
        {"fmt": "xlsx"},
        name="council_review_xlsx",
    ),
]
