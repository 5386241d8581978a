"""Rate limits on public and e-mail-sending endpoints (django-ratelimit on Django's cache).

A person never comes near these numbers; a script flooding a public form, holding every hub slot
or making the portal send e-mails to made-up addresses does. Each limit counts POSTs only, per
client address and, where a person or an address is named, per that too. Over a limit the view is
not run at all and the visitor gets the "too many requests" page (429), so nothing is written and
nothing is sent. The counts live in the cache: Redis when REDIS_URL is set (shared by every web
process), else this process's memory (the demo runs one web process).

When the cache cannot be reached (Redis stopped), a group in FAIL_OPEN_GROUPS lets the request go
on uncounted and says so in the security log; every other group fails closed: the error reaches
the "service unavailable" page (503, carebridge.core.errors) and the view is not run.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

View = TypeVar("View", bound=Callable[..., Any])

# Each group's limits: (what is counted, how many per period). "ip" is the client address
# (client_ip below), "user" the logged-in account, "post:<field>" a value the form names.
LIMITS: dict[str, tuple[tuple[str, str], ...]] = {
    # Lock-out stops guessing one account; this stops one address trying many accounts.
    "log-in": (("ip", "30/10m"),),
    "password-reset": (("ip", "5/15m"), ("post:email", "3/h")),
    # A resident, a family member or a professional sends a few requests, not dozens.
    "front-door-send": (("ip", "5/10m"), ("ip", "20/d")),
    # Reference and e-mail address together grant a request's page: slow any guessing.
    "front-door-track": (("ip", "10/10m"),),
    "front-door-email": (("ip", "5/h"),),
    "front-door-feedback": (("ip", "10/h"),),
    # Holding a slot takes it from everyone else for 30 minutes.
    "hub-booking": (("ip", "5/h"),),
    # Links e-mailed to a person (resets, set-up, appointment confirm and cancel) are long random
    # tokens; this only stops a script trying them by the thousand.
    "e-mailed-link": (("ip", "30/h"),),
    # Logged-in actions that e-mail other people.
    "e-mail-sending": (("user", "60/10m"),),
    # Changing one's own e-mail address e-mails a link to any address typed in.
    "email-change": (("user", "5/h"), ("post:email", "3/h")),
}

# Groups that let a request through uncounted while the cache is out of reach. Log-in: else a
# Redis outage locks every officer and provider out of the portal, and guessing stays bounded by
# each account's lock-out, a conditional write in the database (accounts.services.lockout).
# E-mailed links: they are how a locked-out person gets back in (reset) or a new one in (set-up);
# each is a long random token that only e-mails its own holder. The rest face anonymous floods
# and send e-mail to addresses a visitor types, so they fail closed.
FAIL_OPEN_GROUPS = frozenset({"log-in", "e-mailed-link"})

# What the cache raises when it cannot be reached: Redis stopped, or slow to answer, or a socket
# error below redis-py's own.
CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

security_log = logging.getLogger("carebridge.security")


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: behind a TLS-terminating proxy (BEHIND_PROXY), the last address
    the proxy added to X-Forwarded-For; anything earlier in that header the client could forge."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104 (not a bind address)


def _over_a_limit(request: HttpRequest, group: str, limits: tuple[tuple[str, str], ...]) -> bool:
    """Count the request against each of the group's limits; True once one is over. Where the
    group fails open and the cache is out of reach, False, with one security event."""
    try:
        return any(
            is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)
            for key, rate in limits
        )
    except CACHE_UNREACHABLE as error:
        if group not in FAIL_OPEN_GROUPS:
            raise
        security_log.warning(
            "Rate limit not counted: the cache is out of reach",
            extra={
                "security": {
                    "group": group,
                    "method": (request.method or "")[:16],
                    "path": request.path[:500],
                    "ip": client_ip(request),
                    "error": type(error).__name__,
                }
            },
        )
        return False


def rate_limited(group: str) -> Callable[[View], View]:
    """Apply the group's limits to a view's POSTs: over one, the view is not run and the
    "too many requests" page answers (RATELIMIT_VIEW, through django-ratelimit's middleware)."""
    limits = LIMITS[group]

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # Only the count is guarded: an error the view raises is the view's.
            if _over_a_limit(request, group, limits):
                raise Ratelimited()
            return view(request, *args, **kwargs)

        # Read by the test that every public page which writes or e-mails is limited.
        limited.rate_limit_groups = (*getattr(view, "rate_limit_groups", ()), group)  # type: ignore[attr-defined]
        return limited  # type: ignore[return-value]

    return decorator
