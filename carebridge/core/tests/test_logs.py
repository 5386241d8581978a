"""Request logs never carry the tokens of e-mailed links: `redact` on every token URL of the
project (found by walking the URL patterns, so a new one cannot be forgotten) and on query
strings, Django's loggers through `RedactTokens`, and a real gunicorn's access log through
`GunicornLogger`."""

import http.client
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from carebridge.core.logs import (
    LINK_OPENED,
    REDACTED,
    TOKEN_PATHS,
    GunicornLogger,
    RedactTokens,
    redact,
    redact_query,
)

SECRET = "Zx9SeCrEtTok3n"
TOKEN_VIEWS = {
    "accounts:reset_password",
    "accounts:reset_passcode",
    "accounts:set_up",
    "care:track_link",
    "care:appointment_confirm",
    "care:appointment_detail",
    "care:appointment_cancel",
}


def _kwargs_of(pattern: URLPattern | URLResolver) -> dict[str, object]:
    route = pattern.pattern
    converters = getattr(route, "converters", None)
    if converters is not None:
        return dict(converters)
    return dict.fromkeys(route.regex.groupindex)


def _routes(
    resolver: URLResolver, namespace: str = "", kwargs: dict | None = None
) -> Iterator[tuple[str | None, dict[str, object]]]:
    """Every URL pattern of the project: its namespaced name and the kwargs it takes (each with
    its converter, or None for a regex group)."""
    for entry in resolver.url_patterns:
        taken = {**(kwargs or {}), **_kwargs_of(entry)}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner, taken)
        else:
            yield (f"{namespace}{entry.name}" if entry.name else None), taken


def _takes_a_secret(name: str) -> bool:
    return name in ("token", "key") or name.endswith(("_token", "_key"))


def token_routes() -> dict[str | None, str]:
    """Each route taking a token or key, with an example path whose secret is SECRET."""
    found: dict[str | None, str] = {}
    for name, kwargs in _routes(get_resolver()):
        if not any(_takes_a_secret(kwarg) for kwarg in kwargs):
            continue
        example = {
            kwarg: SECRET
            if _takes_a_secret(kwarg)
            else (7 if isinstance(converter, IntConverter) else "northshire")
            for kwarg, converter in kwargs.items()
        }
        found[name] = reverse(name, kwargs=example) if name else ""
    return found


# --- redact ------------------------------------------------------------------------------------


def test_it_finds_every_token_url_of_the_project():
    assert set(token_routes()) >= TOKEN_VIEWS


def test_every_route_that_takes_a_token_or_key_is_redacted():
    problems = []
    for name, path in token_routes().items():
        if name is None:
            problems.append("a route taking a token has no name, so it cannot be checked")
            continue
        for line in (path, f"GET {path}?page=2 HTTP/1.1", f"https://portal.example.org{path}"):
            if SECRET in redact(line) or REDACTED not in redact(line):
                problems.append(f"{name}: {redact(line)}")
    assert problems == []


def test_every_token_path_pattern_names_a_route_of_the_project():
    paths = token_routes().values()
    for pattern in TOKEN_PATHS:
        assert any(pattern.search(path) for path in paths), pattern.pattern


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("/accounts/reset/password/abc-DEF_123/", "/accounts/reset/password/[redacted]/"),
        ("/accounts/reset/passcode/abc-DEF_123/", "/accounts/reset/passcode/[redacted]/"),
        ("/accounts/set-up/abc-DEF_123/", "/accounts/set-up/[redacted]/"),
        (
            "/care-and-support/northshire/track/link/MTI:1tX:abc/",
            "/care-and-support/northshire/track/link/[redacted]/",
        ),
        (
            "/care-and-support/northshire/appointments/confirm/a:b:c/",
            "/care-and-support/northshire/appointments/confirm/[redacted]/",
        ),
        (
            "/care-and-support/northshire/appointments/booking/a:b:c/cancel/",
            "/care-and-support/northshire/appointments/booking/[redacted]/cancel/",
        ),
        (
            'GET /accounts/set-up/abc/?next=/home/ HTTP/1.1" 302',
            'GET /accounts/set-up/[redacted]/?next=/home/ HTTP/1.1" 302',
        ),
    ],
)
def test_it_redacts_the_token_segment_of_each_token_url(logged, kept):
    assert redact(logged) == kept


def test_it_keeps_the_page_a_door_opens_readable():
    for path in (
        "/accounts/set-up/continue/",
        "/care-and-support/northshire/appointments/booking/continue/cancel/",
    ):
        assert LINK_OPENED in path
        assert redact(path) == path


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("token=abc&next=/", "token=[redacted]&next=/"),
        ("code=4/0Ab&state=xyz", "code=[redacted]&state=[redacted]"),
        ("api_key=1&access-token=2&Signature=3&sig=4&t=5", None),
        ("postcode=LS1+4AP&page=2&council=7", "postcode=LS1+4AP&page=2&council=7"),
        ("tab=open&type=x", "tab=open&type=x"),
    ],
)
def test_it_redacts_query_values_whose_names_look_like_secrets(query, kept):
    expected = kept or "api_key=[redacted]&access-token=[redacted]&Signature=[redacted]" + (
        "&sig=[redacted]&t=[redacted]"
    )
    assert redact_query(query) == expected
    assert redact(f"/accounts/login/?{query}") == f"/accounts/login/?{expected}"
    assert redact(f"GET /x/?{query} HTTP/1.1") == f"GET /x/?{expected} HTTP/1.1"


# --- Django's loggers --------------------------------------------------------------------------


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def django_request_log():
    logger = logging.getLogger("django.request")
    kept, redacting = Kept(), RedactTokens()
    logger.addHandler(kept)
    logger.addFilter(redacting)
    yield kept
    logger.removeFilter(redacting)
    logger.removeHandler(kept)


@pytest.mark.django_db
def test_djangos_not_found_line_carries_no_token(django_request_log):
    response = Client().get(f"/accounts/set-up/{SECRET}/more/?token={SECRET}")
    assert response.status_code == 404
    assert django_request_log.lines == ["Not Found: /accounts/set-up/[redacted]/more/"]


def test_the_development_servers_request_line_carries_no_token():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        (f"GET /accounts/reset/password/{SECRET}/?sig={SECRET} HTTP/1.1", "302", "0"), None,
    )  # fmt: skip
    assert RedactTokens().filter(record)
    assert record.getMessage() == (
        '"GET /accounts/reset/password/[redacted]/?sig=[redacted] HTTP/1.1" 302 0'
    )


def test_a_line_without_a_token_is_left_as_it_was():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/nowhere/",), None
    )
    assert RedactTokens().filter(record)
    assert (record.msg, record.args) == ("Not Found: %s", ("/nowhere/",))


# --- gunicorn's access log ---------------------------------------------------------------------

# Every atom that can hold the request's path, query or a URL.
ACCESS_FORMAT = "%(r)s|%(U)s|%(q)s|%(f)s|%({raw_uri}e)s|%({referer}i)s|%({location}o)s|%(s)s"


def free_port() -> int:
    for port in range(18100, 18200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


def production_env(data: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "carebridge.settings",
        "CAREBRIDGE_DATA_DIR": str(data),
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": "k" * 20 + "-a-secret-key-for-the-access-log-test-0123456789abcdef",
        # Only so that static files need no collectstatic here (and hashing is quick).
        "CAREBRIDGE_TESTING": "true",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return env


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def ask(port: int, path: str, headers: dict[str, str] | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_a_real_gunicorns_access_log_holds_no_token(tmp_path):
    env = production_env(tmp_path)
    migrated = subprocess.run(
        [sys.executable, "-m", "carebridge", "migrate", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    port, access, errors = free_port(), tmp_path / "access.log", tmp_path / "error.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "carebridge.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--logger-class", "carebridge.core.logs.GunicornLogger",
         "--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT,
         "--error-logfile", str(errors)],
        env=env,
    )  # fmt: skip
    try:
        wait_until_serving(port, server)
        paths = [path for name, path in token_routes().items() if name]
        paths += [f"/accounts/login/?token={SECRET}&next=/", f"/healthz?key={SECRET}"]
        paths += [f"/accounts/sso/callback/?code={SECRET}&state={SECRET}"]
        statuses = [ask(port, path) for path in paths]
        referred = f"http://127.0.0.1:{port}{paths[0]}?sig={SECRET}"
        statuses.append(ask(port, "/accounts/login/", {"Referer": referred}))
        # A CR LF in the path must not start a forged line (docs/security.md, 16.4.1).
        forged = ask(port, "/y%0d%0aforged-line")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert all(status < 500 for status in statuses), statuses
    assert forged == 404
    *lines, forged_line = access.read_text().splitlines()
    assert "|/y\\r\\nforged-line|" in forged_line, forged_line
    assert len(lines) == len(statuses)
    assert not [line for line in lines if SECRET in line]
    assert all(REDACTED in line for line in lines), lines
    assert SECRET not in errors.read_text()


def test_gunicorns_error_log_redacts_the_uri_it_names():
    class Config:
        loglevel, errorlog, accesslog, capture_output = "info", "-", None, False
        logconfig = logconfig_dict = logconfig_json = syslog = None
        disable_redirect_access_to_syslog = False
        use_local_time = False

    logger = GunicornLogger(Config())
    kept = Kept()
    logger.error_log.addHandler(kept)
    try:
        logger.error("Error handling request %s", f"/accounts/set-up/{SECRET}/")
    finally:
        logger.error_log.removeHandler(kept)
    assert kept.lines == ["Error handling request /accounts/set-up/[redacted]/"]
