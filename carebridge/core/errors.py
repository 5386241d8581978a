"""Error pages in the GOV.UK style; they never say whether a hidden record exists."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "core/error.html", {"title": "You cannot do this", "status": 403}, status=403
    )


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "core/error.html", {"title": "Page not found", "status": 404}, status=404
    )


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "Sorry, there is a problem with the service", "status": 500},
        status=500,
    )
