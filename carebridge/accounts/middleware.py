"""Ends a session after a spell without activity (30 minutes unless configured otherwise), and
any session some hours after its log-in however busy it is (12 unless configured otherwise)."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect

from carebridge.accounts import services
from carebridge.accounts.models import User

# Saving the session on every request would write to the database on every page view.
_TOUCH_EVERY_SECONDS = 60


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            current = time.time()
            # A session from before the lifetime was recorded counts from now.
            logged_in_at = request.session.setdefault("logged_in_at", current)
            if current - logged_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                return self._end(
                    request,
                    f"You were logged out because you logged in more than "
                    f"{_hours(settings.SESSION_ABSOLUTE_SECONDS)} ago. Log in again to carry on.",
                    why="lifetime",
                )
            last_seen = request.session.get("last_seen", current)
            if current - last_seen > settings.SESSION_IDLE_SECONDS:
                return self._end(
                    request,
                    f"You were logged out because you had not used the portal for "
                    f"{settings.SESSION_IDLE_SECONDS // 60} minutes.",
                    why="idle",
                )
            # A list refreshing itself every 30 seconds is not someone using the portal: HTMX
            # only adds liveliness here, so only full page requests keep the session alive.
            if request.headers.get("HX-Request") and "last_seen" in request.session:
                return self.get_response(request)
            if current - last_seen >= _TOUCH_EVERY_SECONDS or "last_seen" not in request.session:
                request.session["last_seen"] = current
        return self.get_response(request)

    def _end(self, request: HttpRequest, message: str, *, why: str) -> HttpResponse:
        """Log out (the session is deleted, and its record with it), say why, go to log in."""
        user = request.user
        logout(request)
        if isinstance(user, User):
            services.logout_record(user=user, timed_out=True, why=why)
        messages.info(request, message)
        if request.headers.get("HX-Request"):
            # A page refreshing itself gets the whole browser sent to log in, not the
            # log-in page pasted into the list.
            return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
        return redirect(settings.LOGIN_URL)
