"""Writes of retention: the schedule, legal holds, and the nightly run that removes what has
passed its period. Every write records an audit event; a run's counts hold no personal data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from carebridge.audit import services as audit
from carebridge.core.calendar import add_calendar_months, now, today
from carebridge.core.errors import Refused
from carebridge.organisations.models import Council, Rulebook
from carebridge.retention import removal
from carebridge.retention.choices import SCHEDULE, RecordClass
from carebridge.retention.models import LegalHold, RetentionCount, RetentionRun

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.frontdoor.models import FrontDoorRequest
    from carebridge.people.models import ServiceUser

logger = logging.getLogger(__name__)

BATCH = 500
SCHEDULE_FIELDS = [field for field, _removal, _words in SCHEDULE.values()]
_REMOVERS: dict[RecordClass, Callable[[Council, datetime, int], int]] = {
    RecordClass.REQUESTS: removal.requests_anonymise,
    RecordClass.BOOKINGS: removal.bookings_anonymise,
    RecordClass.FEEDBACK: removal.feedback_delete,
    RecordClass.OUTBOX: removal.outbox_delete,
    RecordClass.ACTIONS: removal.actions_anonymise,
}


class RetentionRefused(Refused):
    """A retention write that was refused, having written nothing."""


def schedule_update(*, council: Council, by: User, months: dict[str, int]) -> Rulebook:
    """Change the council's retention periods (months per class)."""
    book = Rulebook.objects.get(council=council)
    before = audit.snapshot(book, SCHEDULE_FIELDS)
    for field in SCHEDULE_FIELDS:
        if field in months:
            setattr(book, field, months[field])
    book.full_clean(exclude=[f.name for f in Rulebook._meta.fields if f.name not in months])
    with transaction.atomic():
        book.save(update_fields=[field for field in SCHEDULE_FIELDS if field in months])
        audit.record(
            action="retention.schedule_updated",
            by=by,
            obj=book,
            council=council,
            before=before,
            after=audit.snapshot(book, SCHEDULE_FIELDS),
        )
    return book


def legal_hold_place(
    *,
    by: User,
    reason: str,
    service_user: ServiceUser | None = None,
    request: FrontDoorRequest | None = None,
) -> LegalHold:
    """Place a legal hold on one person; placing it again while it stands changes nothing."""
    person: Any = service_user or request
    if person is None or (service_user is not None and request is not None):
        raise RetentionRefused("Choose one person to hold")
    if person.council_id != by.council_id:
        raise RetentionRefused("Choose one person to hold")
    if not reason.strip():
        raise RetentionRefused("Enter why the hold is placed")
    existing = LegalHold.objects.filter(
        service_user=service_user, request=request, released_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(
                council_id=by.council_id,
                service_user=service_user,
                request=request,
                reason=reason.strip(),
                placed_at=now(),
                placed_by=by,
            )
            audit.record(
                action="retention.hold_placed", by=by, obj=person, detail={"hold": hold.pk}
            )
    except IntegrityError:
        return LegalHold.objects.get(
            service_user=service_user, request=request, released_at__isnull=True
        )
    return hold


def legal_hold_release(*, hold: LegalHold, by: User, reason: str) -> LegalHold:
    """Release a legal hold, with the reason; a hold already released is refused."""
    if not reason.strip():
        raise RetentionRefused("Enter why the hold is released")
    moment = now()
    with transaction.atomic():
        changed = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
            released_at=moment, released_by=by, release_reason=reason.strip()
        )
        if changed != 1:
            raise RetentionRefused("This hold has already been released")
        person: Any = hold.service_user or hold.request
        audit.record(action="retention.hold_released", by=by, obj=person, detail={"hold": hold.pk})
    hold.refresh_from_db()
    return hold


def cutoff_for(book: Rulebook, record_class: RecordClass, moment: datetime) -> datetime:
    field = SCHEDULE[record_class][0]
    return add_calendar_months(moment, -getattr(book, field))


def _remove_class(
    run: RetentionRun, book: Rulebook, record_class: RecordClass, moment: datetime
) -> int:
    """Remove one class for the run's council in bounded batches, all or nothing."""
    cutoff = cutoff_for(book, record_class, moment)
    remover = _REMOVERS[record_class]
    removed = 0
    with transaction.atomic():
        while True:
            done = remover(run.council, cutoff, BATCH)
            removed += done
            if done < BATCH:
                break
        count, _created = RetentionCount.objects.get_or_create(
            run=run,
            record_class=record_class,
            defaults={"removal": SCHEDULE[record_class][1], "cutoff": cutoff},
        )
        RetentionCount.objects.filter(pk=count.pk).update(removed=count.removed + removed)
    return removed


def council_retention_run(council: Council, *, moment: datetime | None = None) -> RetentionRun:
    """Remove, for one council, every class but the shared audit log that passed its period.
    Run twice the same night, the second run finds nothing more to remove and adds nothing."""
    moment = moment or now()
    book = Rulebook.objects.get(council=council)
    run, _created = RetentionRun.objects.get_or_create(
        council=council, run_on=today(), defaults={"started_at": moment}
    )
    for record_class in _REMOVERS:
        try:
            _remove_class(run, book, record_class, moment)
        except Exception:
            # One class failing leaves the others' removals standing; its own rolled back.
            logger.exception("Retention of %s failed for council %s", record_class, council.pk)
    RetentionRun.objects.filter(pk=run.pk).update(finished_at=now())
    audit.record(action="retention.run", council=council, obj=run)
    return run


def audit_retention_run(runs: list[RetentionRun], *, moment: datetime | None = None) -> int:
    """Remove the shared audit log's oldest events: before the longest period any council sets,
    and never an event about a person on legal hold (the log is pruned from its oldest end only,
    so the cutoff stops at the first such event)."""
    books = list(Rulebook.objects.all())
    if not books or not runs:
        return 0
    moment = moment or now()
    cutoff = min(cutoff_for(book, RecordClass.AUDIT, moment) for book in books)
    # A run given a later moment (a test, a rehearsal) still removes only what is past.
    cutoff = min(cutoff, _earliest_held_event(cutoff), now())
    removed = audit.remove_events_before(cutoff, reason="Retention schedule")
    for run in runs:
        RetentionCount.objects.update_or_create(
            run=run,
            record_class=RecordClass.AUDIT,
            defaults={
                "removal": SCHEDULE[RecordClass.AUDIT][1],
                "cutoff": cutoff,
                "removed": removed,
            },
        )
    return removed


def _earliest_held_event(cutoff: datetime) -> datetime:
    """The time of the earliest event about a held person before the cutoff, else the cutoff."""
    from carebridge.audit.models import Event

    held = LegalHold.objects.filter(released_at__isnull=True)
    people = [str(pk) for pk in held.values_list("service_user_id", flat=True) if pk]
    requests = [str(pk) for pk in held.values_list("request_id", flat=True) if pk]
    first = (
        Event.objects.filter(at__lt=cutoff)
        .filter(
            Q(object_type="people.serviceuser", object_id__in=people)
            | Q(object_type="frontdoor.frontdoorrequest", object_id__in=requests)
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    return first or cutoff


def retention_run_all(*, moment: datetime | None = None) -> dict[str, int]:
    """The nightly run: every council in turn, then the shared audit log."""
    runs = [council_retention_run(council, moment=moment) for council in Council.objects.all()]
    audit_removed = audit_retention_run(runs, moment=moment)
    return {"councils": len(runs), "audit_removed": audit_removed}
