"""Reports under /reports/ ("reports" URL namespace)."""

from django.urls import path

from carebridge.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.report_page, name="report"),
    path("<slug:slug>/download.<str:fmt>", views.download, name="download"),
]
