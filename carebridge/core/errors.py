"""Refusals, and the error pages in the GOV.UK style (which never say whether a hidden record
exists)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class Refused(Exception):
    """A service will not do what it was asked, and nothing was written: `message` says why, in
    words the person who asked can act on. Each app names its own kinds (a referral's
    TransitionRefused, a document's DocumentRefused...), so a view catches the one it expects and
    shows its message against the form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Systems calling the API read JSON, in the API's own error shape, even for these errors.
API_PREFIX = "/api/"


def _api_error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "message": message, "fields": {}}}, status=status
    )


@login_not_required
def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "You do not have permission to do this.")
    return render(
        request, "core/error.html", {"title": "You cannot do this", "status": 403}, status=403
    )


@login_not_required
def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "There is nothing at this address.")
    return render(
        request, "core/error.html", {"title": "Page not found", "status": 404}, status=404
    )


# What the visitor is told to wait, in seconds: the shortest period any limit counts over.
RETRY_AFTER_SECONDS = 600


@login_not_required
def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A rate limit refused the request (carebridge.core.ratelimits): nothing was done."""
    response: HttpResponse
    if request.path.startswith(API_PREFIX):
        response = _api_error(429, "Too many requests. Wait a few minutes and try again.")
    else:
        response = render(
            request,
            "core/error.html",
            {
                "title": "Sorry, you have sent too many requests",
                "status": 429,
                # Residents asking for care may be in danger; officers and providers are not.
                "public": not getattr(request.user, "is_authenticated", False),
            },
            status=429,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "Sorry, there is a problem with the service. Try again later.")
    return render(
        request,
        "core/error.html",
        {"title": "Sorry, there is a problem with the service", "status": 500},
        status=500,
    )
