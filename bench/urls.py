"""The product's URLs plus one minimal view behind the log-in, the benchmark's second baseline.

/healthz is the anonymous baseline: it passes through every middleware, but with no session
there is nothing to look up. The referral pages are logged-in pages, which pay for reading the
session and the user on every request, so they are compared with a view that does too and then
does nothing else.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from carebridge.urls import handler403, handler404, handler500
from carebridge.urls import urlpatterns as product_urlpatterns


@require_GET
@never_cache
def minimal(request: HttpRequest) -> HttpResponse:
    """Logged in, like every product page (LoginRequiredMiddleware sends anyone else away)."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*product_urlpatterns, path("bench/minimal", minimal, name="bench_minimal")]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
