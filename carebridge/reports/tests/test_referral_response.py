"""Referral response: each provider's month of referrals, worked by hand.

The council keeps the default rulebook: a 120-minute response window counted 08:00 to 17:30
London time, Monday to Friday, closed on bank holidays; the provider update due 72 hours after
the first visit. The clock stands at noon on Wednesday 10 June 2026 when the report is read.

Alder Care, April 2026 (Good Friday 3 April and Easter Monday 6 April are bank holidays):
  E  received Thu 2 Apr 16:00, accepted Tue 7 Apr 08:10: 90 + 10 = 100 minutes, window ends
     Tue 08:30, in window; first visit Wed 8 Apr, failed Thu 9 Apr before its update was due.
  F  received Wed 15 Apr 10:00, accepted 10:30: 30 minutes, in window; first visit Thu 16 Apr
     10:00, update due Sun 19 Apr 10:00, never sent: due, not on time.
  G  received Thu 16 Apr 10:00, refused (cannot meet needs) 11:00: 60 minutes, in window.
  H  received Fri 17 Apr 10:00, withdrawn by the council 10:30: not answered, not missed.
  -> received 4, in window 3, share 3/3 = 100%, median of 30, 60, 100 = 60, missed 0,
     refused 1, failed 1, updates on time 0 of 1 due.

Alder Care, May 2026 (Monday 25 May is a bank holiday):
  A  received Fri 22 May 16:30: 60 minutes that day, window ends Tue 26 May 09:00; accepted
     Tue 08:45: 60 + 45 = 105 minutes, in window; first visit Wed 27 May 10:00, update due
     Sat 30 May 10:00, sent Sun 31 May: due, late.
  B  received Fri 22 May 17:00: window ends Tue 26 May 09:30; refused (no capacity) Tue 10:00:
     30 + 120 = 150 minutes, missed.
  C  received Wed 13 May 09:00, accepted 09:20: 20 minutes, in window; first visit Thu 14 May
     10:00, update due Sun 17 May 10:00, sent Sat 16 May: on time.
  D  received Mon 11 May 14:00, never answered: missed.
  -> received 4, in window 2, share 2/4 = 50%, median of 20, 105, 150 = 105, missed 2,
     refused 1, failed 0, updates on time 1 of 2 due.

Birch Care, May 2026:
  received Tue 12 May 10:00 and 11:00, accepted 10:10 and 11:25: 10 and 25 minutes, in window;
  first visits 13 and 14 May, updates never sent: both due.
  -> received 2, in window 2, share 100%, median 17.5, missed 0, updates on time 0 of 2 due.

Total: received 10, in window 7, share 7/9 = 77.8%, median of 10, 20, 25, 30, 60, 100, 105,
150 = (30 + 60) / 2 = 45, missed 2, refused 2, failed 1, updates on time 1 of 5 due.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.permissions import Role
from carebridge.organisations.models import Council, Provider
from carebridge.referrals import services
from carebridge.referrals.models import Referral
from carebridge.reports.base import REGISTRY, Table
from carebridge.reports.catalogue.referral_response import build, chart, sums_by_month
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_referral,
    make_user,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
READ_AT = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # noon in London, BST
APRIL_AND_MAY = {"provider": None, "starts": date(2026, 4, 1), "ends": date(2026, 5, 31)}
RANGE_QUERY = {
    "starts_0": "1",
    "starts_1": "4",
    "starts_2": "2026",
    "ends_0": "31",
    "ends_1": "5",
    "ends_2": "2026",
}


def london(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


class Clock:
    """The moment `django.utils.timezone.now` gives, moved by the test as its story goes on."""

    def __init__(self) -> None:
        self.at = READ_AT

    def __call__(self) -> datetime:
        return self.at.astimezone(UTC)


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=moving):
        yield moving


@dataclass
class World:
    council: Council
    alder: Provider
    birch: Provider
    broker: User
    alder_user: User
    birch_user: User
    clock: Clock

    def received(self, provider: Provider, at: datetime, council: Council | None = None):
        self.clock.at = at
        return make_referral(council or self.council, provider, received_at=at)

    def accept(self, referral: Referral, at: datetime, first_visit: datetime) -> Referral:
        self.clock.at = at
        user = self.alder_user if referral.provider_id == self.alder.pk else self.birch_user
        return services.referral_accept(referral=referral, by=user, first_visit_at=first_visit)

    def refuse(self, referral: Referral, at: datetime, reason: str) -> Referral:
        self.clock.at = at
        return services.referral_refuse(referral=referral, by=self.alder_user, reason=reason)

    def update(self, referral: Referral, at: datetime, started: date) -> Referral:
        self.clock.at = at
        return services.referral_update(
            referral=referral,
            by=self.alder_user,
            care_start_date=started,
            predicted_end_date=None,
            terminated_within_72_hours=False,
            needs_changed=False,
            needs_change_details="",
            completed_by="Jo Carer",
            completed_on=at.date(),
        )


@pytest.fixture
def world(clock: Clock) -> World:
    clock.at = london(1, 3, 9)
    council = make_council("Ashdown Vale Council")
    alder, birch = make_provider("Alder Care"), make_provider("Birch Care")
    make_contract(council, alder, start_date=date(2026, 1, 1))
    make_contract(council, birch, start_date=date(2026, 1, 1))
    return World(
        council=council,
        alder=alder,
        birch=birch,
        broker=make_user(council=council, role=Role.BROKER),
        alder_user=make_user(provider=alder, role=Role.SUPER_USER_ACTUALS),
        birch_user=make_user(provider=birch, role=Role.SUPER_USER_ACTUALS),
        clock=clock,
    )


def april(w: World) -> None:
    e = w.received(w.alder, london(2, 4, 16))
    w.accept(e, london(7, 4, 8, 10), first_visit=london(8, 4, 9))
    w.clock.at = london(9, 4, 9)
    services.referral_fail(referral=e, by=w.alder_user, reason="declined")
    f = w.received(w.alder, london(15, 4, 10))
    w.accept(f, london(15, 4, 10, 30), first_visit=london(16, 4, 10))
    g = w.received(w.alder, london(16, 4, 10))
    w.refuse(g, london(16, 4, 11), "cannot_meet_needs")
    h = w.received(w.alder, london(17, 4, 10))
    w.clock.at = london(17, 4, 10, 30)
    services.referral_withdraw(referral=h, by=w.broker, reason="Family now caring")


def may(w: World) -> None:
    d = w.received(w.alder, london(11, 5, 14))
    b1 = w.received(w.birch, london(12, 5, 10))
    w.accept(b1, london(12, 5, 10, 10), first_visit=london(13, 5, 10))
    b2 = w.received(w.birch, london(12, 5, 11))
    w.accept(b2, london(12, 5, 11, 25), first_visit=london(14, 5, 10))
    c = w.received(w.alder, london(13, 5, 9))
    w.accept(c, london(13, 5, 9, 20), first_visit=london(14, 5, 10))
    w.update(c, london(16, 5, 12), started=date(2026, 5, 14))
    a = w.received(w.alder, london(22, 5, 16, 30))
    b = w.received(w.alder, london(22, 5, 17))
    w.accept(a, london(26, 5, 8, 45), first_visit=london(27, 5, 10))
    w.refuse(b, london(26, 5, 10), "no_capacity")
    w.update(a, london(31, 5, 9), started=date(2026, 5, 27))
    assert d.status == "pending"


@pytest.fixture
def told(world: World) -> World:
    april(world)
    may(world)
    world.clock.at = READ_AT
    return world


ALDER_APRIL = (
    "Alder Care",
    "April 2026",
    4,
    3,
    Decimal("100.0"),
    Decimal("60.0"),
    0,
    1,
    "Cannot meet the care needs described 1",
    1,
    0,
    1,
)
ALDER_MAY = (
    "Alder Care",
    "May 2026",
    4,
    2,
    Decimal("50.0"),
    Decimal("105.0"),
    2,
    1,
    "No capacity in the area 1",
    0,
    1,
    2,
)
BIRCH_MAY = ("Birch Care", "May 2026", 2, 2, Decimal("100.0"), Decimal("17.5"), 0, 0, "", 0, 0, 2)
TOTALS = (
    "Total",
    None,
    10,
    7,
    Decimal("77.8"),
    Decimal("45.0"),
    2,
    2,
    "No capacity in the area 1; Cannot meet the care needs described 1",
    1,
    1,
    5,
)


def test_each_provider_month_has_the_hand_worked_figures_over_weekends_and_bank_holidays(
    told: World,
) -> None:
    table = build(told.broker, APRIL_AND_MAY)
    assert [row.cells for row in table.rows] == [ALDER_APRIL, ALDER_MAY, BIRCH_MAY]
    assert table.totals == TOTALS


def test_the_deadlines_the_rows_are_counted_against_are_the_hand_worked_ones(
    told: World,
) -> None:
    # The window across the May bank holiday weekend: 60 minutes on Friday, 60 on Tuesday.
    a, b = Referral.objects.filter(received_at__gte=london(22, 5, 0)).order_by("received_at")
    assert a.respond_by == london(26, 5, 9)
    assert b.respond_by == london(26, 5, 9, 30)
    assert a.update_due_by == london(30, 5, 10)


def test_every_row_names_the_council_whose_referrals_it_counts(
    told: World,
) -> None:
    table = build(told.broker, APRIL_AND_MAY)
    assert {row.council_id for row in table.rows} == {told.council.pk}


def test_another_councils_referrals_to_the_same_provider_never_appear(told: World) -> None:
    other = make_council("Fenwick Borough Council")
    make_contract(other, told.alder, start_date=date(2026, 1, 1))
    theirs = told.received(told.alder, london(20, 5, 10), council=other)
    told.accept(theirs, london(20, 5, 10, 5), first_visit=london(21, 5, 10))
    told.clock.at = READ_AT
    table = build(told.broker, APRIL_AND_MAY)
    assert [row.cells for row in table.rows] == [ALDER_APRIL, ALDER_MAY, BIRCH_MAY]
    officer = make_user(council=other, role=Role.BROKER)
    theirs_table = build(officer, APRIL_AND_MAY)
    assert [row.cells[:4] for row in theirs_table.rows] == [("Alder Care", "May 2026", 1, 1)]


def test_the_provider_filter_keeps_one_providers_rows_and_its_own_totals(told: World) -> None:
    table = build(told.broker, {**APRIL_AND_MAY, "provider": told.birch.pk})
    assert [row.cells for row in table.rows] == [BIRCH_MAY]
    assert table.totals == ("Total", None, *BIRCH_MAY[2:])


def test_months_follow_london_time_and_the_range_includes_its_last_day(world: World) -> None:
    # 00:30 on 1 April in London is 23:30 on 31 March in UTC: April's.
    world.received(world.alder, london(1, 4, 0, 30))
    world.received(world.alder, london(31, 3, 23, 30))
    world.received(world.alder, london(31, 5, 23, 30))
    world.clock.at = READ_AT
    table = build(world.broker, APRIL_AND_MAY)
    assert [row.cells[1:3] for row in table.rows] == [("April 2026", 1), ("May 2026", 1)]


def test_a_referral_still_inside_its_window_is_neither_missed_nor_in_the_share(
    world: World,
) -> None:
    world.received(world.alder, london(10, 6, 11))
    world.clock.at = london(10, 6, 12)  # an hour of the window left
    table = build(
        world.broker, {"provider": None, "starts": date(2026, 6, 1), "ends": date(2026, 6, 30)}
    )
    (row,) = table.rows
    assert row.cells[2:7] == (1, 0, None, None, 0)


def test_the_chart_draws_the_tables_figures_summed_per_month(told: World) -> None:
    table = build(told.broker, APRIL_AND_MAY)
    months = sums_by_month(table)
    # Summed from the rows: April is Alder's; May is Alder's 4 and Birch's 2.
    assert [(m.label, m.received, m.in_window, m.missed) for m in months] == [
        ("April 2026", 4, 3, 0),
        ("May 2026", 6, 4, 2),
    ]
    drawn = chart(table)
    assert drawn is not None
    assert [bar.title for bar in drawn.bars] == [
        "April 2026: received 4",
        "April 2026: answered in window 3",
        "April 2026: missed 0",
        "May 2026: received 6",
        "May 2026: answered in window 4",
        "May 2026: missed 2",
    ]
    assert drawn.description.startswith(
        "Bar chart of the 2 months from April 2026 to May 2026: 10 referrals received, 7 "
        "answered within the response window (77.8% of those whose window has closed) and 2 "
        "missed. The most were received in May 2026 (6)."
    )


def test_the_default_range_is_the_last_12_months_and_the_chart_shows_each_of_them(
    told: World,
) -> None:
    form = REGISTRY["referral-response"].form(None, user=told.broker)
    values = form.values()
    assert values == {"provider": None, "starts": date(2025, 7, 1), "ends": date(2026, 6, 10)}
    table = build(told.broker, values)
    months = sums_by_month(table)
    assert len(months) == 12
    assert (months[0].label, months[-1].label) == ("July 2025", "June 2026")
    assert months[0].received == 0 and months[-1].received == 0


def test_a_commissioner_reads_the_chart_and_its_table_on_the_page(told: World) -> None:
    response = client_for(told.broker).get(
        reverse("reports:report", args=["referral-response"]), RANGE_QUERY
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="referral-response-chart-desc"' in page
    assert "10 referrals received, 7 answered within the response window" in page
    assert "Ashdown Vale Council&#x27;s rules" in page
    assert "77.8%" in page and "Cannot meet the care needs described 1" in page
    assert page.count("Alder Care") >= 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_each_download_is_audited_with_the_rows_it_carried(told: World, fmt: str) -> None:
    response = client_for(told.broker).get(
        reverse("reports:download", args=["referral-response", fmt]), RANGE_QUERY
    )
    assert response.status_code == 200
    content = response.getvalue()  # a streamed CSV is audited once it has all gone
    event = Event.objects.get(action="reports.report_downloaded")
    assert event.council_id == told.council.pk
    assert event.detail == {"report": "referral-response", "format": fmt, "count": 3}
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert lines[1][:6] == ["Alder Care", "April 2026", "4", "3", "100.0", "60.0"]
        assert lines[-1][:6] == ["Total", "", "10", "7", "77.8", "45.0"]


@pytest.mark.parametrize("role", [Role.SUPER_USER_SCHEDULED, Role.REPORTS])
def test_a_provider_user_is_refused_the_report_and_its_downloads(told: World, role: Role) -> None:
    browser = client_for(make_user(provider=told.alder, role=role))
    assert browser.get(reverse("reports:report", args=["referral-response"])).status_code == 403
    url = reverse("reports:download", args=["referral-response", "csv"])
    assert browser.get(url, RANGE_QUERY).status_code == 403


def test_a_front_door_officer_without_the_reports_function_is_refused(told: World) -> None:
    browser = client_for(make_user(council=told.council, role=Role.FRONT_DOOR_OFFICER))
    assert browser.get(reverse("reports:report", args=["referral-response"])).status_code == 403
    url = reverse("reports:download", args=["referral-response", "pdf"])
    assert browser.get(url, RANGE_QUERY).status_code == 403


def _queries(user: User) -> int:
    with CaptureQueriesContext(connection) as queries:
        table = build(user, APRIL_AND_MAY)
        list(table.rows)
        chart(table)
    return len(queries)


def test_the_report_costs_the_same_queries_for_one_referral_as_for_many(world: World) -> None:
    world.received(world.alder, london(13, 5, 9))
    world.clock.at = READ_AT
    few = _queries(world.broker)
    april(world)
    may(world)
    for day in (4, 5, 6):
        r = world.received(world.birch, london(day, 5, 9))
        world.accept(r, london(day, 5, 9, 30), first_visit=london(day + 1, 5, 9))
    world.clock.at = READ_AT
    assert _queries(world.broker) == few == 2


def test_the_table_is_a_report_table_the_views_can_copy_without_losing_its_months(
    told: World,
) -> None:
    table = build(told.broker, APRIL_AND_MAY)
    copied: Table = replace(table, rows=list(table.rows))
    assert [m.label for m in sums_by_month(copied)] == ["April 2026", "May 2026"]
    assert REGISTRY["referral-response"].chart is chart


def test_a_first_visit_shows_the_last_12_months_with_their_dates_in_the_filters(
    told: World,
) -> None:
    response = client_for(told.broker).get(reverse("reports:report", args=["referral-response"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "the 12 months from July 2025 to June 2026" in page
    assert 'value="2025"' in page
