"""Rate limits on public and e-mail-sending endpoints (django-ratelimit on Django's cache).

A person never comes near these numbers; a script flooding a public form, holding every hub slot
or making the portal send e-mails to made-up addresses does. Each limit counts POSTs only, per
client address and, where a person or an address is named, per that too. Over a limit the view is
not run at all and the visitor gets the "too many requests" page (429), so nothing is written and
nothing is sent. The counts live in the cache: Redis when REDIS_URL is set (shared by every web
process), else this process's memory (the demo runs one web process).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.decorators import ratelimit

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
}


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: behind a TLS-terminating proxy (BEHIND_PROXY), the last address
    the proxy added to X-Forwarded-For; anything earlier in that header the client could forge."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104 (not a bind address)


def rate_limited(group: str) -> Callable[[View], View]:
    """Apply the group's limits to a view's POSTs."""
    limits = LIMITS[group]

    def decorator(view: View) -> View:
        limited = view
        for key, rate in limits:
            limited = ratelimit(group=group, key=key, rate=rate, method="POST", block=True)(limited)
        # Read by the test that every public page which writes or e-mails is limited.
        limited.rate_limit_groups = (*getattr(view, "rate_limit_groups", ()), group)  # type: ignore[attr-defined]
        return limited

    return decorator
