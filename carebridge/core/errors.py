"""Refusals, and the error pages in the GOV.UK style (which never say whether a hidden record
exists); refusals of a request recorded as security events; TRACE refused everywhere.

A request refused for who is asking (403), for an object the asker may not see or that is not
there (404 at a URL naming one: an access helper never says which), for sending too many (429,
django-ratelimit or the API's throttle) or for a failed CSRF check is a security event (ASVS 5.0
16.3.2, 16.3.3). `RefusalsMiddleware` sees every response, so no view can forget: it writes one
JSON line to the "carebridge.security" logger and announces `request_refused`, which the audit app
records in the log of the asker's organisation (core imports no app). An anonymous visitor's
refusal goes to the security log only. Neither ever names the object asked for, only the path
(with e-mailed links' tokens redacted, without the query string), the method, the address and
the user.

A flood (a script walking ids) is at most one event per asker (user, else address) and kind a
minute: the first is recorded, the rest are counted in the cache and that count goes into the
asker's next recorded event of the kind (`suppressed`), with one log line when counting begins.
"""

import contextlib
import errno
import ipaddress
import logging
import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from carebridge.core.logs import redact
from carebridge.core.ratelimits import client_ip


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


# --- Refusals as security events (see the module docstring) -----------------------------------

security_log = logging.getLogger("carebridge.security")

# Sent once a refusal is to be recorded (at most once a minute per asker and kind): kind, status,
# method, path (redacted), by (the logged-in user, else None), ip_address (else None),
# suppressed (how many of the asker's refusals of this kind went unrecorded since the last).
request_refused = Signal()

FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
CSRF_FAILED = "csrf_failed"

FLOOD_SECONDS = 60
# Unrecorded refusals are counted until the asker's next recorded one, however late.
_SUPPRESSED_SECONDS = 24 * 60 * 60
_MAX_PATH = 500
_MAX_METHOD = 16
_CSRF_MARK = "_carebridge_csrf_failed"


def mark_csrf_failure(request: HttpRequest) -> None:
    """Called by the CSRF failure view: its 403 is recorded as a CSRF failure, not as a refusal
    of the page itself."""
    setattr(request, _CSRF_MARK, True)


def refusal_kind(request: HttpRequest, response: HttpResponse) -> str | None:
    """Which kind of refusal the response is, or None. A 404 counts only at a URL that names
    something (its pattern takes arguments): an unknown address is not a refusal."""
    if getattr(request, _CSRF_MARK, False):
        return CSRF_FAILED
    status = response.status_code
    if status == 429:
        return RATE_LIMITED
    if status == 403:
        return FORBIDDEN
    match = getattr(request, "resolver_match", None)
    if status == 404 and match is not None and (match.args or match.kwargs):
        return NOT_FOUND
    return None


def _asker(request: HttpRequest) -> tuple[Any, str | None]:
    """The logged-in user (None for an anonymous visitor or a failed API key) and the address
    (None if it is not one). Read after the view: Django REST framework puts the API key's user
    on the request."""
    user = getattr(request, "user", None)
    by = user if getattr(user, "is_authenticated", False) else None
    try:
        address: str | None = str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        address = None
    return by, address


def _flood_key(kind: str, by: Any, address: str | None) -> str:
    who = f"user:{by.pk}" if by is not None else f"address:{address}"
    return f"security:refused:{kind}:{who}"


def _first_this_minute(key: str) -> bool:
    """True for the asker's first refusal of the kind this minute (an atomic add in the shared
    cache); else counts it as suppressed, saying so once."""
    try:
        if cache.add(key, 1, timeout=FLOOD_SECONDS):
            return True
    except Exception:  # the cache out of reach (Redis stopped): record every refusal meanwhile
        security_log.exception("Refusals not counted", extra={"security": {"key": key}})
        return True
    counter = f"{key}:suppressed"
    cache.add(counter, 0, timeout=_SUPPRESSED_SECONDS)
    try:
        suppressed = cache.incr(counter)
    except ValueError:  # expired between the add and the increment
        cache.add(counter, 1, timeout=_SUPPRESSED_SECONDS)
        suppressed = 1
    if suppressed == 1:
        security_log.info(
            "Further refusals suppressed",
            extra={"security": {"key": key, "seconds": FLOOD_SECONDS}},
        )
    return False


def _take_suppressed(key: str) -> int:
    """How many refusals went unrecorded since the last recorded one, taken off the count
    atomically (refusals counted meanwhile stay for the next event)."""
    counter = f"{key}:suppressed"
    try:
        suppressed = int(cache.get(counter, 0))
    except Exception:  # the cache out of reach: the count is lost with it
        return 0
    if suppressed:
        # Expired meanwhile: nothing is left to take off.
        with contextlib.suppress(ValueError):
            cache.decr(counter, suppressed)
    return suppressed


def refusal_record(request: HttpRequest, *, kind: str, status: int) -> None:
    """Log the refusal and announce it, unless the asker has had one of this kind recorded in
    the last minute (then it is only counted)."""
    by, address = _asker(request)
    key = _flood_key(kind, by, address)
    if not _first_this_minute(key):
        return
    event = {
        "kind": kind,
        "status": status,
        "method": (request.method or "")[:_MAX_METHOD],
        # The path as sent, percent-encoded (no control character reaches a log or a database),
        # without its query string: what someone searched for (a name, an NHS number) is not the
        # logs' to keep, and the audit log is read by the organisation's other administrators.
        "path": redact(request.get_full_path().split("?", 1)[0])[:_MAX_PATH],
        "suppressed": _take_suppressed(key),
    }
    security_log.warning(
        "Request refused",
        extra={"security": {**event, "user": by.pk if by is not None else None, "ip": address}},
    )
    for receiver, error in request_refused.send_robust(
        sender=None, by=by, ip_address=address, **event
    ):
        if isinstance(error, Exception):
            security_log.error(
                "Refusal not recorded by %s",
                getattr(receiver, "__qualname__", repr(receiver)),
                exc_info=(type(error), error, error.__traceback__),
            )


class RefusalsMiddleware:
    """Records every refused request (see the module docstring). After AuthenticationMiddleware,
    so that the user is known; every response of the views and of the middleware after it (the
    CSRF check, the rate limits' 429) passes back through here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = refusal_kind(request, response)
        if kind is not None:
            try:
                refusal_record(request, kind=kind, status=response.status_code)
            except Exception:  # the cache or the database out of reach: still refuse, not 500
                security_log.exception("Refusal not recorded", extra={"security": {"kind": kind}})
        return response


# TRACE (and Microsoft's TRACK) would echo a request back: no page answers them (ASVS 13.4.4),
# whatever its view does with a method it does not expect; nginx refuses them too.
REFUSED_METHODS = frozenset({"TRACE", "TRACK"})
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


class RefuseTraceMiddleware:
    """Answers 405 to TRACE and TRACK before any view: a function view that does not check its
    method would otherwise answer them as a GET."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (request.method or "").upper() in REFUSED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)
