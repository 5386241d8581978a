"""The help index and each page's guidance. Public topics (logging in, the front door for
residents) open without logging in; the rest to everyone signed in. Each shows the rules and
contacts of the councils the reader is looking at: a council's staff their own council, a
provider the council it chose (or each of its councils), a visitor the council its page named."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.bounds import has_control_characters
from carebridge.help import selectors
from carebridge.help.choices import EntryKind
from carebridge.help.rules import rules_for
from carebridge.help.topics import Audience, Topic, all_topics
from carebridge.help.topics import topic as find_topic
from carebridge.organisations.focus import focus_of
from carebridge.organisations.models import Council


def councils_for_reader(request: HttpRequest) -> tuple[Council, ...]:
    """The councils whose rules and contacts the help shows this reader."""
    if request.user.is_authenticated:
        return focus_of(request).in_view
    slug = request.GET.get("council", "")
    if slug and len(slug) <= 100 and slug.replace("-", "").isalnum():
        return tuple(Council.objects.filter(slug=slug).select_related("rulebook"))
    # A visitor names their council (`find_council`): one council's contacts and rules at a
    # time, and never a list of the councils that use the portal.
    name = " ".join(request.GET.get("council_name", "").split())
    if name and len(name) <= 200 and not has_control_characters(name):
        return tuple(Council.objects.filter(name__iexact=name).select_related("rulebook"))
    return ()


def audiences_for(request: HttpRequest) -> set[Audience]:
    user = request.user
    if not user.is_authenticated:
        return {Audience.PUBLIC}
    side = Audience.COUNCIL if user.council_id else Audience.PROVIDER
    return {side, Audience.EVERYONE, Audience.PUBLIC}


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every topic the reader's side uses, by section, and what the councils in view added: their
    contacts, do's and don'ts and questions and answers, each under its council's name. A
    visitor who is not logged in sees the public topics alone: a council's own help is for the
    people who work with it. A council's staff may look at it as its providers do (`?as=provider`,
    the administrators' "See the help as providers see it")."""
    audiences = audiences_for(request)
    as_provider = _as_provider(request)
    if as_provider:
        audiences = {Audience.PROVIDER, Audience.EVERYONE, Audience.PUBLIC}
    sections: dict[str, list[Topic]] = {}
    for each in all_topics().values():
        if each.audience in audiences:
            sections.setdefault(each.section or "General", []).append(each)
    councils = councils_for_reader(request) if request.user.is_authenticated else ()
    return render(
        request,
        "help/index.html",
        {
            "sections": sections,
            "councils": councils,
            "as_provider": as_provider,
            **_council_content(councils),
        },
    )


def _as_provider(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.council_id and request.GET.get("as") == "provider")


@login_not_required
@require_GET
def topic(request: HttpRequest, slug: str) -> HttpResponse:
    found = find_topic(slug)
    if found is None:
        raise Http404("No such help topic")
    if not found.public and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    councils = councils_for_reader(request)
    notes = selectors.page_notes(councils, found.slug)
    return render(
        request,
        found.template,
        {
            "topic": found,
            "councils": councils,
            "rules": [(council, rules_for(council, found.areas)) for council in councils]
            if found.areas
            else [],
            "notes": [(council, notes[council.pk]) for council in councils if council.pk in notes],
            "contacts": _contacts(councils),
            # A visitor on a public topic that names no council may name theirs.
            "find_council": not request.user.is_authenticated and not councils,
            "council_name": request.GET.get("council_name", "")[:200],
        },
    )


def _contacts(councils: tuple[Council, ...]) -> list[tuple[Council, list[object]]]:
    found = selectors.contacts_of(councils)
    return [(council, found[council.pk]) for council in councils]  # type: ignore[misc]


def _council_content(councils: tuple[Council, ...]) -> dict[str, object]:
    dos = selectors.entries_of(councils, EntryKind.DO)
    donts = selectors.entries_of(councils, EntryKind.DONT)
    faqs = selectors.entries_of(councils, EntryKind.FAQ)
    return {
        "contacts": _contacts(councils),
        "council_entries": [
            (council, dos[council.pk], donts[council.pk], faqs[council.pk]) for council in councils
        ],
    }
