"""The provider's lists: pending referrals, existing service users, and the home page's
figures from them."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.referrals.tests.conftest import NOW
from carebridge.referrals.tests.provider.conftest import accepted, page, referral, updated, url
from tests.support import (
    client_for,
    make_contract,
    make_council,
    make_district,
    make_referral,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


# --- Pending referrals -----------------------------------------------------------------------


def test_it_lists_pending_referrals_with_their_reply_window(world):
    mine = referral(world)
    response = client_for(world.carer).get(url("pending"))
    assert response.status_code == 200
    body = page(response)
    assert '<h1 class="govuk-heading-l">Pending referrals</h1>' in body
    assert "Current time - 10:00am | 23/11/2026" in body
    assert "1 pending referral<" in body
    assert mine.service_user.full_name in body
    assert "Hospital: Kings Mill, Ward 12" in body
    assert "10:00am 23/11/2026" in body  # referral time
    assert "25/11/2026" in body  # requested service start date
    assert "Newark" in body
    assert "Respond by 12:00pm 23/11/2026" in body
    assert "govuk-tag--green" in body
    assert url("detail", mine.pk) in body
    assert "Ashdown Vale Council</td>" not in body, "one council: no council column"


def test_it_colours_the_reply_window_and_says_so_in_words(world):
    referral(world, received_at=NOW - timedelta(days=3))  # Friday: long missed
    referral(world, received_at=NOW - timedelta(minutes=100))  # 20 minutes left
    body = page(client_for(world.carer).get(url("pending")))
    assert 'govuk-tag--red">Missed<' in body
    assert 'govuk-tag--orange">Due soon<' in body
    assert "Respond by 12:00pm 20/11/2026" in body


def test_it_filters_by_name_district_reply_and_sorts(world):
    newark = referral(world, received_at=NOW - timedelta(days=3))
    other = referral(world, district=make_district(world.council, "Mansfield"))
    client = client_for(world.carer)

    body = page(client.get(url("pending"), {"q": newark.service_user.last_name}))
    assert newark.service_user.full_name in body
    assert other.service_user.full_name not in body
    assert "1 pending referral<" in body

    body = page(client.get(url("pending"), {"district": other.district_id}))
    assert other.service_user.full_name in body
    assert newark.service_user.full_name not in body

    body = page(client.get(url("pending"), {"reply": "missed"}))
    assert newark.service_user.full_name in body
    assert other.service_user.full_name not in body

    body = page(client.get(url("pending"), {"reply": "due"}))
    assert other.service_user.full_name in body
    assert newark.service_user.full_name not in body

    oldest = page(client.get(url("pending")))
    assert oldest.index(newark.service_user.full_name) < oldest.index(other.service_user.full_name)
    newest = page(client.get(url("pending"), {"sort": "newest"}))
    assert newest.index(other.service_user.full_name) < newest.index(newark.service_user.full_name)


def test_it_offers_a_council_filter_only_to_a_provider_of_several_councils(world):
    ours = referral(world)
    body = page(client_for(world.carer).get(url("pending")))
    assert 'name="council"' not in body
    second = make_council("Brackenford Borough Council")
    make_contract(second, world.provider)
    theirs = make_referral(second, world.provider, district=make_district(second, "Fernhill"))
    client = client_for(world.carer)
    body = page(client.get(url("pending")))
    assert 'name="council"' in body
    assert "Brackenford Borough Council</td>" in body
    assert "Fernhill (Brackenford Borough Council)" in body
    body = page(client.get(url("pending"), {"council": second.pk}))
    assert theirs.service_user.full_name in body
    assert ours.service_user.full_name not in body


@pytest.mark.parametrize(
    "query",
    [
        {"district": "abc"},
        {"council": "ashdown"},
        {"reply": "whenever"},
        {"sort": "sideways"},
        {"page": "999"},
        {"page": "x"},
        {"q": "x" * 500},
        {"district": "99999999"},
    ],
)
def test_bad_filter_values_are_ignored(world, query):
    mine = referral(world)
    response = client_for(world.carer).get(url("pending"), query)
    assert response.status_code == 200
    if "q" not in query and query.get("district") != "99999999":
        assert mine.service_user.full_name in page(response)


def test_it_pages_the_pending_list_25_at_a_time(world):
    for _ in range(27):
        referral(world)
    client = client_for(world.carer)
    first = page(client.get(url("pending")))
    assert "27 pending referrals" in first
    assert first.count(">Details<span") == 25
    assert "Page 1 of 2" in first
    second = page(client.get(url("pending"), {"page": 2}))
    assert second.count(">Details<span") == 2


def test_the_pending_list_refreshes_itself_with_htmx(world):
    referral(world)
    client = client_for(world.carer)
    body = page(client.get(url("pending"), {"district": world.district.pk}))
    assert 'hx-get=""' in body, "the page's own address, with its query string"
    assert 'hx-select="#pending-referrals"' in body
    assert 'hx-trigger="every 30s"' in body
    assert 'hx-swap="outerHTML"' in body
    assert "htmx.min.js" in body
    assert "hx-on" not in body

    response = client.get(url("pending"), HTTP_HX_REQUEST="true")
    partial = page(response)
    assert response.status_code == 200
    assert '<div id="pending-referrals"' in partial
    assert "<html" not in partial
    assert "Apply filters" not in partial
    assert "HX-Request" in response["Vary"]


def _queries(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["pending", "existing"])
def test_a_list_runs_the_same_queries_for_3_and_30_referrals(world, name):
    make = referral if name == "pending" else accepted
    for _ in range(3):
        make(world)
    client = client_for(world.carer)
    client.get(url(name))  # the session's first touch is not part of the page
    few = _queries(client, url(name))
    for _ in range(27):
        make(world, district=make_district(world.council))
    many = _queries(client, url(name))
    assert few == many


def test_council_users_cannot_open_the_providers_lists(world):
    for name in ("pending", "existing"):
        assert client_for(world.broker).get(url(name)).status_code == 403


def test_another_provider_sees_none_of_our_referrals(world):
    mine = referral(world)
    body = page(client_for(world.stranger).get(url("pending")))
    assert mine.service_user.full_name not in body
    assert "0 pending referrals" in body


def test_a_read_only_user_can_see_the_lists(world):
    mine = referral(world)
    response = client_for(world.reader).get(url("pending"))
    assert response.status_code == 200
    assert mine.service_user.full_name in page(response)
    assert client_for(world.reader).get(url("existing")).status_code == 200


# --- Existing service users --------------------------------------------------------------------


def test_it_lists_existing_service_users_with_their_status(world):
    booked = accepted(world)
    done = updated(world)
    waiting = referral(world)
    body = page(client_for(world.carer).get(url("existing")))
    assert "Total number of service users = 2" in body
    assert booked.service_user.full_name in body
    assert done.service_user.full_name in body
    assert waiting.service_user.full_name not in body
    assert "2:00pm 23/11/2026" in body
    assert "First visit booked" in body
    assert "Awaiting actuals" in body


def test_it_filters_existing_service_users_by_status(world):
    booked = accepted(world)
    done = updated(world)
    client = client_for(world.carer)
    body = page(client.get(url("existing"), {"status": "awaiting_actuals"}))
    assert "Total number of service users = 1" in body
    assert done.service_user.full_name in body
    assert booked.service_user.full_name not in body
    body = page(client.get(url("existing"), {"status": "pending"}))
    assert "Total number of service users = 2" in body, "not a status of this list: ignored"


def test_a_referral_awaits_its_update_once_the_first_visit_has_passed(world):
    late = accepted(world)
    with mock.patch("django.utils.timezone.now", return_value=NOW + timedelta(hours=5)):
        body = page(client_for(world.carer).get(url("existing"), {"status": "awaiting_update"}))
    assert late.service_user.full_name in body
    assert "Awaiting update" in body


# --- Home page ----------------------------------------------------------------------------------


def test_the_provider_home_shows_service_user_statistics(world):
    referral(world, received_at=NOW - timedelta(days=3))
    referral(world)
    updated(world)
    body = page(client_for(world.carer).get(reverse("home:home")))
    assert "Current service user statistics" in body
    assert 'govuk-tag--red">1<' in body
    assert f"{url('pending')}?reply=missed" in body
    assert f"{url('pending')}?reply=due" in body
    assert f"{url('existing')}?status=awaiting_update" in body
    assert f"{url('existing')}?status=awaiting_actuals" in body
    assert 'govuk-tag--green">1<' in body


def test_a_role_without_referrals_sees_no_statistics(world):
    invoices = make_user(provider=world.provider, role="invoice_only")
    body = page(client_for(invoices).get(reverse("home:home")))
    assert "Current service user statistics" not in body
