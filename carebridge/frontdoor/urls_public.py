"""The front door's public pages (no log-in), under /care-and-support/<council>/."""

from django.urls import include, path

from carebridge.frontdoor import urls_directory, urls_hubs, views_public

app_name = "care"

urlpatterns = [
    path("<slug:council>/", views_public.start, name="start"),
    path("<slug:council>/questions/<slug:slug>/", views_public.question, name="question"),
    path("<slug:council>/check-your-answers/", views_public.check, name="check"),
    path("<slug:council>/result/", views_public.result, name="result"),
    path("<slug:council>/get-help-now/", views_public.urgent_help, name="urgent"),
    path("<slug:council>/track/", views_public.track, name="track"),
    path("<slug:council>/track/link/<str:token>/", views_public.track_link, name="track_link"),
    path("<slug:council>/track/<str:reference>/", views_public.track_detail, name="track_detail"),
    path("<slug:council>/feedback/", views_public.feedback, name="feedback"),
    path("<slug:council>/", include(urls_directory.public_patterns)),
    path("<slug:council>/", include(urls_hubs.public_patterns)),
]
