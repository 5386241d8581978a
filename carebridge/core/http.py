"""Helpers for views."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from carebridge.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for the type checker."""

    htmx: HtmxDetails


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view that requires log-in (LoginRequiredMiddleware sees to it)."""
    user = request.user
    assert isinstance(user, User), "this view requires log-in"
    return user
