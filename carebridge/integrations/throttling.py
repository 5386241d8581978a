"""Rate limits on the API: each council system's token has its own allowance."""

from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework import throttling

from carebridge.integrations.models import ApiToken

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ApiTokenThrottle(throttling.SimpleRateThrottle):
    """Each token gets its own allowance, so one council system in a loop cannot flood the
    portal (or the providers' inboxes, since a referral e-mails its provider). A case-management
    system sends a referral in a few calls; a thousand a minute is a fault, not a workload."""

    scope = "api-token"
    rate = "1000/m"

    def allow_request(self, request: "Request", view: "APIView") -> bool:
        # Off with the portal's other rate limits (the test suite's own setting).
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: "Request", view: "APIView") -> str:
        token = request.auth
        ident = f"token-{token.pk}" if isinstance(token, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
