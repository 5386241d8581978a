"""Filled in by issue 20."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
