from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from carebridge.core import selectors
from carebridge.core.http import acting_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user's attention: one page for council staff, one for providers."""
    user = acting_user(request)
    if user.is_council_user:
        context = selectors.council_home(user)
        return render(request, "core/home_council.html", context)
    context = selectors.provider_home(user, council_slug=request.GET.get("council", ""))
    return render(request, "core/home_provider.html", context)


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
    return render(request, "core/csrf_failure.html", status=403)
