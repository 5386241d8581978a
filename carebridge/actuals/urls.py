from django.urls import path

from carebridge.actuals import views, views_council, views_csv

app_name = "actuals"

urlpatterns = [
    path("", views.week, name="week"),
    path("generate/", views.generate, name="generate"),
    path("clients/<int:service_user_id>/", views.client, name="client"),
    path("periods/", views.period_list, name="period_list"),
    path("periods/<int:pk>/", views.period, name="period"),
    path("bulk/export/", views_csv.bulk_export, name="bulk_export"),
    path("bulk/import/", views_csv.bulk_import, name="bulk_import"),
    path("council/", views_council.overview, name="council_overview"),
    path("council/periods/<int:pk>/paid/", views_council.period_paid, name="period_paid"),
]
