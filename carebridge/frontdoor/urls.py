"""The front door's officer pages, under /front-door/."""

from django.urls import include, path

from carebridge.frontdoor import urls_directory, urls_hubs

app_name = "frontdoor"

urlpatterns = [
    path("", include(urls_directory.officer_patterns)),
    path("", include(urls_hubs.officer_patterns)),
]
