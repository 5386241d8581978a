"""The council's front-door dashboard: officer_patterns under /front-door/ ("frontdoor" URL
namespace)."""

from django.urls import URLPattern, path

from carebridge.frontdoor import views_dashboard

officer_patterns: list[URLPattern] = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
