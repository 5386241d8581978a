from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from carebridge.core.errors import mark_csrf_failure


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers, and the baseline that bench/ compares pages against."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form without a valid CSRF token: recorded as a security event by
    core.errors.RefusalsMiddleware, which this marks so (Django's `reason` is not shown)."""
    mark_csrf_failure(request)
    return render(request, "core/csrf_failure.html", status=403)
