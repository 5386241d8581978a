"""A front-door request's wait for its decision: the business time from its submission to the
council's decision, in the front-door office's hours, stored on the request as it is decided
(`FrontDoorRequest.decision_wait_us`).

A year of figures (the weekly reports) read two date-times of every decided request and counted
the office hours between them again on every view; converting the date-times alone was most of
the page. Stored, the figures read one integer a request. Counted by
`core.calendar.service_time_between` for one request, and by the figures' `BusinessClock` (the
same to the microsecond) for many at once. Microseconds rather than whole seconds: the
24-hour target and the medians (the mean of the middle two of an even count) are then exactly
those of the two times, fractions of a second included.

The hours are the council's current office hours, as the figures always counted them. Changing
them (`front_door_settings_update`) forgets every decided request's wait in one statement, so
the figures count them from the two times meanwhile, and a background task stores them again.

Below, the response promise's clock: how an open request's due time (stored as it joins the
queue, `services/routing.py`) stands now, in colour and in words, for the queue and its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, QuerySet

from carebridge.core.calendar import ServiceHours, service_time_between, to_london
from carebridge.core.formats import guide_datetime
from carebridge.frontdoor.dashboard.business_time import BusinessClock
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings

MICROSECOND = timedelta(microseconds=1)
BATCH = 2000


def office_hours_of(council_id: int) -> ServiceHours:
    """The council's front-door office hours; the settings' defaults (Monday to Friday, 9 to 5,
    bank holidays shut) for a council that has not saved its own."""
    settings = FrontDoorSettings.objects.filter(council_id=council_id).first()
    return (settings or FrontDoorSettings(council_id=council_id)).office_hours()


def wait_us(submitted_at: datetime, decided_at: datetime, hours: ServiceHours) -> int:
    """The business time from submission to decision in the office's hours, in microseconds."""
    return service_time_between(submitted_at, decided_at, hours) // MICROSECOND


def decision_wait_us(council_id: int, submitted_at: datetime, decided_at: datetime) -> int:
    """A request's wait for a decision made at `decided_at`, in its council's office hours."""
    return wait_us(submitted_at, decided_at, office_hours_of(council_id))


def decision_waits_store(requests: QuerySet, hours: ServiceHours, *, batch: int = BATCH) -> int:
    """Count again and store the wait of every decided request of `requests` (one council's,
    whose office hours are `hours`), a batch at a time; returns how many were stored.

    Takes the model from the query set, so the migration that adds the field passes its own
    historical model and counts with this very function."""
    model = requests.model
    decided = requests.filter(decided_at__isnull=False).order_by("pk")
    earliest = decided.aggregate(first=Min("submitted_at"))["first"]
    if earliest is None:
        return 0
    # One clock for the whole council: each day's window is worked out once however many
    # batches cross it; a moment before its first day is counted by the calendar itself.
    clock = BusinessClock(hours, to_london(earliest).date())
    stored, last = 0, 0
    while True:
        rows = list(
            decided.filter(pk__gt=last).values_list("pk", "submitted_at", "decided_at")[:batch]
        )
        if not rows:
            return stored
        changed = [
            model(pk=pk, decision_wait_us=clock.between(submitted, decided_at) // MICROSECOND)
            for pk, submitted, decided_at in rows
        ]
        model.objects.bulk_update(changed, ["decision_wait_us"], batch_size=batch)
        stored += len(changed)
        last = rows[-1][0]


def decision_waits_forget(council_id: int) -> int:
    """Empty the stored waits of the council's decided requests, when its office hours change:
    until they are counted again the figures count them from the two times."""
    return FrontDoorRequest.objects.filter(council_id=council_id, decided_at__isnull=False).update(
        decision_wait_us=None
    )


@transaction.atomic
def decision_waits_count(council_id: int) -> int:
    """Count and store again the waits of every decided request of the council in its office
    hours as they are now. The settings row is locked first, so a change of the hours made
    meanwhile waits for this to finish and then forgets what it stored."""
    settings = FrontDoorSettings.objects.select_for_update().filter(council_id=council_id).first()
    hours = (settings or FrontDoorSettings(council_id=council_id)).office_hours()
    return decision_waits_store(FrontDoorRequest.objects.filter(council_id=council_id), hours)


# --- The response promise's clock ---------------------------------------------------------------
#
# An open request shows how its due time stands, in colour and in words:
#   red    once it is due: "Overdue by 2 business hours" (or, within its first business hour
#          overdue, "Overdue: was due 4:59pm 07/12/2026");
#   amber  while under a quarter of the promise is left in business time (under 6 business
#          hours of 24): "Due soon: in 3 hours" the same day, "Due soon: 9:00am 08/12/2026"
#          another day;
#   green  otherwise: "Due in 3 hours", "Due 9:00am 08/12/2026".
AMBER_SHARE = 4  # amber when less than promise / AMBER_SHARE is left
HOUR = timedelta(hours=1)

DUE_TAGS = {"green": "govuk-tag--green", "amber": "govuk-tag--orange", "red": "govuk-tag--red"}


@dataclass(frozen=True)
class DueState:
    """How an open request's due time stands now: its colour and the words that say it."""

    colour: str  # green, amber or red
    words: str

    @property
    def tag_class(self) -> str:
        return DUE_TAGS[self.colour]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def due_state(
    due_at: datetime, *, promise_hours: int, hours: ServiceHours, at: datetime
) -> DueState:
    """The colour and words of a request due at `due_at`, seen at `at`."""
    if at >= due_at:
        late = service_time_between(due_at, at, hours)
        if late >= HOUR:
            return DueState("red", f"Overdue by {_plural(late // HOUR, 'business hour')}")
        return DueState("red", f"Overdue: was due {guide_datetime(due_at)}")
    left = service_time_between(at, due_at, hours)
    colour = "amber" if left * AMBER_SHARE < timedelta(hours=promise_hours) else "green"
    wait = due_at - at
    if to_london(due_at).date() != to_london(at).date():
        when = guide_datetime(due_at)
    elif wait >= HOUR:
        when = f"in {_plural(wait // HOUR, 'hour')}"
    else:
        when = f"in {_plural(max(1, wait // timedelta(minutes=1)), 'minute')}"
    # Amber says so in words too, for anyone who cannot tell the tag's colours apart.
    return DueState(colour, f"Due soon: {when}" if colour == "amber" else f"Due {when}")
