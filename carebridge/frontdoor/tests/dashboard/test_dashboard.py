"""The front door's weekly figures (what the dashboard was; its reports show them now): weeks as
London reads them across both clock changes, the medians (odd and even counts), times to a
decision in the office's business hours, five queries whatever the data, another council's
requests never counted; and the dashboard's old address, a permanent redirect to the report."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from carebridge.core.permissions import Role
from carebridge.frontdoor.choices import About, Asker, Decision, RequestStatus, Result, Route
from carebridge.frontdoor.dashboard.selectors import Share, weekly_figures
from carebridge.frontdoor.models import FrontDoorRequest, FrontDoorSettings
from tests.support import client_for, make_council, make_user

pytestmark = pytest.mark.django_db

_numbers = count(1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_request(
    council,
    submitted_at: datetime,
    *,
    result: str = Result.LIKELY_ELIGIBLE,
    route: str = Route.QUEUE,
    appropriate: bool | None = None,
    decided_at: datetime | None = None,
) -> FrontDoorRequest:
    return FrontDoorRequest.objects.create(
        council=council,
        reference=f"FD-DASH-{next(_numbers):05d}",
        status=RequestStatus.RECEIVED if route == Route.QUEUE else RequestStatus.SIGNPOSTED,
        route=route,
        asker=Asker.SELF,
        about=About.ADULT,
        ruleset_version="test",
        result=result,
        submitted_at=submitted_at,
        changed_at=submitted_at,
        appropriate=appropriate,
        decision=Decision.ASSESSMENT if decided_at else "",
        decided_at=decided_at,
    )


def weeks_of(weekly) -> dict[date, int]:
    return {week.starts: week.requests for week in weekly.weeks}


# --- Weeks -----------------------------------------------------------------------------------


def test_weeks_start_on_monday_in_london_across_the_spring_clock_change():
    council = make_council()
    for moment in (
        utc(2026, 3, 15, 23, 59),  # Sunday 15 March, 23:59 GMT: before the range
        utc(2026, 3, 22, 23, 30),  # Sunday 22 March, 23:30 GMT
        utc(2026, 3, 23, 0, 0),  # Monday 23 March, midnight GMT
        utc(2026, 3, 29, 22, 30),  # Sunday 29 March, 23:30 BST: clocks went forward at 1am
        utc(2026, 3, 29, 23, 30),  # Monday 30 March, 00:30 BST
        utc(2026, 4, 12, 22, 59),  # Sunday 12 April, 23:59 BST
        utc(2026, 4, 12, 23, 0),  # Monday 13 April, midnight BST: after the range
    ):
        make_request(council, moment)

    weekly = weekly_figures(council.pk, first=date(2026, 3, 16), last=date(2026, 4, 6))

    assert weeks_of(weekly) == {
        date(2026, 3, 16): 1,
        date(2026, 3, 23): 2,
        date(2026, 3, 30): 1,
        date(2026, 4, 6): 1,
    }
    assert weekly.total.requests == 5
    assert (weekly.starts, weekly.ends) == (date(2026, 3, 16), date(2026, 4, 12))


def test_weeks_start_on_monday_in_london_across_the_autumn_clock_change():
    council = make_council()
    for moment in (
        utc(2026, 10, 18, 22, 59),  # Sunday 18 October, 23:59 BST
        utc(2026, 10, 18, 23, 30),  # Monday 19 October, 00:30 BST
        utc(2026, 10, 25, 23, 30),  # Sunday 25 October, 23:30 GMT: clocks went back at 2am
        utc(2026, 10, 26, 0, 0),  # Monday 26 October, midnight GMT
    ):
        make_request(council, moment)

    weekly = weekly_figures(council.pk, first=date(2026, 10, 5), last=date(2026, 10, 26))

    assert weeks_of(weekly) == {
        date(2026, 10, 5): 0,
        date(2026, 10, 12): 1,
        date(2026, 10, 19): 2,
        date(2026, 10, 26): 1,
    }


def test_it_takes_only_mondays_the_first_no_later_than_the_last():
    council = make_council()
    with pytest.raises(ValueError, match="Mondays"):
        weekly_figures(council.pk, first=date(2026, 3, 3), last=date(2026, 3, 9))
    with pytest.raises(ValueError, match="Mondays"):
        weekly_figures(council.pk, first=date(2026, 3, 9), last=date(2026, 3, 2))


# --- Business hours, shares and medians ------------------------------------------------------


def test_a_time_to_decision_counts_only_the_office_hours_across_a_weekend_and_a_bank_holiday():
    council = make_council()
    # Friday 6 March 2026, 4pm GMT, to Monday 9 March, 10am: 1 hour on Friday, 1 on Monday.
    make_request(council, utc(2026, 3, 6, 16), decided_at=utc(2026, 3, 9, 10))
    # Thursday 2 April 2026, 3pm BST, to Tuesday 7 April, noon BST: Good Friday and Easter
    # Monday are bank holidays, so 2 hours on Thursday and 3 on Tuesday (117 by the clock).
    make_request(council, utc(2026, 4, 2, 14), decided_at=utc(2026, 4, 7, 11))

    weekly = weekly_figures(council.pk, first=date(2026, 3, 2), last=date(2026, 3, 30))
    by_start = {week.starts: week for week in weekly.weeks}

    assert by_start[date(2026, 3, 2)].waits == (timedelta(hours=2),)
    assert by_start[date(2026, 3, 30)].waits == (timedelta(hours=5),)
    assert weekly.total.median_to_decision == timedelta(hours=3.5)


def test_the_office_hours_are_the_councils_front_door_settings():
    council = make_council()
    FrontDoorSettings.objects.create(
        council=council, office_opens=time(8), office_closes=time(18), office_days="012345"
    )
    # Friday 6 March 4pm to Monday 9 March 10am: 2 hours Friday, 10 Saturday, 2 Monday.
    make_request(council, utc(2026, 3, 6, 16), decided_at=utc(2026, 3, 9, 10))

    weekly = weekly_figures(council.pk, first=date(2026, 3, 2), last=date(2026, 3, 2))

    assert weekly.total.waits == (timedelta(hours=14),)
    assert weekly.hours.weekdays == frozenset(range(6))


def test_a_decision_at_24_business_hours_is_within_the_target_and_one_after_is_not():
    council = make_council()
    # Monday 9 March 9am to Wednesday 11 March 5pm: three office days, 24 hours.
    make_request(council, utc(2026, 3, 9, 9), decided_at=utc(2026, 3, 11, 17))
    # Monday 9 March 9am to Thursday 12 March 10am: 25 hours.
    make_request(council, utc(2026, 3, 9, 9), decided_at=utc(2026, 3, 12, 10))

    weekly = weekly_figures(council.pk, first=date(2026, 3, 9), last=date(2026, 3, 9))

    assert (weekly.total.decided, weekly.total.within_target) == (2, 1)
    assert weekly.total.within_target_share == Share(1, 2)
    assert str(weekly.total.within_target_share.percent) == "50.0"
    assert str(weekly.total.median_hours) == "24.5"


@pytest.fixture
def figures():
    """Two weeks in March 2026 of one council, and the same again in another council."""
    council = make_council()
    other = make_council()
    week_1 = utc(2026, 3, 2, 10)  # Monday 2 March, 10am
    week_2 = utc(2026, 3, 9, 10)  # Monday 9 March, 10am
    for each in (council, other):
        # Week 1: four requests, three sent; decided 2, 4 and 6 office hours on (median 4).
        make_request(each, week_1, appropriate=True, decided_at=week_1 + timedelta(hours=6))
        make_request(each, week_1, appropriate=False, decided_at=week_1 + timedelta(hours=2))
        make_request(
            each,
            week_1,
            result=Result.MAY_NOT_BE_ELIGIBLE,
            decided_at=week_1 + timedelta(hours=4),
        )
        make_request(each, week_1, result=Result.MAY_NOT_BE_ELIGIBLE, route=Route.SIGNPOSTED)
        # Week 2: two requests, both decided, 1 and 3 office hours on (even: median 2).
        make_request(each, week_2, appropriate=False, decided_at=week_2 + timedelta(hours=1))
        make_request(each, week_2, appropriate=False, decided_at=week_2 + timedelta(hours=3))
    return council


def test_it_counts_each_week_and_the_range(figures):
    weekly = weekly_figures(figures.pk, first=date(2026, 3, 2), last=date(2026, 3, 16))
    by_start = {week.starts: week for week in weekly.weeks}
    first, second = by_start[date(2026, 3, 2)], by_start[date(2026, 3, 9)]

    assert (first.requests, first.likely_eligible, first.signposted, first.sent) == (4, 2, 1, 3)
    assert (first.judged, first.inappropriate, first.decided) == (2, 1, 3)
    assert (second.requests, second.inappropriate, second.decided) == (2, 2, 2)
    total = weekly.total
    assert (total.requests, total.likely_eligible, total.signposted, total.sent) == (6, 4, 1, 5)
    assert (total.judged, total.inappropriate, total.decided, total.accepted) == (4, 3, 5, 5)


def test_the_median_takes_the_middle_of_an_odd_count_and_the_mean_of_two_of_an_even(figures):
    weekly = weekly_figures(figures.pk, first=date(2026, 3, 2), last=date(2026, 3, 16))
    by_start = {week.starts: week for week in weekly.weeks}

    assert by_start[date(2026, 3, 2)].median_to_decision == timedelta(hours=4)
    assert by_start[date(2026, 3, 9)].median_to_decision == timedelta(hours=2)
    assert by_start[date(2026, 3, 16)].median_to_decision is None
    # All five: 1, 2, 3, 4 and 6 hours.
    assert weekly.total.median_to_decision == timedelta(hours=3)


def test_a_range_with_no_requests_has_no_shares_and_no_median():
    weekly = weekly_figures(make_council().pk, first=date(2026, 3, 2), last=date(2026, 3, 23))

    assert len(weekly.weeks) == 4
    assert weekly.total.requests == 0
    assert weekly.total.within_target_share.percent is None
    assert weekly.total.median_to_decision is None
    assert weekly.total.average_rating is None


def test_it_runs_five_queries_whatever_the_number_of_requests(django_assert_num_queries):
    council = make_council()
    first, last = date(2025, 12, 29), date(2026, 3, 16)
    # The office hours, the requests' counts, their times to decision, bookings, feedback.
    with django_assert_num_queries(5):
        weekly_figures(council.pk, first=first, last=last)
    for n in range(60):
        submitted = utc(2026, 1, 1) + timedelta(days=n, hours=n % 7)
        make_request(
            council,
            submitted,
            route=Route.SIGNPOSTED if n % 3 else Route.QUEUE,
            decided_at=submitted + timedelta(hours=n) if n % 2 else None,
        )
    with django_assert_num_queries(5):
        weekly = weekly_figures(council.pk, first=first, last=last)
    assert weekly.total.requests == 60


def test_another_councils_requests_are_never_counted(figures):
    other = make_council()
    make_request(other, utc(2026, 3, 16, 9), decided_at=utc(2026, 4, 16, 9))

    weekly = weekly_figures(figures.pk, first=date(2026, 3, 2), last=date(2026, 3, 16))

    assert weekly.total.requests == 6
    assert weekly.total.median_to_decision == timedelta(hours=3)


# --- The dashboard's old address -----------------------------------------------------------------


def test_the_dashboard_address_sends_bookmarks_to_the_weekly_report_for_good():
    officer = make_user(council=make_council(), role=Role.FRONT_DOOR_OFFICER)

    response = client_for(officer).get(reverse("frontdoor:dashboard"))

    assert response.status_code == 301
    assert response["Location"] == "/reports/front-door-weekly/"
    assert client_for(officer).get(response["Location"]).status_code == 200


def test_a_bookmarked_number_of_weeks_becomes_the_reports_dates(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: utc(2026, 3, 19, 12))
    officer = make_user(council=make_council(), role=Role.FRONT_DOOR_OFFICER)

    response = client_for(officer).get(reverse("frontdoor:dashboard"), {"weeks": "4"})

    assert response.status_code == 301
    location = urlsplit(response["Location"])
    assert location.path == "/reports/front-door-weekly/"
    # Four weeks up to Thursday 19 March 2026: from Monday 23 February.
    assert parse_qs(location.query) == {
        "starts_0": ["23"],
        "starts_1": ["2"],
        "starts_2": ["2026"],
        "ends_0": ["19"],
        "ends_1": ["3"],
        "ends_2": ["2026"],
    }


@pytest.mark.parametrize("weeks", ["7", "x", "", "²", "04", "9" * 5000])
def test_any_other_number_of_weeks_is_left_behind(weeks):
    officer = make_user(council=make_council(), role=Role.FRONT_DOOR_OFFICER)

    response = client_for(officer).get(reverse("frontdoor:dashboard"), {"weeks": weeks})

    assert response["Location"] == "/reports/front-door-weekly/"
