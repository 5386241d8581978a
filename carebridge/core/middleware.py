"""Core middleware: no caching of personal data, bounds on what a URL carries, the API refused
over plain HTTP, and server timing for the benchmark in bench/.

NoStoreMiddleware, UrlBoundsMiddleware and PlainHttpApiMiddleware are always on (see their
docstrings).
ServerTimingMiddleware is off by default and never for production.

Only when the environment sets SERVER_TIMING=true do the settings put ServerTimingMiddleware
first in MIDDLEWARE. It then adds two headers to every response:

- ``Server-Timing: app;dur=<ms>, db;dur=<ms>``: the time the request spent in Django (every
  middleware and the view) and, of that, in database queries;
- ``X-Query-Count: <n>``: how many database queries the request ran, on every connection.
"""

import re
import time
from collections.abc import Callable
from contextlib import ExitStack
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from carebridge.core.bounds import LARGEST_ID, has_control_characters

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


class _QueryCounter:
    """A database execute wrapper that counts queries and adds up the time they take."""

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


class ServerTimingMiddleware:
    """Adds Server-Timing and X-Query-Count headers; for bench/ only (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            started = time.perf_counter()
            response = self.get_response(request)
            app_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={app_ms:.2f}, db;dur={counter.seconds * 1000:.2f}"
        response["X-Query-Count"] = str(counter.count)
        return response


class PlainHttpApiMiddleware:
    """An API call over plain HTTP is refused (403, the API's JSON error), never redirected.

    A client that follows a redirect to HTTPS has already sent its key in clear, so the paths
    SECURE_SSL_REDIRECT leaves out (SECURE_REDIRECT_EXEMPT: the API) are answered with an error
    that tells its developer to use HTTPS; browsers' pages are still redirected. Only where the
    redirect is on (production): development and the demo serve plain HTTP on loopback.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            path = request.path.lstrip("/")
            if any(pattern.search(path) for pattern in self.exempt):
                return JsonResponse(PLAIN_HTTP_API_ERROR, status=403)
        return self.get_response(request)


# The API's own error shape (carebridge.integrations.api.exception_handler); nginx's port 80
# answers the same body (deploy/nginx/carebridge.conf).
PLAIN_HTTP_API_ERROR = {
    "error": {
        "status": 403,
        "message": "Use HTTPS: the API does not answer over plain HTTP. If this call carried "
        "a key, it went unencrypted: revoke it and make a new one.",
        "fields": {},
    }
}


class NoStoreMiddleware:
    """Tells browsers and proxies to keep no copy of a response that may carry personal data.

    That is every response to a logged-in user or to a system calling with a key (pages, CSV and
    Excel downloads, PDFs, attachments, errors), and every page of the URL namespaces in
    NO_STORE_NAMESPACES (the public front door, whose pages show a person's answers, booking or
    tracking without a log-in). A shared computer's back button or disk cache then shows nothing.
    Static files never get here: WhiteNoise answers them earlier, and they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.namespaces = frozenset(settings.NO_STORE_NAMESPACES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before the view too: Django REST framework's views replace request.user.
        signed_in = self._signed_in(request)
        response = self.get_response(request)
        if signed_in or self._signed_in(request) or self._private(request):
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated

    def _private(self, request: HttpRequest) -> bool:
        if "HTTP_AUTHORIZATION" in request.META:
            return True
        match = request.resolver_match
        return match is not None and not self.namespaces.isdisjoint(match.namespaces)


class UrlBoundsMiddleware:
    """What a URL carries is bounded before any view reads it, once for every URL.

    A number in the path that no database column can hold (`<int:pk>` takes any run of digits)
    names nothing: 404, where a lookup would fail in the driver (SQLite: OverflowError;
    PostgreSQL: out of range); so does a path part with a control character (a reference, a
    token). A query parameter with a control character in its name or value
    is ignored, as a filter ignores a value that is not one of its choices: PostgreSQL cannot
    compare text with a NUL, and no link or form of the portal sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST_ID:
                raise Http404("No such page")
            if isinstance(value, str) and has_control_characters(value):
                raise Http404("No such page")
        if any(
            has_control_characters(name) or any(has_control_characters(v) for v in values)
            for name, values in request.GET.lists()
        ):
            request.GET = _without_control_characters(request.GET)


def _without_control_characters(query: QueryDict) -> "_ImmutableQueryDict":
    return QueryDict(
        urlencode(
            [
                (name, value)
                for name, values in query.lists()
                if not has_control_characters(name)
                for value in values
                if not has_control_characters(value)
            ]
        )
    )


# The request being answered, for the few things that must say who did them but are reached
# through code that has no request: an upload's check runs in a form's clean(), and an infected
# file is audited against the person who sent it. Set for the request's length, then cleared.
_acting_request: ContextVar[HttpRequest | None] = ContextVar("acting_request", default=None)


def acting_request() -> HttpRequest | None:
    """The request this code is answering, or None outside a request (a task, a command)."""
    return _acting_request.get()


class ActingRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _acting_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _acting_request.reset(token)
