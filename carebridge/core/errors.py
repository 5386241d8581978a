"""Error pages in the GOV.UK style; they never say whether a hidden record exists."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
