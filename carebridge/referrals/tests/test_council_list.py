"""The council's list of every referral it has sent: states, filters, pages and queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.referrals import paging, services
from carebridge.referrals.tests.conftest import NOW, Parties
from carebridge.referrals.tests.test_council_views import LIST, World, make_world, send
from tests.support import client_for, make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def world(parties: Parties) -> World:
    return make_world(parties)


# --- The council's list of referrals -----------------------------------------------------------


def names(response) -> list[str]:
    return [row.referral.service_user.last_name for row in response.context["rows"]]


def test_it_lists_every_referral_of_the_council_with_its_state(world):
    pending = send(world, last_name="Pending", received_at=NOW - timedelta(minutes=10))
    close = send(world, last_name="Close", received_at=NOW - timedelta(minutes=100))
    missed = send(world, last_name="Missed", received_at=NOW - timedelta(days=3))
    accepted = send(world, last_name="Accepted", received_at=NOW - timedelta(days=1))
    services.referral_accept(
        referral=accepted, by=world.carer, first_visit_at=NOW + timedelta(days=1)
    )
    refused = send(world, last_name="Refused")
    services.referral_refuse(referral=refused, by=world.carer, reason="no_capacity")
    make_referral(world.other_council, world.other_provider, by=world.other_broker)

    response = client_for(world.front_door).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 referrals" in page
    assert set(names(response)) == {"Pending", "Close", "Missed", "Accepted", "Refused"}
    assert world.other_provider.name not in page
    rows = {row.referral.pk: row for row in response.context["rows"]}
    assert (rows[pending.pk].urgency, rows[close.pk].urgency, rows[missed.pk].urgency) == (
        "green",
        "amber",
        "red",
    )
    assert rows[accepted.pk].urgency is None and rows[refused.pk].urgency is None
    assert rows[accepted.pk].status == "First visit booked"
    assert rows[refused.pk].status == "Refused"
    assert rows[pending.pk].status == "Pending"
    # Words with the colours: never colour alone.
    assert "In time" in page and "Due soon" in page and "Missed" in page
    assert "SS Ref AV" in page
    assert pending.received_at.strftime("%d/%m/%Y") in page
    assert "9:50am 23/11/2026" in page, "received, as the guide shows times"
    assert reverse("referrals:detail", args=[pending.pk]) in page
    assert "Send a new referral" not in page, "front-door officers view, brokers send"
    assert "Send a new referral" in client_for(world.broker).get(LIST).content.decode()


def test_it_refuses_the_council_list_to_provider_users(world):
    assert client_for(world.carer).get(LIST).status_code in (403, 404)


def test_it_filters_the_list(world):
    send(world, last_name="Hollow", received_at=NOW - timedelta(days=4))
    send(world, last_name="Brindle", district=world.other_district)
    send(world, last_name="Cowslip", provider=world.second_provider)
    missed = send(world, last_name="Missed", received_at=NOW - timedelta(days=3))
    withdrawn = send(world, last_name="Withdrawn")
    services.referral_withdraw(referral=withdrawn, by=world.broker, reason="Moved away")
    client = client_for(world.broker)

    assert names(client.get(LIST, {"q": "brindle"})) == ["Brindle"]
    assert names(client.get(LIST, {"district": world.other_district.pk})) == ["Brindle"]
    assert names(client.get(LIST, {"provider": world.second_provider.pk})) == ["Cowslip"]
    assert names(client.get(LIST, {"state": "missed"})) == ["Missed", "Hollow"]
    assert names(client.get(LIST, {"state": "withdrawn"})) == ["Withdrawn"]
    assert names(client.get(LIST, {"state": "pending", "sort": "oldest"})) == [
        "Hollow",
        "Missed",
        "Brindle",
        "Cowslip",
    ]
    assert names(client.get(LIST, {"state": "pending", "q": "cow"})) == ["Cowslip"]
    response = client.get(LIST, {"state": "accepted"})
    assert names(response) == []
    assert "No referrals match." in response.content.decode()
    assert missed.pk in [row.referral.pk for row in client.get(LIST).context["rows"]]


@pytest.mark.parametrize(
    "query",
    [
        {"provider": "abc"},
        {"provider": "999999"},
        {"district": "-1"},
        {"state": "lost"},
        {"sort": "sideways"},
        {"page": "nine"},
        {"page": "999"},
        {"q": "x" * 500},
    ],
)
def test_it_ignores_bad_filter_values(world, query):
    send(world)
    response = client_for(world.broker).get(LIST, query)
    assert response.status_code == 200
    if "q" not in query:
        assert len(response.context["rows"]) == 1


def test_it_ignores_another_councils_provider_and_district_as_filters(world):
    send(world)
    client = client_for(world.broker)
    assert len(client.get(LIST, {"provider": world.other_provider.pk}).context["rows"]) == 1
    district = world.other_district_of_other_council.pk
    assert len(client.get(LIST, {"district": district}).context["rows"]) == 1


def test_it_counts_and_pages_the_list_by_twenty_five(world):
    for _ in range(27):
        send(world)
    client = client_for(world.broker)
    first = client.get(LIST)
    assert "27 referrals" in first.content.decode()
    assert len(first.context["rows"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert len(second.context["rows"]) == 2


def test_the_list_costs_the_same_queries_for_3_or_30_referrals(world):
    client = client_for(world.broker)

    def make(count: int) -> None:
        for n in range(count):
            referral = send(
                world,
                provider=(world.provider, world.second_provider)[n % 2],
                district=(world.district, world.other_district)[n % 2],
                received_at=NOW - timedelta(hours=n),
            )
            if referral.provider == world.provider and n % 4 == 2:
                services.referral_accept(
                    referral=referral, by=world.carer, first_visit_at=NOW + timedelta(days=1)
                )

    make(3)
    client.get(LIST)  # the session and the like, once
    with CaptureQueriesContext(connection) as three:
        assert client.get(LIST).status_code == 200
    make(27)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 25
    assert len(thirty) == len(three), [q["sql"] for q in thirty]


def test_it_counts_only_so_far_and_still_pages_on(world, monkeypatch):
    # Counted up to the bound or the page asked for and one row more, whichever is further.
    monkeypatch.setattr(paging, "COUNT_BOUND", 10)
    for _ in range(27):
        send(world)
    client = client_for(world.broker)
    first = client.get(LIST)
    page = first.content.decode()
    assert "More than 25 referrals" in page
    assert "Page 1 of more than 1" in page
    assert len(first.context["rows"]) == 25 and first.context["page"].has_next()


def test_it_pages_past_the_bound_to_the_last_referral(world, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_BOUND", 10)
    sent = [send(world, received_at=NOW - timedelta(hours=n)) for n in range(27)]
    client = client_for(world.broker)
    first = client.get(LIST)
    assert first.context["page"].has_next()
    second = client.get(LIST, {"page": 2})
    assert [row.referral.pk for row in second.context["rows"]] == [r.pk for r in sent[25:]]
    assert "27 referrals" in second.content.decode(), "counted up to page 2 and the next: all"
    assert not second.context["page"].has_next()
