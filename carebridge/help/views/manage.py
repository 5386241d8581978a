"""The council's own help, kept by its administrators: support contacts, do's and don'ts,
questions and answers, and a note on any page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.help import selectors
from carebridge.help.choices import EntryKind


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.HELP_CONTENT, edit=True)
    council = user.council
    assert council is not None  # HELP_CONTENT is a council function
    return render(
        request,
        "help/manage.html",
        {
            "council": council,
            "contacts": selectors.contacts_of([council])[council.pk],
            "entries": {
                kind: selectors.entries_of([council], kind)[council.pk] for kind in EntryKind
            },
        },
    )
