"""The URLs of front-door requests: officer_patterns under /front-door/ ("frontdoor" URL
namespace: the queue, a request, its triage steps and the settings) and public_patterns under
/care-and-support/<council>/ ("care" namespace: the questions, the result, tracking and
feedback)."""

from django.urls import URLPattern, path

from carebridge.frontdoor.requests.views import officer, public, settings

officer_patterns: list[URLPattern] = [
    path("", officer.request_list, name="request_list"),
    path("requests/<int:pk>/", officer.request_detail, name="request_detail"),
    path("requests/<int:pk>/<slug:step>/", officer.request_step, name="request_step"),
    path("settings/", settings.settings_edit, name="settings"),
    path("settings/open-or-close/", settings.open_close, name="open_close"),
    path("settings/teams/new/", settings.team_edit, name="team_new"),
    path("settings/teams/<int:pk>/", settings.team_edit, name="team_edit"),
    path("settings/teams/<int:pk>/remove/", settings.team_remove, name="team_remove"),
    path("connections/", settings.connections, name="connections"),
]

public_patterns: list[URLPattern] = [
    path("", public.start, name="start"),
    path("questions/<slug:slug>/", public.question, name="question"),
    path("check-your-answers/", public.check, name="check"),
    path("result/", public.result, name="result"),
    path("get-help-now/", public.urgent_help, name="urgent"),
    path("track/", public.track, name="track"),
    path("track/link/<str:token>/", public.track_link, name="track_link"),
    path("track/<str:reference>/", public.track_detail, name="track_detail"),
    path("feedback/", public.feedback, name="feedback"),
]
