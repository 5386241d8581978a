"""The feedback list and its export, and the old dashboard's address (now a permanent redirect
to the report it became): officer_patterns under /front-door/ ("frontdoor" URL namespace)."""

from django.urls import URLPattern, path

from carebridge.frontdoor.dashboard import views

officer_patterns: list[URLPattern] = [
    path("feedback/", views.feedback_page, name="feedback_list"),
    path("feedback/export/", views.feedback_export, name="feedback_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
