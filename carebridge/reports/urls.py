"""Reports under /reports/ ("reports" URL namespace)."""

from django.urls import path

from carebridge.reports import views
from carebridge.reports.cld import views as cld

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("client-level-data/", cld.cld_page, name="cld"),
    path("client-level-data/download.csv", cld.cld_download, name="cld_download"),
    path("client-level-data/la-code/", cld.cld_la_code, name="cld_la_code"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/download.<str:fmt>", views.download, name="download"),
]
