"""Helpers for views that act for the logged-in user."""

from django.http import HttpRequest

from carebridge.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a view that requires log-in (LoginRequiredMiddleware sees to it)."""
    user = request.user
    assert isinstance(user, User), "this view requires log-in"
    return user
