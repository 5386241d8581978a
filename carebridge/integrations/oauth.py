"""The one OAuth 2.0 client-credentials token request (RFC 6749, section 4.4) the adapters share:
Dataverse signs in with a client secret, PDS with a signed-JWT client assertion; both post a
form to the token endpoint and keep the bearer token in Django's cache until shortly before it
expires.

    POST <token_url>   Content-Type: application/x-www-form-urlencoded, the adapter's form;
                       answers 200 {"access_token", "expires_in" (seconds, a number or a
                       string of digits), "token_type": "Bearer" (when given)}

The adapter sends the request through its own `send` (the address guard, `core.outbound.
open_url`, with its bounds and its own mapping of a failure to connect), and maps the two
refusals here to its own errors: `TokenRefused` (the endpoint answered, but not 200: its status
and reason) and `TokenUnusable` (a 200 without a token that can be sent in a header)."""

from __future__ import annotations

import json
import math
import re
import urllib.request
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from django.core.cache import cache

MAX_TOKEN_LENGTH = 16 * 1024
# An expires_in beyond a day is believed as a day.
LONGEST_LIFETIME = timedelta(days=1)
# A token is sent in a header as it is: no space, no control character.
_NOT_IN_A_TOKEN = re.compile(r"[\x00-\x20\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Answer(Protocol):
    """What the adapter's `send` gives back: any HTTP answer, its status and (bounded) body."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...


class TokenRefused(Exception):
    """The token endpoint answered, but not 200: its status, and its OAuth error and
    description (one line each, cut), for the adapter's message."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"the token endpoint answered {status} {error}".strip())
        self.status = status
        self.error = error
        self.description = description


class TokenUnusable(Exception):
    """A 200 from the token endpoint without a bearer token that can be used."""


def _line(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else ""
    return " ".join(_CONTROL.sub(" ", text).split())[:limit].strip()


def _lifetime(value: Any) -> int:
    """expires_in in seconds (a JSON number or a string of digits); 0 when unreadable."""
    if isinstance(value, bool):
        return 0
    if (isinstance(value, int | float) and math.isfinite(value)) or (
        isinstance(value, str) and value.strip().isdecimal() and len(value) <= 12
    ):
        seconds = int(value)
    else:
        return 0
    return max(0, min(seconds, int(LONGEST_LIFETIME.total_seconds())))


def client_credentials_token(
    *,
    token_url: str,
    form: Callable[[], Mapping[str, str]],
    cache_key: str,
    send: Callable[[urllib.request.Request], Answer],
    user_agent: str,
    margin: timedelta,
    fresh: bool = False,
) -> str:
    """The bearer token: from the cache unless `fresh`, else asked for with the form (built
    only then: a client assertion is signed for each request) and kept until `margin` (at most
    a fifth of its life) before it expires."""
    if not fresh:
        cached = cache.get(cache_key)
        if isinstance(cached, str) and cached:
            return cached
    request = urllib.request.Request(  # noqa: S310 (the adapter's send checks the address)
        token_url,
        data=urlencode(dict(form())).encode("ascii"),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": user_agent,
        },
    )
    answer = send(request)
    try:
        data = json.loads(answer.body or b"{}")
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if answer.status != 200:
        raise TokenRefused(
            answer.status, _line(data.get("error"), 60), _line(data.get("error_description"), 300)
        )
    token = data.get("access_token")
    token_type = data.get("token_type", "Bearer")
    if (
        not isinstance(token, str)
        or not token
        or len(token) > MAX_TOKEN_LENGTH
        or _NOT_IN_A_TOKEN.search(token)
        or not isinstance(token_type, str)
        or token_type.lower() != "bearer"
    ):
        raise TokenUnusable("the token endpoint gave no usable token")
    lifetime = _lifetime(data.get("expires_in"))
    keep = lifetime - min(margin.total_seconds(), lifetime / 5)
    if keep >= 1:
        cache.set(cache_key, token, timeout=int(keep))
    return token
