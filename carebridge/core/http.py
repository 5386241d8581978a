"""Helpers for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from carebridge.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for the type checker."""

    htmx: HtmxDetails


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view that requires log-in (LoginRequiredMiddleware sees to it).

    The user model is reached through settings.AUTH_USER_MODEL, so every layer's views may ask
    for it without importing accounts."""
    user = request.user
    assert isinstance(user, get_user_model()), "this view requires log-in"
    return user
