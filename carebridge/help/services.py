"""Every write to a council's own help: its support contacts and its entries (do's, don'ts,
questions and answers, a note on a page). Each is one transaction with an audit event saying
what the row was before and is after; a create happens once per form token."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from carebridge.audit.services import record, snapshot
from carebridge.core.bounds import refuse_control_characters
from carebridge.core.calendar import now
from carebridge.core.idempotency import once_per_key
from carebridge.help import topics
from carebridge.help.choices import EntryKind
from carebridge.help.models import HelpEntry, SupportContact
from carebridge.organisations.models import Council
from carebridge.organisations.validators import normalise_email, normalise_phone, validate_phone

if TYPE_CHECKING:
    from carebridge.accounts.models import User

ONE_NOTE_MESSAGE = "Your council already has a note on this page: change that note instead"
NO_PAGE_MESSAGE = "Choose the page the note is about"
NO_QUESTION_MESSAGE = "Enter the question"
NO_WAY_TO_CONTACT_MESSAGE = "Enter a telephone number or an e-mail address"
BODY_MAX = 5000


def _refuse_control_characters(row: models.Model, fields: tuple[str, ...]) -> None:
    """The forms refuse control characters; a caller that is not a form meets the same rule."""
    errors: dict[str, list[str]] = {}
    for name in fields:
        try:
            refuse_control_characters(getattr(row, name))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def _next_order(rows: models.QuerySet) -> int:
    last = rows.aggregate(highest=models.Max("order"))["highest"]
    return 0 if last is None else last + 1


def _check_contact(contact: SupportContact) -> None:
    _refuse_control_characters(contact, ("team", "what_for", "phone", "email", "hours"))
    contact.team = " ".join(contact.team.split())
    contact.phone = normalise_phone(contact.phone)
    contact.email = normalise_email(contact.email)
    errors: dict[str, list[str]] = {}
    if contact.phone:
        try:
            validate_phone(contact.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if not contact.phone and not contact.email:
        errors["phone"] = [NO_WAY_TO_CONTACT_MESSAGE]
    if errors:
        raise ValidationError(errors)
    contact.full_clean(exclude=["council", "changed_by"])


def contact_draft(
    *,
    council: Council,
    team: str,
    what_for: str = "",
    phone: str = "",
    email: str = "",
    hours: str = "",
) -> SupportContact:
    """A support contact as saving it would keep it (tidied and checked), not saved: what a
    preview shows. Raises ValidationError as saving would."""
    row = SupportContact(
        council=council,
        team=team,
        what_for=what_for,
        phone=phone,
        email=email,
        hours=hours,
        changed_at=now(),
    )
    _check_contact(row)
    return row


@transaction.atomic
@once_per_key(
    "help.contact_save",
    find=lambda pk, call: SupportContact.objects.filter(pk=pk, council=call["council"]).first(),
)
def contact_save(
    *,
    council: Council,
    by: User | None,
    team: str,
    what_for: str = "",
    phone: str = "",
    email: str = "",
    hours: str = "",
    contact: SupportContact | None = None,
    idempotency_key: str | None = None,
) -> SupportContact:
    """Add a support contact to the council's help (`contact` None, once per the form's key),
    or change one of its own."""
    if contact is not None and contact.council_id != council.pk:
        raise ValueError("A council changes only its own support contacts")
    before = snapshot(contact) if contact is not None else None
    row = contact or SupportContact(
        council=council,
        order=_next_order(SupportContact.objects.filter(council=council)),
    )
    row.team, row.what_for, row.phone, row.email, row.hours = team, what_for, phone, email, hours
    row.changed_at, row.changed_by = now(), by
    _check_contact(row)
    row.save()
    _audit_saved(row, "help_contact", before=before, by=by)
    return row


def _audit_saved(
    row: SupportContact | HelpEntry, name: str, *, before: dict | None, by: User | None
) -> None:
    """The event of a row added (`before` None) or changed, with what it was and now is."""
    record(
        action=f"{name}.changed" if before is not None else f"{name}.added",
        by=by,
        obj=row,
        council=row.council_id,
        before=before,
        after=snapshot(row),
    )


def _remove(row: SupportContact | HelpEntry, name: str, *, by: User | None) -> None:
    record(action=f"{name}.removed", by=by, obj=row, council=row.council_id, before=snapshot(row))
    row.delete()


@transaction.atomic
def contact_remove(*, contact: SupportContact, by: User | None) -> None:
    """Take a support contact off the council's help."""
    _remove(contact, "help_contact", by=by)


def _check_entry(entry: HelpEntry) -> None:
    _refuse_control_characters(entry, ("title", "body", "topic"))
    if len(entry.body) > BODY_MAX:
        raise ValidationError({"body": f"The text must be {BODY_MAX:,} characters or fewer"})
    entry.title = " ".join(entry.title.split())
    entry.body = entry.body.strip()
    if entry.kind == EntryKind.PAGE_NOTE:
        if topics.topic(entry.topic) is None:
            raise ValidationError({"topic": NO_PAGE_MESSAGE})
        taken = HelpEntry.objects.filter(
            council_id=entry.council_id, kind=EntryKind.PAGE_NOTE, topic=entry.topic
        ).exclude(pk=entry.pk)
        if taken.exists():
            raise ValidationError({"topic": ONE_NOTE_MESSAGE})
    else:
        entry.topic = ""
    if entry.kind == EntryKind.FAQ and not entry.title:
        raise ValidationError({"title": NO_QUESTION_MESSAGE})
    entry.full_clean(exclude=["council", "changed_by"], validate_constraints=False)


def entry_draft(
    *,
    council: Council,
    kind: EntryKind | str,
    body: str,
    title: str = "",
    topic: str = "",
    entry: HelpEntry | None = None,
) -> HelpEntry:
    """An entry as saving it would keep it (tidied and checked, a second note on a page
    refused), not saved: what a preview shows. `entry`: the one being changed."""
    row = HelpEntry(
        pk=entry.pk if entry is not None else None,
        council=council,
        kind=EntryKind(kind),
        title=title,
        body=body,
        topic=topic,
        changed_at=now(),
    )
    _check_entry(row)
    return row


@transaction.atomic
@once_per_key(
    "help.entry_save",
    find=lambda pk, call: HelpEntry.objects.filter(pk=pk, council=call["council"]).first(),
)
def entry_save(
    *,
    council: Council,
    by: User | None,
    kind: EntryKind | str,
    body: str,
    title: str = "",
    topic: str = "",
    entry: HelpEntry | None = None,
    idempotency_key: str | None = None,
) -> HelpEntry:
    """Add a do, a don't, a question and answer or a page note to the council's help (`entry`
    None, once per the form's key), or change one of its own (its kind stays what it is). A
    page has one note from each council: a second is refused against the page."""
    if entry is not None and entry.council_id != council.pk:
        raise ValueError("A council changes only its own help")
    before = snapshot(entry) if entry is not None else None
    row = entry or HelpEntry(
        council=council,
        kind=EntryKind(kind),
        order=_next_order(HelpEntry.objects.filter(council=council, kind=kind)),
    )
    row.title, row.body, row.topic = title, body, topic
    row.changed_at, row.changed_by = now(), by
    _check_entry(row)
    try:
        # Its own savepoint: two notes on one page saved at the same moment meet the
        # database's constraint, which is the same refusal as the check above.
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError({"topic": ONE_NOTE_MESSAGE}) from error
    _audit_saved(row, "help_entry", before=before, by=by)
    return row


@transaction.atomic
def entry_remove(*, entry: HelpEntry, by: User | None) -> None:
    """Take a do, a don't, a question or a page note off the council's help."""
    _remove(entry, "help_entry", by=by)
