"""The council's own help, kept by its administrators: support contacts, do's and don'ts,
questions and answers, and a note on any page. Each form shows a preview of the row exactly as
readers will see it (the same includes as the help pages) before it is saved; a create happens
once per form token; every write is a service of `help/services.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, require_function
from carebridge.help import selectors, services, topics
from carebridge.help.access import access_contact, access_entry
from carebridge.help.choices import EntryKind
from carebridge.help.forms import ContactForm, EntryForm
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

_CONTACT_FIELDS = ("team", "what_for", "phone", "email", "hours")
# What each kind is called on the pages: (after "Add a"/"Change a", as a heading of the list).
KIND_WORDS: dict[EntryKind, tuple[str, str]] = {
    EntryKind.DO: ("do", "Do's"),
    EntryKind.DONT: ("don't", "Don'ts"),
    EntryKind.FAQ: ("question and answer", "Questions and answers"),
    EntryKind.PAGE_NOTE: ("note on a page", "Notes on pages"),
}


def _administrator(request: HttpRequest) -> tuple[User, Council]:
    user = acting_user(request)
    require_function(user, Function.HELP_CONTENT, edit=True)
    council = user.council
    assert council is not None  # HELP_CONTENT is a council function
    return user, council


def _previewing(request: HttpRequest) -> bool:
    return request.method == "POST" and "preview" in request.POST


@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    _user, council = _administrator(request)
    entries = {kind: selectors.entries_of([council], kind)[council.pk] for kind in EntryKind}
    return render(
        request,
        "help/manage.html",
        {
            "council": council,
            "contacts": selectors.contacts_of([council])[council.pk],
            "lists": [
                (kind, KIND_WORDS[kind][0], KIND_WORDS[kind][1], entries[kind])
                for kind in (EntryKind.DO, EntryKind.DONT, EntryKind.FAQ)
            ],
            "notes": [(note, topics.topic(note.topic)) for note in entries[EntryKind.PAGE_NOTE]],
        },
    )


# --- Support contacts -------------------------------------------------------------------------


def _contact_page(
    request: HttpRequest,
    council: Council,
    contact: SupportContact | None,
    *,
    save: Callable[[dict[str, Any]], SupportContact],
) -> HttpResponse:
    initial = {name: getattr(contact, name) for name in _CONTACT_FIELDS} if contact else None
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in _CONTACT_FIELDS}
        try:
            if _previewing(request):
                preview = [(council, [services.contact_draft(council=council, **fields)])]
            else:
                saved = save(fields)
                messages.success(request, f"{saved.team} {'changed' if contact else 'added'}")
                return redirect("help:manage")
        except ValidationError as error:
            form.add_errors(error)
    return render(
        request,
        "help/contact_form.html",
        {"form": form, "contact": contact, "preview": preview, "council": council},
    )


@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest) -> HttpResponse:
    user, council = _administrator(request)
    return _contact_page(
        request,
        council,
        None,
        save=lambda fields: services.contact_save(
            council=council, by=user, idempotency_key=key_from_form(request), **fields
        ),
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _administrator(request)
    contact = access_contact(user, pk)
    return _contact_page(
        request,
        council,
        contact,
        save=lambda fields: services.contact_save(
            council=council, by=user, contact=contact, **fields
        ),
    )


@require_http_methods(["GET", "POST"])
def contact_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _administrator(request)
    contact = access_contact(user, pk)
    if request.method == "POST":
        services.contact_remove(contact=contact, by=user)
        messages.success(request, f"{contact.team} removed")
        return redirect("help:manage")
    return render(
        request,
        "help/remove.html",
        {
            "what": contact.team,
            "council": council,
            "contacts": [(council, [contact])],
            "explain": "Providers will no longer see this team among your support contacts.",
        },
    )


# --- Entries: do's, don'ts, questions and answers, page notes -----------------------------------


def _kind_asked(request: HttpRequest) -> EntryKind:
    value = request.GET.get("kind", "")
    if value not in EntryKind.values:
        raise Http404("No such kind of help entry")
    return EntryKind(value)


def entry_shown(council: Council, entry: HelpEntry) -> dict[str, Any]:
    """The context of the include that shows an entry as readers see it: the index's lists
    (`help/_entries.html`) or a help page's note (`help/_note.html`)."""
    if entry.kind == EntryKind.PAGE_NOTE:
        return {"notes": [(council, entry)], "topic": topics.topic(entry.topic)}
    lists = {kind: [entry] if entry.kind == kind else [] for kind in EntryKind}
    return {
        "council_entries": [
            (council, lists[EntryKind.DO], lists[EntryKind.DONT], lists[EntryKind.FAQ])
        ]
    }


def _entry_page(
    request: HttpRequest,
    council: Council,
    kind: EntryKind,
    entry: HelpEntry | None,
    *,
    save: Callable[[dict[str, Any]], HelpEntry],
) -> HttpResponse:
    names = ["title", "body"] + (["topic"] if kind == EntryKind.PAGE_NOTE else [])
    initial = {name: getattr(entry, name) for name in names} if entry else None
    form = EntryForm(request.POST if request.method == "POST" else None, initial=initial, kind=kind)
    preview = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in names}
        try:
            if _previewing(request):
                draft = services.entry_draft(council=council, kind=kind, entry=entry, **fields)
                preview = entry_shown(council, draft)
            else:
                save(fields)
                done = "changed" if entry else "added"
                messages.success(request, f"{KIND_WORDS[kind][0].capitalize()} {done}")
                return redirect("help:manage")
        except ValidationError as error:
            form.add_errors(error)
    return render(
        request,
        "help/entry_form.html",
        {
            "form": form,
            "entry": entry,
            "kind": kind,
            "kind_name": KIND_WORDS[kind][0],
            "preview": preview,
            "council": council,
        },
    )


@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest) -> HttpResponse:
    user, council = _administrator(request)
    kind = _kind_asked(request)
    return _entry_page(
        request,
        council,
        kind,
        None,
        save=lambda fields: services.entry_save(
            council=council, by=user, kind=kind, idempotency_key=key_from_form(request), **fields
        ),
    )


@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _administrator(request)
    entry = access_entry(user, pk)
    kind = EntryKind(entry.kind)
    return _entry_page(
        request,
        council,
        kind,
        entry,
        save=lambda fields: services.entry_save(
            council=council, by=user, kind=kind, entry=entry, **fields
        ),
    )


@require_http_methods(["GET", "POST"])
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, council = _administrator(request)
    entry = access_entry(user, pk)
    kind = EntryKind(entry.kind)
    if request.method == "POST":
        services.entry_remove(entry=entry, by=user)
        messages.success(request, f"{KIND_WORDS[kind][0].capitalize()} removed")
        return redirect("help:manage")
    return render(
        request,
        "help/remove.html",
        {
            "what": f"this {KIND_WORDS[kind][0]}",
            "council": council,
            "explain": "Readers of your council's help will no longer see it.",
            **entry_shown(council, entry),
        },
    )
