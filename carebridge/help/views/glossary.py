"""The glossary and what's new: open to everyone, signed in or not."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.glossary import TERMS
from carebridge.help.releases import RELEASES


@login_not_required
@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    ordered = sorted(TERMS, key=lambda t: t.name.lower())
    letters = [
        (letter, list(terms)) for letter, terms in groupby(ordered, key=lambda t: t.name[0].upper())
    ]
    return render(request, "help/glossary.html", {"letters": letters})


@login_not_required
@require_GET
def whats_new(request: HttpRequest) -> HttpResponse:
    releases = sorted(RELEASES, key=lambda r: r.day, reverse=True)
    return render(request, "help/whats_new.html", {"releases": releases})
