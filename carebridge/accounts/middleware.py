"""Ends a session after a spell without activity (30 minutes unless configured otherwise)."""

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


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            current = time.time()
            last_seen = request.session.get("last_seen", current)
            if current - last_seen > settings.SESSION_IDLE_SECONDS:
                user = request.user
                logout(request)
                if isinstance(user, User):
                    services.logout_record(user=user, timed_out=True)
                messages.info(
                    request,
                    f"You were logged out because you had not used the portal for "
                    f"{settings.SESSION_IDLE_SECONDS // 60} minutes.",
                )
                if request.headers.get("HX-Request"):
                    # A page refreshing itself gets the whole browser sent to log in, not the
                    # log-in page pasted into the list.
                    return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
                return redirect(settings.LOGIN_URL)
            # A list refreshing itself every 30 seconds is not someone using the portal: HTMX
            # only adds liveliness here, so only full page requests keep the session alive.
            if request.headers.get("HX-Request") and "last_seen" in request.session:
                return self.get_response(request)
            if current - last_seen >= _TOUCH_EVERY_SECONDS or "last_seen" not in request.session:
                request.session["last_seen"] = current
        return self.get_response(request)
