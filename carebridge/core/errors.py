"""Refusals, and the error pages in the GOV.UK style (which never say whether a hidden record
exists)."""

import errno
import logging
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class Refused(Exception):
    """A service will not do what it was asked, and nothing was written: `message` says why, in
    words the person who asked can act on. Each app names its own kinds (a referral's
    TransitionRefused, a document's DocumentRefused...), so a view catches the one it expects and
    shows its message against the form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Systems calling the API read JSON, in the API's own error shape, even for these errors.
API_PREFIX = "/api/"


def _api_error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "message": message, "fields": {}}}, status=status
    )


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "You do not have permission to do this.")
    return render(
        request, "core/error.html", {"title": "You cannot do this", "status": 403}, status=403
    )


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "There is nothing at this address.")
    return render(
        request, "core/error.html", {"title": "Page not found", "status": 404}, status=404
    )


# What the visitor is told to wait, in seconds: the shortest period any limit counts over.
RETRY_AFTER_SECONDS = 600


@login_not_required
def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A rate limit refused the request (carebridge.core.ratelimits): nothing was done."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = _api_error(429, "Too many requests. Wait a few minutes and try again.")
    else:
        response = render(
            request,
            "core/error.html",
            {
                "title": "Sorry, you have sent too many requests",
                "status": 429,
                # Residents asking for care may be in danger; officers and providers are not.
                "public": not getattr(request.user, "is_authenticated", False),
            },
            status=429,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


logger = logging.getLogger(__name__)

# A part the service runs on is out of reach (the database restarting, Redis stopped): the
# visitor is told the service is unavailable for now, not that something is broken.
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
# The disk is full (or over a quota, or past a file-size limit): nothing more can be written.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
UNAVAILABLE_RETRY_AFTER_SECONDS = 60


def _is_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, OSError) and error.errno in DISK_FULL:
        return True
    return isinstance(error, UNAVAILABLE)


def _without_page_shell(request: HttpRequest, context: dict[str, object]) -> str:
    """The error page without the page shell's context processors, which read the database
    (the user, their navigation, their actions waiting): when the database is what failed, they
    would fail again, and the visitor would get the web server's bare error instead."""
    return render_to_string("core/error.html", {**context, "request": request})


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    unavailable = _is_unavailable(error)
    status = 503 if unavailable else 500
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = _api_error(
            status, "Sorry, there is a problem with the service. Try again later."
        )
    else:
        title = (
            "Sorry, the service is unavailable"
            if unavailable
            else "Sorry, there is a problem with the service"
        )
        context: dict[str, object] = {"title": title, "status": status}
        if unavailable:
            response = HttpResponse(_without_page_shell(request, context), status=status)
        else:
            try:
                response = render(request, "core/error.html", context, status=status)
            except Exception:  # the page shell itself failed: show the page without it
                logger.exception("The error page's shell failed")
                response = HttpResponse(_without_page_shell(request, context), status=status)
    if unavailable:
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response
