"""The council's front-door dashboard and the feedback list: officer_patterns under
/front-door/ ("frontdoor" URL namespace)."""

from django.urls import URLPattern, path

from carebridge.frontdoor.dashboard import views

officer_patterns: list[URLPattern] = [
    path("feedback/", views.feedback_page, name="feedback_list"),
    path("feedback/export/", views.feedback_export, name="feedback_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
