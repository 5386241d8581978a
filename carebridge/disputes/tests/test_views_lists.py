"""The lists of disputes: open ones unless a status is chosen, the filters of each side (client,
status, actuals weeks; the council's provider, the provider's response dates), a provider of two
councils seeing each council's disputes under its reasons, and a query count that does not grow
with the disputes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.core.calendar import today
from carebridge.disputes import services
from carebridge.disputes.tests.conftest import LAST_WEEK
from carebridge.disputes.tests.test_selectors import both  # noqa: F401 (a fixture)
from tests.support import client_for

pytestmark = pytest.mark.django_db

PROVIDER_LIST = reverse("disputes:dispute_list")
COUNCIL_LIST = reverse("disputes:council_list")


def listed(browser, url: str, **query) -> list[int]:
    page = browser.get(url, query).content.decode()
    return [int(pk) for pk in re.findall(r">Dispute (\d+)</a>", page)]


def date_query(name: str, day) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


@pytest.fixture
def three(disputing, clock):
    """The provider's dispute in each status, newest first: In Dispute, Resolution Requested
    (answered today) and Resolved; and the other provider's In Dispute at the same council."""
    w = disputing.world
    first, second = disputing.rows
    resolved = disputing.raise_([first])
    services.dispute_resolve(by=w.payments_officer, dispute=resolved)
    clock.move(minutes=1)
    answered = services.dispute_request_resolution(
        by=w.carer, dispute=disputing.raise_([second]), response="Checked"
    )
    clock.move(minutes=1)
    open_ = disputing.raise_([first])
    clock.move(minutes=1)
    theirs = disputing.raise_([disputing.other_row])
    return disputing, open_, answered, resolved, theirs


def test_the_provider_sees_its_open_disputes_first_and_finds_others_by_status(three):
    disputing, open_, answered, resolved, _theirs = three
    carer = client_for(disputing.world.carer)
    assert listed(carer, PROVIDER_LIST) == [open_.pk, answered.pk]
    assert listed(carer, PROVIDER_LIST, status="any") == [open_.pk, answered.pk, resolved.pk]
    assert listed(carer, PROVIDER_LIST, status="resolved") == [resolved.pk]
    assert listed(carer, PROVIDER_LIST, status="resolution_requested") == [answered.pk]
    # A status that is not one is ignored, never an error.
    assert listed(carer, PROVIDER_LIST, status="<script>") == [open_.pk, answered.pk]


def test_the_provider_filters_by_client_weeks_and_response_dates(three):
    disputing, open_, answered, resolved, _theirs = three
    carer = client_for(disputing.world.carer)
    everything = {"status": "any"}
    assert listed(carer, PROVIDER_LIST, client="MG123", **everything) == [
        open_.pk,
        answered.pk,
        resolved.pk,
    ]
    assert listed(carer, PROVIDER_LIST, client="Chandler", **everything) == []
    week = LAST_WEEK
    assert len(listed(carer, PROVIDER_LIST, **date_query("week_from", week), **everything)) == 3
    assert len(listed(carer, PROVIDER_LIST, **date_query("week_to", week), **everything)) == 3
    after = date_query("week_from", today())
    assert listed(carer, PROVIDER_LIST, **after, **everything) == []
    before = date_query("week_to", week.replace(year=week.year - 1))
    assert listed(carer, PROVIDER_LIST, **before, **everything) == []
    responded = {**date_query("responded_from", today()), **date_query("responded_to", today())}
    assert listed(carer, PROVIDER_LIST, **responded, **everything) == [answered.pk]
    # A date that is not one is ignored.
    bad = {"responded_from_0": "31", "responded_from_1": "2", "responded_from_2": "2026"}
    assert len(listed(carer, PROVIDER_LIST, **bad, **everything)) == 3


def test_the_council_filters_by_provider_and_another_provider_sees_only_its_own(three):
    disputing, open_, answered, _resolved, theirs = three
    w = disputing.world
    officer = client_for(w.payments_officer)
    assert listed(officer, COUNCIL_LIST) == [theirs.pk, open_.pk, answered.pk]
    assert listed(officer, COUNCIL_LIST, provider=w.other_provider.pk) == [theirs.pk]
    assert listed(officer, COUNCIL_LIST, provider=w.provider.pk) == [open_.pk, answered.pk]
    assert listed(officer, COUNCIL_LIST, provider="99999999999999999999") == [
        theirs.pk,
        open_.pk,
        answered.pk,
    ]
    assert listed(client_for(w.stranger), PROVIDER_LIST) == [theirs.pk]
    assert listed(client_for(w.other_officer), COUNCIL_LIST) == []
    # Each side's list is its own: the other side's is refused.
    assert client_for(w.carer).get(COUNCIL_LIST).status_code == 403
    assert officer.get(PROVIDER_LIST).status_code == 403


def test_the_list_takes_the_same_queries_for_one_dispute_or_four(disputing, clock):
    w = disputing.world
    officer = client_for(w.payments_officer)
    disputing.raise_([disputing.rows[0]])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer.get(COUNCIL_LIST).status_code == 200
        return len(queries)

    officer.get(COUNCIL_LIST)  # the session's first save is not the list's
    one = count()
    disputing.raise_([disputing.rows[1]])
    disputing.raise_([disputing.other_row])
    assert count() == one


def test_a_provider_of_two_councils_sees_each_councils_dispute_under_its_reason(both):  # noqa: F811
    personas, weekly, four_weekly = both
    two = personas.two
    page = client_for(two.carer).get(PROVIDER_LIST).content.decode()
    assert f">Dispute {weekly.pk}</a>" in page and f">Dispute {four_weekly.pk}</a>" in page
    assert "Missed call not logged" in page and two.four_weekly.name in page
    detail = client_for(two.carer).get(reverse("disputes:dispute_detail", args=[weekly.pk]))
    assert weekly.reason.label in detail.content.decode()
    assert two.weekly.name in detail.content.decode()
