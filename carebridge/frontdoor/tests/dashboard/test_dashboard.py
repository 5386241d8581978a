"""The council's front-door dashboard: weeks as London reads them across both clock changes, the
shares and the medians (odd and even counts), nothing at all, two queries whatever the data,
another council's requests never counted or shown, and the page with its charts and tables."""

import re
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from carebridge import urls as project_urls
from carebridge.core.calendar import now, to_london
from carebridge.core.permissions import Function, Role, can_view
from carebridge.frontdoor import urls as frontdoor_urls
from carebridge.frontdoor.choices import About, Asker, RequestStatus, Result, Route
from carebridge.frontdoor.dashboard import urls as urls_dashboard
from carebridge.reports.charts import GREY, Series, bar_chart
from carebridge.frontdoor.dashboard.selectors import Share, dashboard_for
from carebridge.frontdoor.dashboard.views import duration_text
from carebridge.frontdoor.models import FrontDoorRequest
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

# Until the lead includes urls_dashboard in frontdoor/urls.py, these tests add it themselves.
urlpatterns = [
    pattern for pattern in project_urls.urlpatterns if str(pattern.pattern) != "front-door/"
] + [
    path(
        "front-door/",
        include(
            ([*frontdoor_urls.urlpatterns, *urls_dashboard.officer_patterns], "frontdoor"),
            namespace="frontdoor",
        ),
    )
]
with_dashboard_urls = pytest.mark.urls(__name__)

_numbers = count(1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def make_request(
    council,
    submitted_at: datetime,
    *,
    result: str = Result.LIKELY_ELIGIBLE,
    route: str = Route.QUEUE,
    appropriate: bool | None = None,
    decided_after: timedelta | None = None,
    person_name: str = "",
) -> FrontDoorRequest:
    return FrontDoorRequest.objects.create(
        council=council,
        reference=f"FD-DASH-{next(_numbers):05d}",
        status=RequestStatus.RECEIVED if route == Route.QUEUE else RequestStatus.SIGNPOSTED,
        route=route,
        asker=Asker.SELF,
        about=About.ADULT,
        person_name=person_name,
        ruleset_version="test",
        result=result,
        submitted_at=submitted_at,
        changed_at=submitted_at,
        appropriate=appropriate,
        decided_at=submitted_at + decided_after if decided_after is not None else None,
    )


def weeks_of(dashboard) -> dict[date, int]:
    return {week.starts: week.requests for week in dashboard.weeks}


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

    dashboard = dashboard_for(council, weeks=4, today=date(2026, 4, 8))

    assert weeks_of(dashboard) == {
        date(2026, 3, 16): 1,
        date(2026, 3, 23): 2,
        date(2026, 3, 30): 1,
        date(2026, 4, 6): 1,
    }
    assert dashboard.total.requests == 5
    assert (dashboard.starts, dashboard.ends) == (date(2026, 3, 16), date(2026, 4, 12))


def test_weeks_start_on_monday_in_london_across_the_autumn_clock_change():
    council = make_council()
    for moment in (
        utc(2026, 10, 18, 22, 59),  # Sunday 18 October, 23:59 BST
        utc(2026, 10, 18, 23, 30),  # Monday 19 October, 00:30 BST
        utc(2026, 10, 25, 23, 30),  # Sunday 25 October, 23:30 GMT: clocks went back at 2am
        utc(2026, 10, 26, 0, 0),  # Monday 26 October, midnight GMT
    ):
        make_request(council, moment)

    dashboard = dashboard_for(council, weeks=4, today=date(2026, 11, 1))

    assert weeks_of(dashboard) == {
        date(2026, 10, 5): 0,
        date(2026, 10, 12): 1,
        date(2026, 10, 19): 2,
        date(2026, 10, 26): 1,
    }


def test_the_range_ends_with_the_current_week_and_lists_every_week():
    dashboard = dashboard_for(make_council(), weeks=12, today=date(2026, 5, 3))  # a Sunday

    assert len(dashboard.weeks) == 12
    assert dashboard.weeks[-1].starts == date(2026, 4, 27)
    assert dashboard.weeks[0].starts == date(2026, 2, 9)


def test_it_accepts_only_the_weeks_the_page_offers():
    with pytest.raises(ValueError, match="weeks"):
        dashboard_for(make_council(), weeks=5)


# --- Shares and medians ----------------------------------------------------------------------


@pytest.fixture
def figures():
    """Two weeks in March 2026 of one council, and the same again in another council."""
    council = make_council()
    other = make_council()
    week_1 = utc(2026, 3, 2, 10)  # Monday 2 March
    week_2 = utc(2026, 3, 9, 10)  # Monday 9 March
    for each in (council, other):
        # Week 1: four requests, three sent; decisions after 2, 4 and 10 hours (odd: 4 hours).
        make_request(each, week_1, appropriate=True, decided_after=timedelta(hours=10))
        make_request(each, week_1, appropriate=False, decided_after=timedelta(hours=2))
        make_request(
            each,
            week_1,
            result=Result.MAY_NOT_BE_ELIGIBLE,
            appropriate=None,
            decided_after=timedelta(hours=4),
        )
        make_request(each, week_1, result=Result.MAY_NOT_BE_ELIGIBLE, route=Route.SIGNPOSTED)
        # Week 2: two requests, both decided, after 1 and 3 hours (even: 2 hours).
        make_request(each, week_2, appropriate=False, decided_after=timedelta(hours=1))
        make_request(each, week_2, appropriate=False, decided_after=timedelta(hours=3))
    return council


def test_it_counts_the_shares_of_each_week_and_of_the_range(figures):
    dashboard = dashboard_for(figures, weeks=4, today=date(2026, 3, 19))
    by_start = {week.starts: week for week in dashboard.weeks}
    first, second = by_start[date(2026, 3, 2)], by_start[date(2026, 3, 9)]

    assert (first.requests, first.likely_eligible, first.signposted, first.sent) == (4, 2, 1, 3)
    assert first.likely_eligible_share == Share(2, 4)
    assert first.likely_eligible_share.percent == 50
    assert first.signposted_share.percent == 25
    # Among those sent with the officer's view: one inappropriate of two judged.
    assert (first.judged, first.inappropriate, first.inappropriate_share.percent) == (2, 1, 50)
    assert second.inappropriate_share.percent == 100

    total = dashboard.total
    assert (total.requests, total.likely_eligible, total.signposted) == (6, 4, 1)
    assert total.likely_eligible_share.percent == 67  # 4 of 6, rounded half up
    assert total.signposted_share.percent == 17
    assert (total.judged, total.inappropriate) == (4, 3)
    assert total.inappropriate_share.percent == 75
    assert total.decided == 5


def test_the_median_takes_the_middle_of_an_odd_count_and_the_mean_of_two_of_an_even(figures):
    dashboard = dashboard_for(figures, weeks=4, today=date(2026, 3, 19))
    by_start = {week.starts: week for week in dashboard.weeks}

    assert by_start[date(2026, 3, 2)].median_to_decision == timedelta(hours=4)
    assert by_start[date(2026, 3, 9)].median_to_decision == timedelta(hours=2)
    assert by_start[date(2026, 3, 16)].median_to_decision is None
    # All five: 1, 2, 3, 4 and 10 hours.
    assert dashboard.total.median_to_decision == timedelta(hours=3)
    assert dashboard.total.median_hours == 3


def test_the_median_of_the_range_is_not_a_median_of_the_weeks():
    council = make_council()
    # Week 1: 1 hour; week 2: 2, 30 and 40 hours. Medians 1 and 30; all four: (2 + 30) / 2.
    for day, hours in ((2, 1), (9, 2), (9, 30), (9, 40)):
        make_request(council, utc(2026, 3, day, 9), decided_after=timedelta(hours=hours))

    dashboard = dashboard_for(council, weeks=4, today=date(2026, 3, 19))

    assert dashboard.total.median_to_decision == timedelta(hours=16)


def test_a_range_with_no_requests_has_no_shares_and_no_median():
    dashboard = dashboard_for(make_council(), weeks=4, today=date(2026, 3, 19))

    assert not dashboard.has_requests
    assert dashboard.total.requests == 0
    assert dashboard.total.likely_eligible_share.percent is None
    assert dashboard.total.inappropriate_share.percent is None
    assert dashboard.total.median_to_decision is None
    assert all(week.requests == 0 for week in dashboard.weeks)


def test_it_runs_two_queries_whatever_the_number_of_requests(django_assert_num_queries):
    council = make_council()
    with django_assert_num_queries(2):
        dashboard_for(council, weeks=52, today=date(2026, 3, 19))
    for n in range(60):
        make_request(
            council,
            utc(2026, 1, 1) + timedelta(days=n, hours=n % 7),
            route=Route.SIGNPOSTED if n % 3 else Route.QUEUE,
            decided_after=timedelta(hours=n) if n % 2 else None,
        )
    with django_assert_num_queries(2):
        dashboard = dashboard_for(council, weeks=52, today=date(2026, 3, 19))
    assert dashboard.total.requests == 60


def test_another_councils_requests_are_never_counted(figures):
    other = make_council()
    make_request(other, utc(2026, 3, 16, 9), decided_after=timedelta(hours=500))

    dashboard = dashboard_for(figures, weeks=4, today=date(2026, 3, 19))

    assert dashboard.total.requests == 6
    assert dashboard.total.median_to_decision == timedelta(hours=3)


# --- The page --------------------------------------------------------------------------------


def page_url(**query) -> str:
    url = reverse("frontdoor:dashboard")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def people():
    council = make_council("Ashdown Vale Council")
    other = make_council("Quillinghurst Metropolitan Council")
    provider = make_provider("Bluebell Lane Care")
    return {
        "council": council,
        "other": other,
        "officer": make_user(council=council, role=Role.FRONT_DOOR_OFFICER),
        "administrator": make_user(council=council, role=Role.COUNCIL_ADMINISTRATOR),
        "broker": make_user(council=council, role=Role.BROKER),
        "provider_user": make_user(provider=provider, role=Role.SUPER_USER_SCHEDULED),
        "other_officer": make_user(council=other, role=Role.FRONT_DOOR_OFFICER),
    }


def this_week(hours: int = 0) -> datetime:
    """A moment early this week (London), so it counts whatever day the tests run."""
    today = to_london(now()).date()
    monday = today - timedelta(days=today.weekday())
    return datetime(monday.year, monday.month, monday.day, 9, tzinfo=UTC) + timedelta(hours=hours)


@with_dashboard_urls
def test_it_shows_a_front_door_officer_the_figures_charts_and_tables(people):
    council = people["council"]
    make_request(council, this_week(), appropriate=False, decided_after=timedelta(hours=5))
    make_request(council, this_week(1), result=Result.MAY_NOT_BE_ELIGIBLE, route=Route.SIGNPOSTED)

    response = client_for(people["officer"]).get(page_url())

    assert response.status_code == 200
    body = response.content.decode()
    assert "Front-door dashboard" in body
    assert body.count('role="img"') == 2
    for chart in ("requests-chart", "decision-chart"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in body
        assert f'<desc id="{chart}-desc">' in body
    assert "2 requests in all, 1 (50%) likely eligible and 1 (50%) signposted" in body
    assert body.count("<rect ") >= 3
    assert body.count("<table") == 2
    assert body.count('<th scope="row"') == 2 * (12 + 1)  # 12 weeks and the total, twice
    assert "Requests per week, from" in body
    assert "1 of 1 (100%)" in body  # inappropriate among those judged
    assert "5 hours" in body
    # The CSP allows no inline styles, and the page needs no script of its own.
    assert "style=" not in body
    main = body.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    assert "<script" not in main


@with_dashboard_urls
def test_it_says_plainly_when_there_are_no_requests_yet(people):
    response = client_for(people["officer"]).get(page_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "No requests yet in these 12 weeks" in body
    assert 'role="img"' not in body
    assert "<table" not in body


@with_dashboard_urls
@pytest.mark.parametrize(
    ("chosen", "shown"), [("4", 4), ("26", 26), ("52", 52), ("7", 12), ("x", 12)]
)
def test_it_shows_the_weeks_chosen_and_twelve_for_anything_else(people, chosen, shown):
    make_request(people["council"], this_week())

    response = client_for(people["officer"]).get(page_url(weeks=chosen))

    assert response.context["weeks"] == shown
    assert len(response.context["dashboard"].weeks) == shown
    assert f'<option value="{shown}" selected>' in response.content.decode()


@with_dashboard_urls
def test_it_runs_the_same_queries_however_many_requests(people):
    client = client_for(people["officer"])
    make_request(people["council"], this_week())
    client.get(page_url())  # the session, warmed

    with CaptureQueriesContext(connection) as few:
        client.get(page_url())
    for n in range(40):
        make_request(
            people["council"],
            this_week(n % 24) - timedelta(weeks=n % 12),
            decided_after=timedelta(hours=n) if n % 2 else None,
            route=Route.SIGNPOSTED if n % 3 else Route.QUEUE,
        )
    with CaptureQueriesContext(connection) as many:
        client.get(page_url())

    # The session, the user, and the dashboard's two.
    assert len(many) == len(few) == 4


@with_dashboard_urls
def test_another_councils_requests_are_never_shown(people):
    make_request(people["council"], this_week(), person_name="Edith Marlow")
    for n in range(7):
        make_request(people["other"], this_week(n), person_name="Zephyrine Oddfellow")

    ours = client_for(people["officer"]).get(page_url())
    theirs = client_for(people["other_officer"]).get(page_url())

    assert ours.context["dashboard"].total.requests == 1
    assert theirs.context["dashboard"].total.requests == 7
    body = ours.content.decode()
    assert "Quillinghurst" not in body
    assert "Zephyrine" not in body
    assert "Edith" not in body  # figures only: nobody is named


@with_dashboard_urls
@pytest.mark.parametrize(
    "persona", ["officer", "administrator", "broker", "provider_user", "anonymous"]
)
def test_only_council_staff_with_the_front_door_function_see_it(people, persona):
    user = people.get(persona)

    response = client_for(user).get(page_url())

    if user is None:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif user.council_id is not None and can_view(user.role, Function.FRONT_DOOR):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_the_requests_chart_scales_its_bars_to_a_round_axis():
    chart = bar_chart(
        id="c",
        title="t",
        description="d",
        unit="",
        axis_title="Requests",
        series=[Series("All requests", GREY)],
        groups=[("2 Mar", "Week beginning 2 March 2026", (7,)), ("9 Mar", "w", (0,))],
    )

    assert [tick.label for tick in chart.ticks] == ["0", "2", "4", "6", "8"]
    [bar, empty] = chart.bars
    assert bar.y + bar.height == chart.bottom
    assert bar.height == pytest.approx((chart.bottom - chart.top) * 7 / 8, abs=0.01)
    assert empty.height == 0
    assert bar.title == "Week beginning 2 March 2026: all requests 7"


def test_times_to_decision_are_said_in_the_unit_given():
    assert duration_text(timedelta(minutes=45), "hours") == "0.8 hours"
    assert duration_text(timedelta(minutes=2), "hours") == "under 0.1 hours"
    assert duration_text(timedelta(hours=1), "hours") == "1 hour"
    assert duration_text(timedelta(hours=5, minutes=30), "hours") == "5.5 hours"
    assert duration_text(timedelta(hours=72), "days") == "3 days"
    assert duration_text(timedelta(hours=24), "days") == "1 day"
    assert duration_text(timedelta(hours=37), "days") == "1.5 days"
    assert duration_text(None, "days") == ""


@with_dashboard_urls
def test_it_gives_every_time_to_decision_in_one_unit(people):
    council = people["council"]
    for weeks_ago, hours in ((0, 37), (1, 57.6), (2, 45.5)):
        make_request(
            council,
            this_week() - timedelta(weeks=weeks_ago),
            decided_after=timedelta(hours=hours),
        )

    body = client_for(people["officer"]).get(page_url()).content.decode()

    table = body.split("Requests sent to the council and decisions", 1)[1].split("</table>")[0]
    cells = re.findall(r'cell--numeric">(?:<strong>)?([^<]*)<', table)
    column = [cell for cell in cells if re.search("hour|day|minute", cell)]
    assert sorted(column) == ["1.5 days", "1.9 days", "1.9 days", "2.4 days"]
    summary = body.split("Median time from request to decision</dt>", 1)[1].split("</dd>")[0]
    assert "1.9 days" in summary
    assert "Median time to decision, in days" in body
