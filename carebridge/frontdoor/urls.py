"""The front door's officer pages, under /front-door/."""

from django.urls import include, path

from carebridge.frontdoor import (
    urls_dashboard,
    urls_directory,
    urls_hubs,
    views,
    views_feedback,
    views_settings,
)

app_name = "frontdoor"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/<slug:step>/", views.request_step, name="request_step"),
    path("settings/", views_settings.settings_edit, name="settings"),
    path("settings/open-or-close/", views_settings.open_close, name="open_close"),
    path("connections/", views_settings.connections, name="connections"),
    path("feedback/", views_feedback.feedback_page, name="feedback_list"),
    path("feedback/export/", views_feedback.feedback_export, name="feedback_export"),
    path("", include(urls_dashboard.officer_patterns)),
    path("", include(urls_directory.officer_patterns)),
    path("", include(urls_hubs.officer_patterns)),
]
