"""The front door's public pages (no log-in), under /care-and-support/<council>/."""

from django.urls import include, path

from carebridge.frontdoor.directory import urls as directory_urls
from carebridge.frontdoor.hubs import urls as hubs_urls
from carebridge.frontdoor.requests import urls as requests_urls

app_name = "care"

urlpatterns = [
    path("<slug:council>/", include(requests_urls.public_patterns)),
    path("<slug:council>/", include(directory_urls.public_patterns)),
    path("<slug:council>/", include(hubs_urls.public_patterns)),
]
