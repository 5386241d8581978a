"""The front door's reports (issue 19; Telford's questions): requests per week, decisions against
the 24 business-hours target, requests by professionals' organisation and requests turned away
by reason. Every figure is worked out by hand from the requests below, never by the code under
test: times to a decision in the office's hours cross a weekend and the Easter bank holidays.

The weeks asked for: Wednesday 4 March 2026 to Wednesday 1 April 2026, widened to the five whole
weeks from Monday 2 March to Sunday 5 April (Good Friday 3 April, Easter Monday 6 April)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.frontdoor.choices import About, Asker, Decision, RequestStatus, Result, Route
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest, Hub, Slot
from carebridge.frontdoor.models.hubs import BookingStatus
from carebridge.organisations.models import Council
from tests.support import client_for, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db

SLUGS = (
    "front-door-weekly",
    "front-door-decisions",
    "front-door-organisations",
    "front-door-reasons",
)
DATES = "starts_0=4&starts_1=3&starts_2=2026&ends_0=1&ends_1=4&ends_2=2026"
_numbers = count(1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_request(
    council: Council,
    submitted_at: datetime,
    *,
    asker: str = Asker.SELF,
    organisation: str = "",
    result: str = Result.LIKELY_ELIGIBLE,
    route: str = Route.QUEUE,
    decision: str = "",
    decided_at: datetime | None = None,
    redirected_to: str = "",
    appropriate: bool | None = None,
) -> FrontDoorRequest:
    return FrontDoorRequest.objects.create(
        council=council,
        reference=f"FD-REP-{next(_numbers):05d}",
        status=RequestStatus.RECEIVED if route == Route.QUEUE else RequestStatus.SIGNPOSTED,
        route=route,
        asker=asker,
        professional_organisation=organisation,
        about=About.ADULT,
        ruleset_version="test",
        result=result,
        submitted_at=submitted_at,
        changed_at=submitted_at,
        decision=decision,
        decided_at=decided_at,
        redirected_to=redirected_to,
        appropriate=appropriate,
    )


def make_booking(hub: Hub, made: datetime, *, confirmed: bool) -> Booking:
    starts = made + timedelta(days=7, minutes=next(_numbers))
    slot = Slot.objects.create(
        hub=hub, starts_at=starts, ends_at=starts + timedelta(hours=1), created_at=made
    )
    return Booking.objects.create(
        slot=slot,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.HELD,
        reference=f"HB{next(_numbers):06d}",
        name="Someone",
        email="someone@example.org",
        created_at=made,
        changed_at=made,
        held_until=made + timedelta(minutes=30),
        confirmed_at=made + timedelta(minutes=5) if confirmed else None,
    )


def make_hub(council: Council) -> Hub:
    at = utc(2026, 1, 5, 9)
    return Hub.objects.create(
        council=council,
        name="Brookfield Community Hub",
        address_line_1="2 Brookfield Parade",
        town="Wealdbridge",
        postcode="WB1 2HQ",
        created_at=at,
        changed_at=at,
    )


def give_feedback(council: Council, at: datetime, rating: int) -> None:
    Feedback.objects.create(council=council, rating=rating, submitted_at=at)


def fill(council: Council) -> None:
    """The council's front door over the five weeks (and a request either side of them)."""
    P = Asker.PROFESSIONAL
    # Week beginning Monday 2 March.
    # Monday 9am to Thursday 10am: 8 + 8 + 8 + 1 = 25 office hours, after the target.
    make_request(
        council,
        utc(2026, 3, 2, 9),
        decision=Decision.REDIRECTED,
        decided_at=utc(2026, 3, 5, 10),
        redirected_to="Community Mental Health Team",
        appropriate=False,
    )
    # Tuesday, a family member, signposted.
    make_request(
        council,
        utc(2026, 3, 3, 11),
        asker=Asker.FAMILY,
        result=Result.MAY_NOT_BE_ELIGIBLE,
        route=Route.SIGNPOSTED,
    )
    # Wednesday, a professional; not decided yet.
    make_request(council, utc(2026, 3, 4, 12), asker=P, organisation="Wrekin Housing Trust")
    # Friday 4pm to Monday 10am, across the weekend: 1 + 1 = 2 office hours.
    make_request(
        council,
        utc(2026, 3, 6, 16),
        asker=P,
        organisation="NHS Telford",
        decision=Decision.ASSESSMENT,
        decided_at=utc(2026, 3, 9, 10),
        appropriate=True,
    )
    # Saturday 10am (the office shut) to Monday 9:30am: half an office hour.
    make_request(
        council,
        utc(2026, 3, 7, 10),
        asker=P,
        organisation=" nhs  telford",
        result=Result.MAY_NOT_BE_ELIGIBLE,
        decision=Decision.NO_FURTHER_ACTION,
        decided_at=utc(2026, 3, 9, 9, 30),
        appropriate=False,
    )
    # Week beginning Monday 9 March.
    # Monday 9am to Wednesday 5pm: exactly 24 office hours, within the target; accepted, but
    # judged an inappropriate referral.
    make_request(
        council,
        utc(2026, 3, 9, 9),
        decision=Decision.ASSESSMENT,
        decided_at=utc(2026, 3, 11, 17),
        appropriate=False,
    )
    # Tuesday, a professional who gave no organisation, signposted.
    make_request(
        council,
        utc(2026, 3, 10, 10),
        asker=P,
        result=Result.MAY_NOT_BE_ELIGIBLE,
        route=Route.SIGNPOSTED,
    )
    # Week beginning Monday 30 March: Thursday 3pm BST to Tuesday noon BST, across Good Friday,
    # the weekend and Easter Monday: 2 + 3 = 5 office hours (117 by the clock).
    make_request(
        council,
        utc(2026, 4, 2, 14),
        asker=P,
        organisation="Wrekin Housing Trust",
        decision=Decision.REDIRECTED,
        decided_at=utc(2026, 4, 7, 11),
        redirected_to="community mental health  team",
    )
    # Either side of the five weeks: Sunday 1 March, 11:59pm; Monday 6 April, 00:00 BST.
    make_request(council, utc(2026, 3, 1, 23, 59), asker=P, organisation="NHS Telford")
    make_request(council, utc(2026, 4, 5, 23), asker=P, organisation="NHS Telford")

    hub = make_hub(council)
    make_booking(hub, utc(2026, 3, 3, 10), confirmed=True)
    make_booking(hub, utc(2026, 3, 3, 11), confirmed=False)  # never confirmed: not a booking
    make_booking(hub, utc(2026, 3, 10, 10), confirmed=True)
    give_feedback(council, utc(2026, 3, 2, 12), 5)
    give_feedback(council, utc(2026, 3, 8, 12), 2)
    give_feedback(council, utc(2026, 3, 12, 12), 4)


@dataclass
class World:
    council: Council
    other: Council
    officer: User
    other_officer: User
    broker: User
    provider_user: User


@pytest.fixture
def world() -> World:
    council = make_council("Ashdown Vale Council")
    other = make_council("Quillinghurst Metropolitan Council")
    fill(council)
    # The other council's own front door: never counted in this one's.
    make_request(
        other,
        utc(2026, 3, 3, 9),
        asker=Asker.PROFESSIONAL,
        organisation="Zephyr Care",
        decision=Decision.REDIRECTED,
        decided_at=utc(2026, 3, 3, 10),
        redirected_to="Quillinghurst Carers Centre",
        appropriate=False,
    )
    make_booking(make_hub(other), utc(2026, 3, 3, 10), confirmed=True)
    give_feedback(other, utc(2026, 3, 3, 12), 1)
    return World(
        council=council,
        other=other,
        officer=make_user(council=council, role=Role.FRONT_DOOR_OFFICER),
        other_officer=make_user(council=other, role=Role.FRONT_DOOR_OFFICER),
        broker=make_user(council=council, role=Role.BROKER),
        provider_user=make_user(
            provider=make_provider("Bluebell Lane Care"), role=Role.SUPER_USER_SCHEDULED
        ),
    )


def csv_rows(user: User, slug: str, query: str = DATES) -> list[list[str]]:
    response = client_for(user).get(f"/reports/{slug}/download.csv?{query}")
    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Requests per week ------------------------------------------------------------------------

WEEKLY_HEADER = [
    "Week beginning",
    "Requests",
    "From residents",
    "From professionals",
    "Likely eligible",
    "Signposted",
    "Sent to the council",
    "Accepted for assessment",
    "Redirected",
    "No further action",
    "Judged inappropriate",
    "Decided",
    "Decided within the response promise",
    "Share decided within the response promise",
    "Median business hours to decision",
    "Hub bookings",
    "Feedback given",
    "Average rating (1 to 5)",
]
WEEKLY = [
    # 2 March: 5 requests (2 residents, 3 professionals); 3 decided after 25, 2 and 0.5 office
    # hours (median 2; 2 of 3 within 24); one confirmed booking; feedback 5 and 2 (3.5).
    [
        "02/03/2026",
        "5",
        "2",
        "3",
        "3",
        "1",
        "4",
        "1",
        "1",
        "1",
        "2",
        "3",
        "2",
        "66.7",
        "2.0",
        "1",
        "2",
        "3.5",
    ],
    # 9 March: decided after exactly 24 office hours: within; feedback 4.
    [
        "09/03/2026",
        "2",
        "1",
        "1",
        "1",
        "1",
        "1",
        "1",
        "0",
        "0",
        "1",
        "1",
        "1",
        "100.0",
        "24.0",
        "1",
        "1",
        "4.0",
    ],
    [
        "16/03/2026",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "",
        "",
        "0",
        "0",
        "",
    ],
    [
        "23/03/2026",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "",
        "",
        "0",
        "0",
        "",
    ],
    # 30 March: 5 office hours across Easter.
    [
        "30/03/2026",
        "1",
        "0",
        "1",
        "1",
        "0",
        "1",
        "0",
        "1",
        "0",
        "0",
        "1",
        "1",
        "100.0",
        "5.0",
        "0",
        "0",
        "",
    ],
    # All five weeks: decisions after 0.5, 2, 5, 24 and 25 hours: median 5, 4 of 5 within;
    # ratings 5, 2 and 4: 11 / 3 = 3.7.
    [
        "Total",
        "8",
        "3",
        "5",
        "5",
        "2",
        "6",
        "2",
        "2",
        "1",
        "3",
        "5",
        "4",
        "80.0",
        "5.0",
        "2",
        "3",
        "3.7",
    ],
]


def test_the_weekly_report_gives_each_weeks_figures_worked_by_hand(world):
    rows = csv_rows(world.officer, "front-door-weekly")

    assert rows[0] == WEEKLY_HEADER
    assert rows[1:] == WEEKLY


def test_the_weekly_page_draws_requests_per_week_and_says_whose_office_hours_count(world):
    response = client_for(world.officer).get(f"/reports/front-door-weekly/?{DATES}")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-labelledby="requests-chart-title" aria-describedby="requests-chart-desc"' in body
    assert "8 requests in all" in body
    assert "The busiest week began 2 March 2026, with 5." in body
    assert (
        "Mondays, Tuesdays, Wednesdays, Thursdays, Fridays, 09:00 to 17:00, not on bank holidays"
        in body
    )
    assert "these are the 5 weeks from 02/03/2026 to 05/04/2026" in body
    assert "style=" not in body


def test_the_first_visit_shows_the_last_twelve_weeks(world, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: utc(2026, 3, 19, 12))

    response = client_for(world.officer).get("/reports/front-door-weekly/")

    rows = response.context["table"].rows
    assert [row.cells[0].isoformat() for row in (rows[0], rows[-1])] == ["2025-12-29", "2026-03-16"]
    assert len(rows) == 12
    # Five, two, and the one of Sunday 1 March; not the one of 30 March.
    assert response.context["totals"][1][0] == "8"


# --- Decisions against the target -------------------------------------------------------------

DECISIONS = [
    [
        "Week beginning",
        "Sent to the council",
        "Not yet decided",
        "Decided",
        "Accepted for assessment",
        "Redirected",
        "No further action",
        "Decided within the response promise",
        "Decided after the target",
        "Share decided within the response promise",
        "Median business hours to decision",
    ],
    ["02/03/2026", "4", "1", "3", "1", "1", "1", "2", "1", "66.7", "2.0"],
    ["09/03/2026", "1", "0", "1", "1", "0", "0", "1", "0", "100.0", "24.0"],
    ["16/03/2026", "0", "0", "0", "0", "0", "0", "0", "0", "", ""],
    ["23/03/2026", "0", "0", "0", "0", "0", "0", "0", "0", "", ""],
    ["30/03/2026", "1", "0", "1", "0", "1", "0", "1", "0", "100.0", "5.0"],
    ["Total", "6", "1", "5", "2", "2", "1", "4", "1", "80.0", "5.0"],
]


def test_the_decisions_report_counts_those_within_and_after_24_business_hours(world):
    assert csv_rows(world.officer, "front-door-decisions") == DECISIONS


def test_the_decisions_page_draws_decisions_within_and_after_the_target(world):
    body = client_for(world.officer).get(f"/reports/front-door-decisions/?{DATES}").content.decode()

    assert 'aria-labelledby="decisions-chart-title" aria-describedby="decisions-chart-desc"' in body
    assert "Of 5 decisions in all, 4 were within the response promise." in body
    assert "Week beginning 2 March 2026: decided after the target 1" in body


# --- By organisation and by reason ------------------------------------------------------------


def test_professionals_requests_are_counted_per_organisation_however_it_was_typed(world):
    assert csv_rows(world.officer, "front-door-organisations") == [
        [
            "Organisation",
            "Requests",
            "Likely eligible",
            "Signposted",
            "Sent to the council",
            "Accepted for assessment",
            "Redirected",
            "No further action",
            "Judged inappropriate",
        ],
        # "NHS Telford" and " nhs  telford", once each: the first alphabetically is shown.
        ["NHS Telford", "2", "1", "0", "2", "1", "0", "1", "1"],
        ["Wrekin Housing Trust", "2", "2", "0", "2", "0", "1", "0", "0"],
        ["Not given", "1", "0", "1", "0", "0", "0", "0", "0"],
        ["Total", "5", "3", "1", "4", "1", "1", "1", "1"],
    ]


def test_requests_turned_away_are_counted_per_reason(world):
    assert csv_rows(world.officer, "front-door-reasons") == [
        [
            "Decision",
            "Redirected to",
            "Requests",
            "From professionals",
            "Judged inappropriate",
            "Judged appropriate",
            "Not judged",
        ],
        ["Redirected to another service", "Community Mental Health Team", "2", "1", "1", "0", "1"],
        ["No further action", "", "1", "1", "1", "0", "0"],
        ["Accepted for assessment", "", "1", "0", "1", "0", "0"],
        ["Total", "", "4", "2", "3", "0", "1"],
    ]


# --- Whose figures, who may read them ---------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_officers_of_another_council_see_nothing_of_this_ones(world, slug):
    body = client_for(world.other_officer).get(f"/reports/{slug}/?{DATES}").content.decode()

    for ours in ("NHS Telford", "Wrekin", "Community Mental Health", "Ashdown"):
        assert ours not in body


def test_another_councils_officer_gets_only_its_own_week(world):
    rows = csv_rows(world.other_officer, "front-door-weekly")

    assert rows[1][:2] == ["02/03/2026", "1"]
    assert rows[-1][1] == "1"
    assert rows[-1][-3:] == ["1", "1", "1.0"]  # its one booking and its one feedback, rated 1


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("who", ["broker", "provider_user"])
def test_brokers_and_provider_users_are_refused(world, slug, who):
    user = getattr(world, who)
    client = client_for(user)

    assert client.get(f"/reports/{slug}/").status_code == 403
    assert client.get(f"/reports/{slug}/download.csv").status_code == 403
    assert not Event.objects.filter(action__startswith="reports.").exists()


def test_the_reports_page_lists_the_four_under_front_door(world):
    body = client_for(world.officer).get("/reports/").content.decode()

    assert "Front door" in body
    for slug in SLUGS:
        assert f"/reports/{slug}/" in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
@pytest.mark.parametrize(("slug", "rows"), [("front-door-weekly", 5), ("front-door-reasons", 3)])
def test_every_download_is_audited_in_the_officers_council_with_its_rows(world, fmt, slug, rows):
    response = client_for(world.officer).get(f"/reports/{slug}/download.{fmt}?{DATES}")
    if fmt == "csv":
        response.getvalue()  # the CSV is audited once it has been sent

    [event] = Event.objects.filter(action="reports.report_downloaded")
    assert event.council_id == world.council.pk
    assert event.detail == {"report": slug, "format": fmt, "count": rows}


# --- A fixed number of queries ----------------------------------------------------------------


def _queries(user: User, url: str) -> int:
    client = client_for(user)
    client.get(url)  # the session, warmed
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_runs_the_same_queries_at_two_sizes(world, slug):
    url = f"/reports/{slug}/?{DATES}"
    few = _queries(world.officer, url)
    for n in range(40):
        submitted = utc(2026, 3, 2, 9) + timedelta(days=n % 30, hours=n % 8)
        make_request(
            world.council,
            submitted,
            asker=Asker.PROFESSIONAL if n % 2 else Asker.SELF,
            organisation=f"Organisation {n % 7}",
            route=Route.SIGNPOSTED if n % 3 == 0 else Route.QUEUE,
            decision=Decision.REDIRECTED if n % 3 == 1 else "",
            decided_at=submitted + timedelta(hours=n) if n % 3 == 1 else None,
            redirected_to=f"Service {n % 5}",
        )
        give_feedback(world.council, submitted, 1 + n % 5)

    assert _queries(world.officer, url) == few
