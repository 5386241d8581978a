"""The provider's scheduled payments (Stockport section 13)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function


@require_GET
def scheduled_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.SCHEDULED_PAYMENTS)
    return render(request, "payments/scheduled/list.html", {})
