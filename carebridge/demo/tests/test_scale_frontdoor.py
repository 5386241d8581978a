"""The benchmark's front door: a year of requests (some waiting), a directory and a postcode
table, as the services leave them; a second run adds nothing."""

from datetime import timedelta

import pytest

from carebridge.accounts.models import User
from carebridge.core.calendar import today
from carebridge.demo.common import Tally
from carebridge.demo.scale_frontdoor import BENCH_POSTCODE, WAITING, scale_front_door
from carebridge.frontdoor.choices import RequestStatus, Route
from carebridge.frontdoor.dashboard.selectors import monday_of, weekly_figures
from carebridge.frontdoor.directory.selectors import area_for, signposting_for
from carebridge.frontdoor.models import FrontDoorRequest, RequestEvent
from carebridge.frontdoor.requests.filters import QueueFilters
from carebridge.frontdoor.requests.selectors import queue
from carebridge.frontdoor.requests.waits import office_hours_of, wait_us
from carebridge.organisations.models import Council
from tests.support import make_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    from carebridge.demo.scale_council import SCALE_DISTRICTS
    from tests.support import make_council

    council = make_council("Scale County Council")
    for name in SCALE_DISTRICTS:
        make_district(council, name)
    return council


def test_it_builds_a_year_that_the_pages_can_read(council: Council):
    made = scale_front_door(Tally(), council, requests=1200, directory_services=60)

    assert made["requests"] == 1200 and made["directory services"] == 60
    officer = User.objects.get(email="frontdoor@scale.example")
    waiting = list(QueueFilters({}, queue(officer)).qs)
    assert 0 < len(waiting) <= WAITING * 2
    assert all(r.status == RequestStatus.RECEIVED for r in waiting)
    signposted = FrontDoorRequest.objects.filter(route=Route.SIGNPOSTED)
    assert signposted.exists() and not signposted.filter(decided_at__isnull=False).exists()
    assert RequestEvent.objects.count() >= FrontDoorRequest.objects.count()
    this_week = monday_of(today())
    figures = weekly_figures(council.pk, first=this_week - timedelta(weeks=51), last=this_week)
    assert figures.total.requests > 1000 and figures.total.decided > 0
    assert area_for(council, BENCH_POSTCODE).kind == "inside"
    assert signposting_for(council, needs=["nutrition", "community"], postcode=BENCH_POSTCODE)


def test_a_second_run_adds_nothing(council: Council):
    scale_front_door(Tally(), council, requests=1000, directory_services=20)
    again = scale_front_door(Tally(), council, requests=1000, directory_services=20)

    assert again["requests"] == 0 and again["directory services"] == 0
    assert FrontDoorRequest.objects.count() == 1000


def test_each_decided_request_has_its_wait_as_the_triage_services_store_it(council: Council):
    scale_front_door(Tally(), council, requests=900, directory_services=0)

    hours = office_hours_of(council.pk)
    decided = FrontDoorRequest.objects.filter(decided_at__isnull=False)
    assert decided.exists()
    for request in decided:
        assert request.decided_at is not None
        assert request.decision_wait_us == wait_us(request.submitted_at, request.decided_at, hours)
    assert not FrontDoorRequest.objects.filter(
        decided_at__isnull=True, decision_wait_us__isnull=False
    ).exists()
