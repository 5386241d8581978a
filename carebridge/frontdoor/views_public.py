"""The public front door (no log-in): the start page, the questions, the result, tracking a
request and feedback. Every write is a service in frontdoor.services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.frontdoor.selectors import public_council


@login_not_required
@require_GET
def start(request: HttpRequest, council: str) -> HttpResponse:
    found, settings = public_council(council)
    return render(request, "frontdoor/start.html", {"council": found, "settings": settings})
