"""Request logs never carry the secrets of e-mailed links.

Every link that carries a token (a password or passcode reset, a new account's set-up, a
resident's tracking link, a hub appointment's confirm and manage links) is a one-hop door: its
view keeps the token in the session and redirects at once to the same page with `LINK_OPENED` in
the token's place. Only that first request has the token in its path, and these helpers keep it
out of the log lines written about it: `redact` for any path, URL or request line,
`GunicornLogger` for gunicorn's access log, `RedactTokens` for Django's own loggers.
`JsonLines` writes the security log ("carebridge.security") as one JSON object a line, redacted.

`TOKEN_PATHS` names the token URLs by their paths, not their views, because core imports no app;
`core/tests/test_logs.py` walks every URL of the project and fails when a route taking a `token`
or `key` is not covered here.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# The path segment a token link's page carries once its token is in the session. It is no
# secret, and keeping it readable in the logs tells the door's hop from the page's own requests.
LINK_OPENED = "continue"

# One regex per token URL; the group `token` is the secret segment. Not anchored at the start, so
# they also match inside a request line ("GET /accounts/… HTTP/1.1") or a full URL.
TOKEN_PATHS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        r"/accounts/reset/(?:password|passcode)/(?P<token>[^/?#\s]+)",
        r"/accounts/set-up/(?P<token>[^/?#\s]+)",
        r"/accounts/account/email/confirm/(?P<token>[^/?#\s]+)",
        r"/care-and-support/[^/?#\s]+/track/link/(?P<token>[^/?#\s]+)",
        r"/care-and-support/[^/?#\s]+/appointments/(?:confirm|booking)/(?P<token>[^/?#\s]+)",
    )
)

# A query parameter whose name ends in one of these words (after "_" or "-", or alone) is taken
# for a secret: `token`, `access_token`, `api-key`, OAuth's `code` and `state`, `sig`, `t`;
# `postcode` is not.
_REDACTED_WORDS = "token|key|signature|sig|secret|password|passcode|code|state|t"
_SECRET_NAME = rf"(?:[\w.-]*[_-])?(?:{_REDACTED_WORDS})"
_SECRET_QUERY = re.compile(rf"(?P<name>(?:^|[?&;]){_SECRET_NAME}=)(?P<value>[^&;#\s]*)", re.I)


def _redact_segment(match: re.Match[str]) -> str:
    whole, token = match.group(0), match.group("token")
    if token == LINK_OPENED:
        return whole
    start = match.start("token") - match.start(0)
    return whole[:start] + REDACTED + whole[start + len(token) :]


def redact_query(query: str) -> str:
    """A bare query string (gunicorn's `q`, `QUERY_STRING`) with its secret-looking values
    replaced."""
    return _SECRET_QUERY.sub(lambda m: m.group("name") + REDACTED, query)


def redact(path_or_url: str) -> str:
    """A path, URL or request line with every token URL's token segment and every secret-looking
    query value replaced by `[redacted]`."""
    redacted = path_or_url
    for pattern in TOKEN_PATHS:
        redacted = pattern.sub(_redact_segment, redacted)
    if "?" in redacted:
        path, _, rest = redacted.partition("?")
        redacted = f"{path}?{redact_query(rest)}"
    return redacted


# gunicorn's atoms that carry the request's path, query, or another URL (the Referer, where a
# page opened at a token URL would leak it; the Location of a redirect).
_PATH_ATOMS = (
    *("r", "U", "f", "{raw_uri}e", "{path_info}e", "{request_uri}e", "{http_referer}e"),
    *("{referer}i", "{location}o"),
)
_QUERY_ATOMS = ("q", "{query_string}e")


class GunicornLogger(Logger):
    """gunicorn's logger with the access log's paths, queries and URLs redacted: every format
    (`%(r)s`, `%(U)s`, `%(q)s`, `%({raw_uri}e)s`, the Referer) reads from these atoms. Its error
    log, which names a request's URI when handling it fails, goes through `RedactTokens`."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(each, RedactTokens) for each in self.error_log.filters):
            self.error_log.addFilter(RedactTokens())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name in _PATH_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact(atoms[name])
        for name in _QUERY_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = redact_query(atoms[name])
        # A CR or LF in a requested path (`/x%0d%0a…`, decoded by gunicorn) would start a forged
        # line of its own: every text atom has its control characters written as escapes.
        for name, value in atoms.items():
            if isinstance(value, str):
                atoms[name] = escape_controls(value)
        return atoms


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(value: str) -> str:
    """`value` with each control character as its Python escape (`\\r`, `\\x00`): one line."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), value)


class RedactTokens(logging.Filter):
    """For Django's `django.request` and `django.server` loggers, whose messages name the path
    ("Not Found: /accounts/set-up/…/", '"GET /accounts/set-up/…/ HTTP/1.1" 302 0'): the message
    is formatted once here and redacted, so no handler sees the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


# What every LogRecord carries of itself: the rest (a logger call's `extra`) is the event's own.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class JsonLines(logging.Formatter):
    """One JSON object a line, for a log processor (ASVS 16.2.4): the time in UTC, the level,
    the logger, the message and each field the call gave as `extra` (the security log's
    `security`: kind, status, method, path, user, ip...), every string redacted. Non-ASCII and
    control characters are escaped, so a line is always one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and not name.startswith("_"):
                entry[name] = _redacted(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str, sort_keys=False)
