"""The bench's browser: HTTP requests with their own cookies and the Server-Timing the product
sends back, and the two steps of a log-in as a person does them."""

from __future__ import annotations

import html
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from bench.support import (
    HTTP_TIMEOUT,
    BenchError,
)

# --- HTTP ----------------------------------------------------------------------------------


class _EveryResponse(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it is: no exceptions for 4xx/5xx, no following redirects."""

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        return response

    https_response = http_response


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    wall_ms: float

    @property
    def app_ms(self) -> float:
        timing = self.headers.get("server-timing", "")
        match = re.search(r"(?:^|,)\s*app;dur=([0-9.]+)", timing)
        if match is None:
            raise BenchError(
                "the response has no Server-Timing app duration: is SERVER_TIMING=true reaching "
                f"the settings? (headers: {self.headers})"
            )
        return float(match.group(1))

    @property
    def db_ms(self) -> float:
        match = re.search(r"db;dur=([0-9.]+)", self.headers.get("server-timing", ""))
        return float(match.group(1)) if match else 0.0

    @property
    def queries(self) -> int:
        return int(self.headers.get("x-query-count", "-1"))


class Client:
    """One browser: its own cookies (session, CSRF), talking to the bench server."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = dict(headers or {})  # sent with every request, e.g. Authorization
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _EveryResponse()
        )

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=self.headers
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=HTTP_TIMEOUT) as reply:
                body = reply.read().decode("utf-8", "replace")
                status = reply.status
                headers = {key.lower(): value for key, value in reply.headers.items()}
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            raise BenchError(f"{method} {path} failed: {error}") from error
        wall_ms = (time.perf_counter() - started) * 1000
        return Response(status, headers, body, wall_ms)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self.request("POST", path, form)


def _csrf_token(response: Response, where: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', response.body)
    if match is None:
        raise BenchError(f"no CSRF token in the form of {where} (status {response.status})")
    return match.group(1)


def _page_errors(response: Response) -> str:
    """The error summary of a form page, as text, to explain a refused log-in."""
    match = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.body, re.S)
    if match is None:
        return "(no error summary on the page)"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def _expect_redirect(response: Response, to: str, step: str) -> None:
    location = urllib.parse.urlsplit(response.headers.get("location", "")).path
    if response.status != 302 or location != to:
        raise BenchError(
            f"{step}: expected a redirect to {to}, got {response.status} "
            f"{response.headers.get('location', '')}: {_page_errors(response)}"
        )


@dataclass
class LoginTiming:
    wall_ms: float  # the two POSTs, as the browser waits for them
    app_ms: float  # the same, as Django spent it


def log_in(base_url: str, email: str, password: str, passcode: str) -> tuple[Client, LoginTiming]:
    """Both steps of the log-in, as a browser does them; the client keeps the session."""
    client = Client(base_url)
    page = client.get("/accounts/login/")
    if page.status != 200:
        raise BenchError(f"GET /accounts/login/ answered {page.status}")
    first = client.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf_token(page, "/accounts/login/"),
            "email": email,
            "password": password,
        },
    )
    _expect_redirect(first, "/accounts/login/second-step/", f"log-in of {email}, password step")
    page = client.get("/accounts/login/second-step/")
    if page.status != 200:
        raise BenchError(f"GET /accounts/login/second-step/ for {email} answered {page.status}")
    second = client.post(
        "/accounts/login/second-step/",
        {
            "csrfmiddlewaretoken": _csrf_token(page, "/accounts/login/second-step/"),
            "passcode": passcode,
        },
    )
    _expect_redirect(second, "/", f"log-in of {email}, passcode step")
    timing = LoginTiming(first.wall_ms + second.wall_ms, first.app_ms + second.app_ms)
    return client, timing
