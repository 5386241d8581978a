"""The glossary and what's new: open to everyone, signed in or not."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.glossary import TERMS
from carebridge.help.releases import RELEASES


@login_not_required
@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "help/glossary.html", {"terms": sorted(TERMS, key=lambda t: t.name)})


@login_not_required
@require_GET
def whats_new(request: HttpRequest) -> HttpResponse:
    return render(request, "help/whats_new.html", {"releases": RELEASES})
