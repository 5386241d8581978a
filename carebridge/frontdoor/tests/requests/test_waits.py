"""The wait for a decision stored on a front-door request: what the triage services store is what
the calendar counts, across a weekend, bank holidays and both clock changes, to the microsecond;
changing the office hours counts every wait again; the migration's fill counts as they do; and
the weekly figures read from the stored waits are those counted from the two times."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import pytest

from carebridge.core.calendar import service_time_between
from carebridge.frontdoor.choices import About, Asker, Decision, RequestStatus, Result, Route
from carebridge.frontdoor.dashboard.selectors import weekly_figures
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests import services
from carebridge.frontdoor.requests.waits import (
    MICROSECOND,
    decision_waits_store,
    office_hours_of,
    wait_us,
)
from carebridge.frontdoor.tests.support_requests import likely_answers, submit

pytestmark = pytest.mark.django_db

_numbers = count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def _accept(request: FrontDoorRequest, officer) -> FrontDoorRequest:
    return services.request_accept(
        request=request,
        by=officer,
        new=services.NewServiceUser(
            ss_ref="SS-WAIT-1",
            first_name="Edith",
            last_name="Marlowe",
            date_of_birth=date(1941, 3, 3),
        ),
    )


def _redirect(request: FrontDoorRequest, officer) -> FrontDoorRequest:
    return services.request_redirect(
        request=request, by=officer, to="Community mental health team", text="Phone them."
    )


def _close(request: FrontDoorRequest, officer) -> FrontDoorRequest:
    return services.request_close(request=request, by=officer, text="No further action.")


Decide = Callable[[FrontDoorRequest, object], FrontDoorRequest]


@pytest.mark.parametrize(
    ("submitted", "decided", "hours", "decide"),
    [
        # Friday 6 March 2026, 4pm GMT, to Monday 9 March, 10am: 1 hour on each side of a weekend.
        (utc(2026, 3, 6, 16), utc(2026, 3, 9, 10), 2, _accept),
        # Thursday 2 April, 3pm BST, to Tuesday 7 April, noon BST: Good Friday and Easter Monday
        # shut, so 2 hours on Thursday and 3 on Tuesday.
        (utc(2026, 4, 2, 14), utc(2026, 4, 7, 11), 5, _redirect),
        # Friday 27 March, 4pm GMT, to Monday 30 March, 10am BST: the clocks went forward between.
        (utc(2026, 3, 27, 16), utc(2026, 3, 30, 9), 2, _close),
        # Friday 23 October, 4pm BST, to Monday 26 October, 10am GMT: the clocks went back.
        (utc(2026, 10, 23, 15), utc(2026, 10, 26, 10), 2, _accept),
    ],
)
def test_the_stored_wait_is_the_calendars_count_of_office_hours(
    monkeypatch, council, officer, submitted, decided, hours, decide: Decide
):
    # A fraction of a second each side: stored to the microsecond, as the figures counted it.
    submitted += timedelta(microseconds=250_001)
    decided += timedelta(microseconds=999_999)
    at(monkeypatch, submitted)
    request = submit(council, likely_answers())
    at(monkeypatch, decided)
    services.request_open(request=request, by=officer)

    request = decide(request, officer)

    expected = service_time_between(submitted, decided, office_hours_of(council.pk))
    assert request.decided_at == decided
    assert request.decision_wait_us == expected // MICROSECOND
    assert expected == timedelta(hours=hours, microseconds=999_999 - 250_001)


def test_closing_an_accepted_request_keeps_the_wait_of_its_decision(monkeypatch, council, officer):
    at(monkeypatch, utc(2026, 3, 9, 9))
    request = submit(council, likely_answers())
    at(monkeypatch, utc(2026, 3, 9, 11))
    services.request_open(request=request, by=officer)
    _accept(request, officer)
    at(monkeypatch, utc(2026, 3, 20, 11))

    request = _close(request, officer)

    assert request.decision == Decision.ASSESSMENT
    assert request.decision_wait_us == timedelta(hours=2) // MICROSECOND


def _decided_by_hand(council, submitted: datetime, decided: datetime) -> FrontDoorRequest:
    """A decided request written without the services: no stored wait."""
    return FrontDoorRequest.objects.create(
        council=council,
        reference=f"FD-WAIT-{next(_numbers):05d}",
        status=RequestStatus.CLOSED,
        route=Route.QUEUE,
        asker=Asker.SELF,
        about=About.ADULT,
        ruleset_version="test",
        result=Result.LIKELY_ELIGIBLE,
        submitted_at=submitted,
        changed_at=decided,
        decision=Decision.ASSESSMENT,
        decided_at=decided,
    )


def _random_year(council, seed: int, count: int = 120) -> list[FrontDoorRequest]:
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        submitted = utc(2026, 1, 5) + timedelta(
            seconds=rng.randrange(330 * 86400), microseconds=rng.randrange(10**6)
        )
        decided = submitted + timedelta(
            seconds=rng.randrange(200 * 3600), microseconds=rng.randrange(10**6)
        )
        made.append(_decided_by_hand(council, submitted, decided))
    return made


def test_the_migrations_fill_counts_each_wait_as_the_services_do(council):
    made = _random_year(council, seed=22)
    hours = office_hours_of(council.pk)

    # Batches of seven, so the fill crosses many batch edges.
    assert decision_waits_store(FrontDoorRequest.objects.all(), hours, batch=7) == len(made)

    for request in made:
        request.refresh_from_db()
        assert request.decision_wait_us == wait_us(request.submitted_at, request.decided_at, hours)


def test_changing_the_office_hours_counts_every_wait_again(
    monkeypatch, council, officer, django_capture_on_commit_callbacks
):
    at(monkeypatch, utc(2026, 3, 6, 16))
    request = submit(council, likely_answers())
    at(monkeypatch, utc(2026, 3, 9, 10))
    services.request_open(request=request, by=officer)
    request = _close(request, officer)
    assert request.decision_wait_us == timedelta(hours=2) // MICROSECOND

    # Open on Saturdays, 8 to 6: 2 hours on Friday, 10 on Saturday, 2 on Monday.
    with django_capture_on_commit_callbacks(execute=False) as background:
        services.front_door_settings_update(
            council=council,
            by=officer,
            office_opens=time(8),
            office_closes=time(18),
            office_days="012345",
        )

    # Forgotten at once, so the figures count it in the new hours before the task runs,
    request.refresh_from_db()
    assert request.decision_wait_us is None
    weekly = weekly_figures(council.pk, first=date(2026, 3, 2), last=date(2026, 3, 2))
    assert weekly.total.waits == (timedelta(hours=14),)
    # and the task stores it again.
    for callback in background:
        callback()
    request.refresh_from_db()
    assert request.decision_wait_us == timedelta(hours=14) // MICROSECOND
    assert weekly_figures(council.pk, first=date(2026, 3, 2), last=date(2026, 3, 2)) == weekly


def test_other_settings_leave_the_waits_alone(council):
    _random_year(council, seed=3, count=3)

    services.front_door_settings_update(council=council, by=None, contact_phone="01632 960 101")

    # Written by hand, never counted: nothing counted them again.
    assert not FrontDoorRequest.objects.filter(decision_wait_us__isnull=False).exists()


def _figures(council_id: int) -> list[tuple]:
    weekly = weekly_figures(council_id, first=date(2026, 1, 5), last=date(2026, 12, 28))
    return [
        (
            figures.decided,
            sorted(figures.waits),
            figures.within_target,
            figures.median_to_decision,
            figures.median_hours,
        )
        for figures in (*weekly.weeks, weekly.total)
    ]


def test_the_figures_from_stored_waits_are_those_counted_from_the_two_times(council):
    _random_year(council, seed=7, count=300)
    counted = _figures(council.pk)

    decision_waits_store(
        FrontDoorRequest.objects.filter(council=council), office_hours_of(council.pk)
    )

    assert not FrontDoorRequest.objects.filter(decision_wait_us__isnull=True).exists()
    assert _figures(council.pk) == counted
