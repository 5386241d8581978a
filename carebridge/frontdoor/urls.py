"""The front door's officer pages, under /front-door/."""

from django.urls import include, path

from carebridge.frontdoor.dashboard import urls as dashboard_urls
from carebridge.frontdoor.directory import urls as directory_urls
from carebridge.frontdoor.hubs import urls as hubs_urls
from carebridge.frontdoor.requests import urls as requests_urls

app_name = "frontdoor"

urlpatterns = [
    path("", include(requests_urls.officer_patterns)),
    path("", include(dashboard_urls.officer_patterns)),
    path("", include(directory_urls.officer_patterns)),
    path("", include(hubs_urls.officer_patterns)),
]
