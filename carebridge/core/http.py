"""Helpers for views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.middleware import HtmxDetails

from carebridge.core.bounds import has_control_characters

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


def return_path(value: str | None) -> str | None:
    """Where a page that sent the user elsewhere wants them back (a dispute's rows to amend, the
    page a council was switched from): a path of this site only, bounded, or None (an address
    elsewhere is ignored)."""
    if not value or len(value) > 300 or not value.startswith("/") or value.startswith("//"):
        return None
    if has_control_characters(value) or "\\" in value:
        return None
    return value if url_has_allowed_host_and_scheme(value, allowed_hosts=None) else None
