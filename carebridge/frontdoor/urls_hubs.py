"""The hubs pages: officer_patterns under /front-door/, public_patterns under
/care-and-support/<council>/ (both in the "frontdoor" URL namespace)."""

from django.urls import URLPattern

officer_patterns: list[URLPattern] = []
public_patterns: list[URLPattern] = []
