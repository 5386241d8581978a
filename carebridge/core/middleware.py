"""Core middleware: no caching of personal data, numbers in URLs that name nothing, and server
timing for the benchmark in bench/.

NoStoreMiddleware and UrlNumbersMiddleware are always on (see their docstrings). ServerTimingMiddleware is off by default and
never for production.

Only when the environment sets SERVER_TIMING=true do the settings put ServerTimingMiddleware
first in MIDDLEWARE. It then adds two headers to every response:

- ``Server-Timing: app;dur=<ms>, db;dur=<ms>``: the time the request spent in Django (every
  middleware and the view) and, of that, in database queries;
- ``X-Query-Count: <n>``: how many database queries the request ran, on every connection.
"""

import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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


# A database integer column (SQLite's, PostgreSQL's bigint) holds nothing at or beyond 2**63.
LARGEST_ID = 2**63 - 1


class UrlNumbersMiddleware:
    """A number in a URL's path that no database column can hold names nothing: 404.

    `<int:pk>` accepts any run of digits, and a lookup with one beyond 64 bits fails in the
    database driver (SQLite: OverflowError; PostgreSQL: out of range), a 500. Checked here once
    for every URL the project has or will have, rather than in each view.
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
