"""Asking for a package review: Bradford wants providers to raise a client's non-engagement
with the operational team after three consecutive occurrences. Actuals finds the run of weeks as
each save writes them and records one PackageReview per run; payments, above actions, raises the
action (actuals.signals.package_review_due)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Q

from carebridge.actuals.models import Actual, PackageReview
from carebridge.actuals.periods import WEEK
from carebridge.actuals.signals import package_review_due
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.organisations.choices import MissedReason
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# Bradford: "following 3 consecutive occurrences".
WEEKS_RUNNING = 3

# A client of a provider with a council: whose weeks run together.
Client = tuple[int, int, int]


def _non_engagement_weeks(clients: set[Client], earliest: date, latest: date) -> dict:
    """For each client, the weeks in which any of its lines recorded non-engagement."""
    weeks: dict[Client, set[date]] = defaultdict(set)
    people = {person for _council, _provider, person in clients}
    for council, provider, person, week in (
        Actual.objects.filter(
            service_user_id__in=people,
            week_start__gte=earliest,
            week_start__lte=latest,
            missed__gt=0,
            missed_reason=MissedReason.NON_ENGAGEMENT,
        )
        .order_by()
        .values_list("council_id", "provider_id", "service_user_id", "week_start")
        .distinct()
    ):
        if (council, provider, person) in clients:
            weeks[(council, provider, person)].add(week)
    return weeks


def _run_around(weeks: set[date], week: date) -> tuple[date, date]:
    first = last = week
    while first - WEEK in weeks:
        first -= WEEK
    while last + WEEK in weeks:
        last += WEEK
    return first, last


def _runs(weeks: set[date], saved: Iterable[date]) -> set[tuple[date, date]]:
    """The runs of at least WEEKS_RUNNING consecutive weeks that hold a week just saved."""
    found = set()
    for week in saved:
        if week in weeks:
            first, last = _run_around(weeks, week)
            if (last - first) // WEEK + 1 >= WEEKS_RUNNING:
                found.add((first, last))
    return found


def _already_asked(client: Client, first: date, last: date) -> bool:
    council, provider, person = client
    return PackageReview.objects.filter(
        Q(first_week__lte=last) & Q(last_week__gte=first),
        council_id=council,
        provider_id=provider,
        service_user_id=person,
    ).exists()


def package_reviews_ask(*, by: User, saved: Iterable[tuple[Client, date]]) -> list[PackageReview]:
    """Record a package review for each client whose non-engagement has now run for
    WEEKS_RUNNING consecutive weeks (across saves, a late week joining a run), unless one was
    asked for that run already; called inside the save's transaction, after its rows are
    written. Payments raises each one's action with the operational team."""
    by_client: dict[Client, set[date]] = defaultdict(set)
    for client, week in saved:
        by_client[client].add(week)
    if not by_client:
        return []
    every_week = {week for weeks in by_client.values() for week in weeks}
    reach = WEEK * (WEEKS_RUNNING - 1)
    found = _non_engagement_weeks(set(by_client), min(every_week) - reach, max(every_week) + reach)
    made = []
    for client, weeks in sorted(by_client.items()):
        runs = _runs(found.get(client, set()), weeks)
        if not runs:
            continue
        # Two saves for one client at once queue on the client's row (PostgreSQL; SQLite
        # serialises writers anyway), so a run is asked about once.
        ServiceUser.objects.select_for_update().filter(pk=client[2]).first()
        for first, last in sorted(runs):
            if _already_asked(client, first, last):
                continue
            made.append(_ask(by, client, first, last))
    if made:
        package_review_due.send(sender=PackageReview, review_ids=[r.pk for r in made], by=by)
    return made


def _ask(by: User, client: Client, first: date, last: date) -> PackageReview:
    council, provider, person = client
    review = PackageReview.objects.create(
        council_id=council,
        provider_id=provider,
        service_user_id=person,
        first_week=first,
        last_week=last,
        raised_at=now(),
        raised_by=by,
    )
    record(
        action="actuals.package_review_asked",
        by=by,
        obj=review,
        council=council,
        provider=provider,
        after={"first_week": first.isoformat(), "last_week": last.isoformat()},
    )
    return review
