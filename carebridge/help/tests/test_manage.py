"""A council's administrators keep their council's own help: support contacts, do's, don'ts,
questions and answers and page notes, each previewed before it is saved, audited with what it was
and now is, made once however often it is sent; and the help index shows it to the council's own
providers, and to nobody else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.demo.common import Tally
from carebridge.demo.help_demo import demo_help
from carebridge.help import services, topics
from carebridge.help.choices import EntryKind
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.help.topics import Topic
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_two_council_provider,
    make_user,
)

pytestmark = pytest.mark.django_db

NOTE_PAGE = Topic(
    "week-of-actuals-example", "Your week of actuals (example)", views=(), section="Actuals"
)
OTHER_PAGE = Topic(
    "referrals-example", "Pending referrals (example)", views=(), section="Referrals"
)
CONTACT = {
    "team": "Brokerage team",
    "what_for": "New referrals",
    "phone": "0113  496 0310",
    "email": "Brokerage@Ashdown.example",
    "hours": "Monday to Friday, 9am to 5pm",
}
ENTRIES: dict[EntryKind, dict[str, str]] = {
    EntryKind.DO: {"title": "Answer promptly", "body": "Reply to every referral."},
    EntryKind.DONT: {"title": "", "body": "Never share a log-in."},
    EntryKind.FAQ: {"title": "Who confirms a week?", "body": "Your Super Users."},
    EntryKind.PAGE_NOTE: {"topic": NOTE_PAGE.slug, "title": "Before you confirm", "body": "Check."},
}


@pytest.fixture(autouse=True)
def help_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two help pages a note may be about, whatever pages the portal's own help has."""
    pages = {NOTE_PAGE.slug: NOTE_PAGE, OTHER_PAGE.slug: OTHER_PAGE}
    monkeypatch.setattr(topics, "all_topics", lambda: pages)


@pytest.fixture
def world() -> dict[str, Any]:
    council = make_council("Ashdown Vale Council")
    other = make_council("Quillinghurst Council")
    provider = make_provider("Bluebell Lane Care")
    make_contract(council, provider)
    return {
        "council": council,
        "other": other,
        "admin": make_user(council=council, role="council_administrator"),
        "other_admin": make_user(council=other, role="council_administrator"),
        "broker": make_user(council=council, role="broker"),
        "provider_user": make_user(provider=provider),
    }


def _token(page: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None, "the form carries no token"
    return found.group(1)


def _events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action).order_by("pk"))


def test_an_administrator_previews_a_support_contact_then_saves_it(world):
    client = client_for(world["admin"])
    url = reverse("help:contact_add")
    page = client.get(url).content.decode()
    assert "Add a support contact" in page and 'name="preview"' in page

    preview = client.post(url, {**CONTACT, "preview": "1", "form_token": _token(page)})
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "Preview" in body and "Contact Ashdown Vale Council" in body
    assert "Telephone: 0113 496 0310" in body
    assert "brokerage@ashdown.example" in body, "the preview shows the address as it is kept"
    assert SupportContact.objects.count() == 0, "a preview saves nothing"
    assert _events("help_contact.added") == []

    saved = client.post(url, {**CONTACT, "form_token": _token(body)})
    assert saved.status_code == 302 and saved["Location"] == reverse("help:manage")
    contact = SupportContact.objects.get()
    assert (contact.council, contact.team, contact.phone, contact.email) == (
        world["council"],
        "Brokerage team",
        "0113 496 0310",
        "brokerage@ashdown.example",
    )
    assert contact.changed_by == world["admin"] and contact.changed_at is not None
    (event,) = _events("help_contact.added")
    assert event.before is None and event.after["team"] == "Brokerage team"
    assert event.council == world["council"] and event.actor == world["admin"]
    manage = client.get(reverse("help:manage")).content.decode()
    assert "Brokerage team" in manage
    assert reverse("help:contact_edit", args=[contact.pk]) in manage
    assert reverse("help:contact_remove", args=[contact.pk]) in manage


def test_an_administrator_changes_and_removes_a_contact_each_audited(world):
    contact = services.contact_save(council=world["council"], by=world["admin"], **CONTACT)
    client = client_for(world["admin"])
    edit = reverse("help:contact_edit", args=[contact.pk])
    assert "Brokerage team" in client.get(edit).content.decode()

    preview = client.post(edit, {**CONTACT, "team": "Brokerage hub", "preview": "1"})
    assert "Brokerage hub" in preview.content.decode()
    contact.refresh_from_db()
    assert contact.team == "Brokerage team", "a preview changes nothing"

    assert client.post(edit, {**CONTACT, "team": "Brokerage hub"}).status_code == 302
    (changed,) = _events("help_contact.changed")
    assert (changed.before["team"], changed.after["team"]) == ("Brokerage team", "Brokerage hub")

    remove = reverse("help:contact_remove", args=[contact.pk])
    confirm = client.get(remove).content.decode()
    assert "Remove Brokerage hub?" in confirm and "Brokerage hub" in confirm
    assert SupportContact.objects.count() == 1, "the confirmation page removes nothing"
    assert client.post(remove).status_code == 302
    assert SupportContact.objects.count() == 0
    (removed,) = _events("help_contact.removed")
    assert removed.before["team"] == "Brokerage hub" and removed.after is None


@pytest.mark.parametrize("kind", list(EntryKind))
def test_each_kind_of_entry_is_previewed_added_changed_and_removed(world, kind):
    client = client_for(world["admin"])
    add = f"{reverse('help:entry_add')}?kind={kind.value}"
    page = client.get(add).content.decode()
    assert 'name="preview"' in page and "govuk-character-count" in page
    data = ENTRIES[kind]

    preview = client.post(add, {**data, "preview": "1", "form_token": _token(page)})
    body = preview.content.decode()
    assert preview.status_code == 200 and data["body"] in body
    reader_sees = "Ashdown Vale Council says" if kind == EntryKind.PAGE_NOTE else "at Ashdown Vale"
    assert reader_sees in body
    assert HelpEntry.objects.count() == 0, "a preview saves nothing"

    assert client.post(add, {**data, "form_token": _token(body)}).status_code == 302
    entry = HelpEntry.objects.get()
    assert (entry.kind, entry.council, entry.body) == (kind, world["council"], data["body"])
    assert entry.changed_by == world["admin"]
    assert _events("help_entry.added")[0].after["body"] == data["body"]
    manage = client.get(reverse("help:manage")).content.decode()
    assert data["body"] in manage
    if kind == EntryKind.PAGE_NOTE:
        assert NOTE_PAGE.title in manage
        assert reverse("help:topic", kwargs={"slug": NOTE_PAGE.slug}) in manage

    edit = reverse("help:entry_edit", args=[entry.pk])
    assert data["body"] in client.get(edit).content.decode()
    client.post(edit, {**data, "body": "Changed words.", "preview": "1"})
    entry.refresh_from_db()
    assert entry.body == data["body"], "a preview changes nothing"
    assert client.post(edit, {**data, "body": "Changed words."}).status_code == 302
    (changed,) = _events("help_entry.changed")
    assert (changed.before["body"], changed.after["body"]) == (data["body"], "Changed words.")
    entry.refresh_from_db()
    assert entry.kind == kind, "a change keeps the entry's kind"

    remove = reverse("help:entry_remove", args=[entry.pk])
    assert "Changed words." in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not HelpEntry.objects.exists()
    assert _events("help_entry.removed")[0].before["body"] == "Changed words."


def test_a_double_submit_makes_one_row(world):
    client = client_for(world["admin"])
    add = f"{reverse('help:entry_add')}?kind=faq"
    token = _token(client.get(add).content.decode())
    for _ in range(2):
        assert client.post(add, {**ENTRIES[EntryKind.FAQ], "form_token": token}).status_code == 302
    assert HelpEntry.objects.count() == 1
    assert len(_events("help_entry.added")) == 1

    add = reverse("help:contact_add")
    token = _token(client.get(add).content.decode())
    for _ in range(2):
        assert client.post(add, {**CONTACT, "form_token": token}).status_code == 302
    assert SupportContact.objects.count() == 1


def test_a_second_note_on_a_page_is_refused_against_the_page(world):
    services.entry_save(
        council=world["council"],
        by=world["admin"],
        kind=EntryKind.PAGE_NOTE,
        topic=NOTE_PAGE.slug,
        body="First note.",
    )
    client = client_for(world["admin"])
    add = f"{reverse('help:entry_add')}?kind=page_note"
    response = client.post(add, {"topic": NOTE_PAGE.slug, "title": "", "body": "Second note."})
    assert response.status_code == 200
    assert response.context["form"].errors["topic"] == [services.ONE_NOTE_MESSAGE]
    assert "There is a problem" in response.content.decode()
    preview = client.post(add, {"topic": NOTE_PAGE.slug, "body": "Second note.", "preview": "1"})
    assert preview.context["form"].errors["topic"] == [services.ONE_NOTE_MESSAGE]
    assert HelpEntry.objects.count() == 1
    # Another council may write its own note on the same page.
    services.entry_save(
        council=world["other"],
        by=world["other_admin"],
        kind=EntryKind.PAGE_NOTE,
        topic=NOTE_PAGE.slug,
        body="Theirs.",
    )


def test_two_notes_saved_at_once_meet_the_database_as_the_same_error(world, monkeypatch):
    """The check before saving cannot see a note another request is saving at that moment;
    the database's constraint refuses the second, and the form shows the same words."""
    note = {"kind": EntryKind.PAGE_NOTE, "topic": NOTE_PAGE.slug, "body": "Note."}
    services.entry_save(council=world["council"], by=world["admin"], **note)
    monkeypatch.setattr(services, "_check_entry", lambda entry: None)
    with pytest.raises(services.ValidationError) as refused:
        services.entry_save(council=world["council"], by=world["admin"], **note)
    assert refused.value.message_dict == {"topic": [services.ONE_NOTE_MESSAGE]}
    assert HelpEntry.objects.count() == 1


def test_a_page_note_must_name_a_page_of_the_help(world):
    client = client_for(world["admin"])
    add = f"{reverse('help:entry_add')}?kind=page_note"
    page = client.get(add).content.decode()
    assert f'<option value="{NOTE_PAGE.slug}">{NOTE_PAGE.title}</option>' in page
    response = client.post(add, {"topic": "no-such-page", "body": "Note."})
    assert "topic" in response.context["form"].errors
    assert not HelpEntry.objects.exists()


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("do", {"title": "", "body": "Bad\x07bell"}, "body"),
        ("faq", {"title": "Who\x1b?", "body": "Us."}, "title"),
        ("faq", {"title": "", "body": "Us."}, "title"),
        ("dont", {"title": "", "body": "x" * 5001}, "body"),
        ("dont", {"title": "", "body": ""}, "body"),
    ],
)
def test_entries_are_bounded(world, kind, data, field):
    add = f"{reverse('help:entry_add')}?kind={kind}"
    response = client_for(world["admin"]).post(add, data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not HelpEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({**CONTACT, "team": "Broker\x00age"}, "team"),
        ({**CONTACT, "hours": "9\x0bto 5"}, "hours"),
        ({**CONTACT, "phone": "12345"}, "phone"),
        ({**CONTACT, "email": "not an address"}, "email"),
        ({**CONTACT, "team": "t" * 201}, "team"),
        ({**CONTACT, "phone": "", "email": ""}, "phone"),
    ],
)
def test_contacts_are_bounded_and_checked(world, data, field):
    response = client_for(world["admin"]).post(reverse("help:contact_add"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not SupportContact.objects.exists()


def test_the_services_refuse_control_characters_too(world):
    with pytest.raises(services.ValidationError):
        services.contact_save(council=world["council"], by=None, **{**CONTACT, "team": "A\x01"})
    with pytest.raises(services.ValidationError):
        services.entry_save(council=world["council"], by=None, kind="do", body="A\x01")
    assert not SupportContact.objects.exists() and not HelpEntry.objects.exists()


def test_another_councils_rows_are_not_found(world):
    theirs = services.contact_save(council=world["other"], by=world["other_admin"], **CONTACT)
    note = services.entry_save(
        council=world["other"],
        by=world["other_admin"],
        kind=EntryKind.PAGE_NOTE,
        topic=NOTE_PAGE.slug,
        body="Their note.",
    )
    client = client_for(world["admin"])
    for name, pk in (
        ("help:contact_edit", theirs.pk),
        ("help:contact_remove", theirs.pk),
        ("help:entry_edit", note.pk),
        ("help:entry_remove", note.pk),
    ):
        url = reverse(name, args=[pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {**CONTACT, "body": "Ours now."}).status_code == 404
    assert SupportContact.objects.get().team == CONTACT["team"]
    assert HelpEntry.objects.get().body == "Their note."
    assert "Their note." not in client.get(reverse("help:manage")).content.decode()


@pytest.mark.parametrize("persona", ["broker", "provider_user"])
def test_only_council_administrators_keep_the_councils_help(world, persona):
    contact = services.contact_save(council=world["council"], by=world["admin"], **CONTACT)
    client = client_for(world[persona])
    assert client.get(reverse("help:manage")).status_code == 403
    for url in (
        reverse("help:contact_add"),
        f"{reverse('help:entry_add')}?kind=do",
        reverse("help:contact_edit", args=[contact.pk]),
        reverse("help:contact_remove", args=[contact.pk]),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, CONTACT).status_code == 403
    assert SupportContact.objects.get().team == CONTACT["team"]
    anonymous = client_for(None).get(reverse("help:manage"))
    assert anonymous.status_code == 302


def test_an_entry_page_without_a_known_kind_is_not_found(world):
    client = client_for(world["admin"])
    assert client.get(reverse("help:entry_add")).status_code == 404
    assert client.get(f"{reverse('help:entry_add')}?kind=memo").status_code == 404


def _write_help(council, admin, words: str) -> None:
    services.contact_save(council=council, by=admin, team=f"{words} team", phone="0113 496 0100")
    for kind in (EntryKind.DO, EntryKind.DONT):
        services.entry_save(council=council, by=admin, kind=kind, body=f"{words} {kind.label}")
    services.entry_save(
        council=council, by=admin, kind=EntryKind.FAQ, title=f"{words} question?", body="Yes."
    )


def test_the_index_shows_the_councils_help_to_its_providers_and_not_another_councils(world):
    _write_help(world["council"], world["admin"], "Ashdown")
    _write_help(world["other"], world["other_admin"], "Quill")
    page = client_for(world["provider_user"]).get(reverse("help:index")).content.decode()
    for words in ("Ashdown team", "Ashdown Do", "Ashdown Don&#x27;t", "Ashdown question?"):
        assert words in page
    assert "govuk-details" in page
    assert "Do's and don'ts at Ashdown Vale Council" in page
    assert "Quill" not in page
    staff = client_for(world["broker"]).get(reverse("help:index")).content.decode()
    assert "Ashdown question?" in staff and "Quill" not in staff


def test_a_provider_of_two_councils_sees_each_councils_help_under_its_name():
    two = make_two_council_provider()
    for council, words in ((two.weekly, "Weekly"), (two.four_weekly, "Fourly")):
        _write_help(council, None, words)
    page = client_for(two.carer).get(reverse("help:index")).content.decode()
    for council, words in ((two.weekly, "Weekly"), (two.four_weekly, "Fourly")):
        assert f"Questions and answers at {council.name}" in page
        assert f"Contact {council.name}" in page
        assert f"{words} question?" in page and f"{words} team" in page


def test_a_visitor_who_is_not_logged_in_sees_no_councils_own_help(world):
    _write_help(world["council"], world["admin"], "Ashdown")
    for query in ("", f"?council={world['council'].slug}"):
        page = client_for(None).get(reverse("help:index") + query).content.decode()
        assert "Ashdown" not in page
        assert "Log in to see your council" in page


def test_an_administrator_sees_the_help_as_providers_see_it(world):
    _write_help(world["council"], world["admin"], "Ashdown")
    client = client_for(world["admin"])
    manage = client.get(reverse("help:manage")).content.decode()
    assert "See the help as providers see it" in manage
    page = client.get(reverse("help:index") + "?as=provider").content.decode()
    assert "as your providers see it" in page and "Ashdown question?" in page


def test_the_demo_writes_each_councils_help_once(world):
    councils = {"ashdown": world["council"], "quill": world["other"]}
    tally = Tally()
    demo_help(tally, councils)
    assert tally.created == {"councils' help": 2}
    for council in councils.values():
        assert SupportContact.objects.filter(council=council).count() == 3
        assert HelpEntry.objects.filter(council=council, kind=EntryKind.FAQ).count() == 3
    again = Tally()
    demo_help(again, councils)
    assert again.existing == {"councils' help": 2} and again.created == {}
