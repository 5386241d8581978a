"""The referrals API read by a council's case-management system: one referral with its update
log, and the list of referrals (changed since a moment, by status, a page at a time)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carebridge.referrals import api, services
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.test_api import LIST, World, detail_url, error_fields, frozen
from tests.support import make_referral, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


# --- Reading ------------------------------------------------------------------------------------


def test_it_shows_a_referral_with_its_state_and_update_log(world):
    received = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday in summer: London is UTC+1
    with frozen(received):
        referral = world.referral(received_at=received)
    carer = make_user(provider=world.provider, role="super_user_actuals")
    first_visit = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    with frozen(received + timedelta(minutes=30)):
        services.referral_accept(referral=referral, by=carer, first_visit_at=first_visit)

    with frozen(received + timedelta(hours=1)):
        response = world.client.get(detail_url(referral.pk))

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "accepted"
    assert data["stage"] == "booked"
    assert data["received_at"] == "2026-06-01T10:00:00+01:00"
    assert data["respond_by"] == "2026-06-01T12:00:00+01:00"
    assert data["answered_at"] == "2026-06-01T10:30:00+01:00"
    assert data["changed_at"] == "2026-06-01T10:30:00+01:00"
    assert data["first_visit_at"] == "2026-06-02T09:00:00+01:00"
    assert data["update_due_by"] == "2026-06-05T09:00:00+01:00", "72 hours after the first visit"
    assert data["delay_count"] == 0
    assert data["closed_at"] is None
    assert [e["kind"] for e in data["events"]] == ["accepted", "added"]
    accepted = data["events"][0]
    assert accepted["kind_label"] == "Referral accepted"
    assert accepted["at"] == "2026-06-01T10:30:00+01:00"
    assert accepted["by"] == f"{carer.full_name} ({carer.organisation})"
    assert accepted["details"]["first_visit_at"] == first_visit.isoformat()


def test_it_answers_not_found_for_another_councils_referral(world):
    referral = world.referral()

    response = world.other_client.get(detail_url(referral.pk))
    missing = world.client.get(detail_url(referral.pk + 1000))

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert "Maisy" not in response.content.decode()


def test_it_refuses_methods_the_api_does_not_offer(world):
    referral = world.referral()

    response = world.client.delete(detail_url(referral.pk))

    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405
    assert Referral.objects.filter(pk=referral.pk).exists()


def test_it_answers_an_unknown_api_address_in_json(world):
    response = world.client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_it_answers_in_json_when_the_api_itself_fails(world):
    referral = world.referral()
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.key}")

    with mock.patch("carebridge.referrals.api.stage_of", side_effect=RuntimeError("boom")):
        response = client.get(detail_url(referral.pk))

    # The caller is a system, not a person: it gets JSON, and the error page must not take it
    # for a logged-in user either.
    assert response.status_code == 500
    assert response.json()["error"]["message"].startswith("Sorry, there is a problem")


def changed_at(world: World, *moments: datetime) -> list[Referral]:
    made = []
    for moment in moments:
        with frozen(moment):
            made.append(world.referral(received_at=moment))
    return made


def ids(response: Any) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_it_lists_referrals_changed_since_a_moment_oldest_first(world):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    _first, second, third = changed_at(
        world, start, start + timedelta(hours=2), start + timedelta(hours=1)
    )

    response = world.client.get(LIST, {"changed_since": "2026-03-02T09:30:00+00:00"})

    assert response.status_code == 200
    assert ids(response) == [third.pk, second.pk]
    assert response.json()["next"] is None
    assert "events" not in response.json()["results"][0]
    assert response.json()["results"][0]["stage"] == "pending"


def test_it_reads_changed_since_in_any_offset_and_with_an_unencoded_plus(world):
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    _first, second = changed_at(world, start, start + timedelta(hours=1))

    # 10:30 in London (UTC+1) is 09:30 UTC.
    encoded = world.client.get(LIST, {"changed_since": "2026-06-01T10:30:00+01:00"})
    unencoded = world.client.get(LIST + "?changed_since=2026-06-01T10:30:00+01:00")
    zulu = world.client.get(LIST, {"changed_since": "2026-06-01T09:30:00Z"})

    assert ids(encoded) == ids(unencoded) == ids(zulu) == [second.pk]


@pytest.mark.parametrize("value", ["yesterday", "2026-03-02", "2026-03-02T09:30:00", ""])
def test_it_refuses_a_changed_since_that_is_not_a_moment_with_an_offset(world, value):
    response = world.client.get(LIST, {"changed_since": value})

    assert response.status_code == 400
    assert "changed_since" in error_fields(response)


def test_it_lists_every_referral_newest_change_first_without_changed_since(world):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    first, second, third = changed_at(
        world, start, start + timedelta(hours=2), start + timedelta(hours=1)
    )

    response = world.client.get(LIST)

    assert ids(response) == [second.pk, third.pk, first.pk]


def test_it_filters_the_list_by_status(world):
    pending, withdrawn = world.referral(), world.referral()
    services.referral_withdraw(referral=withdrawn, by=None, reason="Moved away", via="Test")

    assert ids(world.client.get(LIST, {"status": "withdrawn"})) == [withdrawn.pk]
    assert ids(world.client.get(LIST, {"status": "pending"})) == [pending.pk]
    bad = world.client.get(LIST, {"status": "locked"})
    assert bad.status_code == 400
    assert "status" in error_fields(bad)


def test_it_lists_only_the_callers_councils_referrals(world):
    ours = world.referral()
    theirs = make_referral(world.other_council, world.other_provider, district=world.other_district)

    assert ids(world.client.get(LIST)) == [ours.pk]
    assert ids(world.other_client.get(LIST)) == [theirs.pk]
    seen_by_them = world.other_client.get(LIST).content.decode()
    assert ours.service_user.ss_ref not in seen_by_them
    assert ours.service_user.last_name not in seen_by_them


def test_it_pages_the_list_with_next_links(world, monkeypatch):
    monkeypatch.setattr(api.ReferralPagination, "page_size", 2)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    made = changed_at(world, *(start + timedelta(minutes=n) for n in range(5)))

    seen: list[int] = []
    url: str | None = f"{LIST}?changed_since=2026-03-01T00:00:00Z"
    pages = 0
    while url:
        response = world.client.get(url)
        assert response.status_code == 200
        seen += ids(response)
        url = response.json()["next"]
        pages += 1

    assert pages == 3
    assert seen == [referral.pk for referral in made]


def test_it_reads_the_list_in_the_same_number_of_queries_for_3_and_30_referrals(world):
    for _ in range(3):
        world.referral()
    world.client.get(LIST)  # the token's first use is recorded once; later calls only read

    with CaptureQueriesContext(connection) as three:
        response = world.client.get(LIST)
    assert len(ids(response)) == 3
    for _ in range(27):
        world.referral()
    with CaptureQueriesContext(connection) as thirty:
        response = world.client.get(LIST)
    assert len(ids(response)) == 30

    assert len(thirty) == len(three), json.dumps([q["sql"] for q in thirty.captured_queries])
    with CaptureQueriesContext(connection) as filtered:
        world.client.get(LIST, {"changed_since": "2020-01-01T00:00:00Z"})
    assert len(filtered) == len(three)
