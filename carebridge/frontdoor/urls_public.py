"""The front door's public pages (no log-in), under /care-and-support/<council>/."""

from django.urls import include, path

from carebridge.frontdoor import urls_directory, urls_hubs, views_public

app_name = "care"

urlpatterns = [
    path("<slug:council>/", views_public.start, name="start"),
    path("<slug:council>/", include(urls_directory.public_patterns)),
    path("<slug:council>/", include(urls_hubs.public_patterns)),
]
