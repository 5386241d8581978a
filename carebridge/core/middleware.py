"""Server timing for the benchmark in bench/: off by default, never for production.

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

from django.db import connections
from django.http import HttpRequest, HttpResponse


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
