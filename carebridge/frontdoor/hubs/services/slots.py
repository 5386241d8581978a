"""Writes to a hub's appointment times: publishing them (in London time, skipping bank
holidays, keeping what is there) and withdrawing a free one."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from carebridge.accounts.models import User
from carebridge.audit.services import record
from carebridge.core.calendar import LONDON, bank_holidays, london_midnight, now, today
from carebridge.frontdoor.hubs.services.bookings import BookingRefused, expire_holds
from carebridge.frontdoor.hubs.services.hubs import require_officer
from carebridge.frontdoor.models import LIVE_STATUSES, Booking, Hub, Slot

# Slots are published at most this far ahead in one go, and last between these lengths.
PUBLISH_AT_MOST = timedelta(days=92)
SHORTEST_SLOT, LONGEST_SLOT = 10, 240


@dataclass(frozen=True)
class Published:
    """What publishing made: new slots, the ones already there, and the bank holidays skipped."""

    created: int
    kept: int
    bank_holidays: list[date]


def _local(day: date, at: time) -> datetime | None:
    """A London wall-clock time as a UTC instant; None for a time the spring clock change
    skips (01:00 to 02:00 on the last Sunday of March does not happen in London)."""
    moment = datetime.combine(day, at, tzinfo=LONDON)
    if moment.astimezone(UTC).astimezone(LONDON).replace(tzinfo=None) != moment.replace(
        tzinfo=None
    ):
        return None
    return moment.astimezone(UTC)


def _publish_errors(
    *,
    hub: Hub,
    first_day: date,
    last_day: date,
    weekdays: set[int],
    start_time: time,
    end_time: time,
    length_minutes: int,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if first_day < today():
        errors["first_day"] = "The first day must be today or in the future"
    if last_day < first_day:
        errors["last_day"] = "The last day must be the same as or after the first day"
    elif last_day - first_day > PUBLISH_AT_MOST:
        errors["last_day"] = "Publish at most 3 months of times at once"
    if not weekdays:
        errors["weekdays"] = "Select the days the hub offers appointments"
    elif not weekdays <= set(range(7)):
        errors["weekdays"] = "Days run from 0 (Monday) to 6 (Sunday)"
    if not SHORTEST_SLOT <= length_minutes <= LONGEST_SLOT:
        errors["length_minutes"] = (
            f"Appointments must last between {SHORTEST_SLOT} and {LONGEST_SLOT} minutes"
        )
    if start_time.tzinfo is not None or end_time.tzinfo is not None:
        raise ValueError("Give London wall-clock times, without a time zone")
    if end_time <= start_time:
        errors["end_time"] = "The end time must be after the start time"
    elif "length_minutes" not in errors:
        window = datetime.combine(first_day, end_time) - datetime.combine(first_day, start_time)
        if window < timedelta(minutes=length_minutes):
            errors["length_minutes"] = "One appointment must fit between the start and end times"
    return errors


def _candidates(
    first_day: date,
    last_day: date,
    days_of_week: set[int],
    start_time: time,
    end_time: time,
    length: timedelta,
) -> tuple[list[tuple[datetime, datetime]], list[date]]:
    """The times to offer, back to back on each chosen day, as UTC (start, end); and the bank
    holidays skipped."""
    candidates: list[tuple[datetime, datetime]] = []
    skipped: list[date] = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days_of_week:
            if day in bank_holidays(day.year):
                skipped.append(day)
            else:
                starts_wall = datetime.combine(day, start_time)
                while starts_wall + length <= datetime.combine(day, end_time):
                    starts = _local(day, starts_wall.time())
                    ends = _local(day, (starts_wall + length).time())
                    if starts is not None and ends is not None and ends > starts:
                        candidates.append((starts, ends))
                    starts_wall += length
        day += timedelta(days=1)
    return candidates, skipped


def _new_slots(
    hub: Hub, candidates: list[tuple[datetime, datetime]], first_day: date, last_day: date
) -> tuple[list[Slot], int]:
    """The candidates not there yet (and overlapping no offered time), unsaved; and how many
    were kept as they are."""
    existing = list(
        Slot.objects.filter(
            hub=hub,
            starts_at__lt=london_midnight(last_day + timedelta(days=1)),
            ends_at__gt=london_midnight(first_day),
        )
        .order_by("starts_at")
        .values_list("starts_at", "ends_at", "is_withdrawn")
    )
    taken_starts = {starts for starts, _ends, _withdrawn in existing}
    # Offered times never overlap, so sorted by start their ends are sorted too.
    offered = [(s, e) for s, e, withdrawn in existing if not withdrawn]
    offered_starts = [s for s, _e in offered]
    moment = now()
    new: list[Slot] = []
    kept = 0
    for starts, ends in candidates:
        index = bisect.bisect_left(offered_starts, ends)
        overlaps = index > 0 and offered[index - 1][1] > starts
        if starts in taken_starts or overlaps:
            kept += 1
            continue
        new.append(Slot(hub=hub, starts_at=starts, ends_at=ends, created_at=moment))
    return new, kept


@transaction.atomic
def slots_publish(
    *,
    hub: Hub,
    first_day: date,
    last_day: date,
    weekdays: set[int] | list[int] | frozenset[int],
    start_time: time,
    end_time: time,
    length_minutes: int,
    by: User,
) -> Published:
    """Offer appointments at the hub: on the chosen weekdays between the two days, back to back
    from the start time until the end time, in London time (so "10:00" stays 10:00 on both sides
    of a clock change). Bank holidays are skipped. Publishing again keeps what is there: a time
    that exists already, or overlaps one that does, is not made again."""
    require_officer(by, hub.council_id)
    days_of_week = set(weekdays)
    errors = _publish_errors(
        hub=hub,
        first_day=first_day,
        last_day=last_day,
        weekdays=days_of_week,
        start_time=start_time,
        end_time=end_time,
        length_minutes=length_minutes,
    )
    if errors:
        raise ValidationError(errors)
    candidates, skipped = _candidates(
        first_day,
        last_day,
        days_of_week,
        start_time,
        end_time,
        timedelta(minutes=length_minutes),
    )
    new, kept = _new_slots(hub, candidates, first_day, last_day)
    # A publication racing this one may have made some of them: those are kept, not doubled.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    record(
        action="hub.slots_published",
        by=by,
        obj=hub,
        council=hub.council_id,
        detail={
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "weekdays": sorted(days_of_week),
            "start_time": start_time.strftime("%H:%M"),
            "end_time": end_time.strftime("%H:%M"),
            "length_minutes": length_minutes,
            "created": len(new),
            "kept": kept,
            "bank_holidays": [d.isoformat() for d in skipped],
        },
    )
    return Published(created=len(new), kept=kept, bank_holidays=skipped)


def slot_withdraw(*, slot: Slot, by: User) -> Slot:
    """Stop offering a free time. A booked time must have its booking cancelled first, which
    tells the person; withdrawing twice changes nothing."""
    require_officer(by, slot.hub.council_id)
    moment = now()
    expire_holds(Q(slot_id=slot.pk), moment)
    with transaction.atomic():
        # Locked so that a booking cannot slip in between the check and the withdrawal (on
        # SQLite the IMMEDIATE transaction serialises writers already).
        current = Slot.objects.select_for_update().get(pk=slot.pk)
        if current.is_withdrawn:
            return current
        if current.starts_at <= moment:
            raise BookingRefused("This time has passed: it can no longer be withdrawn.")
        if Booking.objects.filter(slot=current, status__in=LIVE_STATUSES).exists():
            raise BookingRefused(
                "Someone has booked this time. Cancel their booking first: they will be told "
                "by e-mail.",
                reason="booked",
            )
        Slot.objects.filter(pk=current.pk, is_withdrawn=False).update(
            is_withdrawn=True, withdrawn_at=moment, withdrawn_by=by
        )
        current.refresh_from_db()
        record(
            action="hub.slot_withdrawn",
            by=by,
            obj=current,
            council=current.hub.council_id,
            detail={"hub": current.hub_id, "starts_at": current.starts_at.isoformat()},
        )
    return current
