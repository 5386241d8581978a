"""The actuals pages' "Ask for a temporary CPLI": payments offers it (through core.row_links) on a
row over the exception, to a provider's user who may raise a variation request, unless an open
request covers that client's week; the pages' queries stay the same however many rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.models import Actual
from carebridge.actuals.tests.test_views import week_url
from carebridge.payments.row_links import ASK_LABEL, variation_row_links
from carebridge.payments.services import variations as services
from carebridge.payments.tests.conftest import LAST_WEEK, clients, enter, period_of
from carebridge.payments.tests.test_variations import ask, brokerage  # noqa: F401 (fixture)
from tests.support import client_for

pytestmark = pytest.mark.django_db
NEW = reverse("payments:variation_new")
WEEK = timedelta(days=7)


@pytest.fixture
def over(paying, brokerage):  # noqa: F811 (the fixture imported above)
    """Last week: the world's client 20 hours against 14 planned, another client on plan."""
    (on_plan,) = clients(paying, 1, quantity="10")
    enter(paying, (paying.cpli, "20"), (on_plan, "10"), comments="Daughter away")
    paying.actual = Actual.objects.get(cpli=paying.cpli, week_start=LAST_WEEK)
    paying.on_plan = Actual.objects.get(cpli=on_plan, week_start=LAST_WEEK)
    return paying


def page_of(world, user=None, *, period: bool = False) -> str:
    url = (
        reverse("actuals:period", args=[period_of(world).pk])
        if period
        else week_url(world, LAST_WEEK)
    )
    response = client_for(user or world.carer).get(url)
    assert response.status_code == 200
    return response.content.decode()


def link_of(actual: Actual) -> str:
    return f'href="{NEW}?actual={actual.pk}"'


@pytest.mark.parametrize("period", [False, True], ids=["week page", "exceptions"])
def test_a_row_over_the_exception_offers_a_temporary_cpli_naming_its_client(over, period):
    body = page_of(over, period=period)
    assert link_of(over.actual) in body
    assert (
        f'{ASK_LABEL}<span class="govuk-visually-hidden"> for Monica Geller, week of '
        f"{LAST_WEEK:%d/%m/%Y}</span>"
    ) in body
    assert link_of(over.on_plan) not in body


def test_the_link_leads_to_the_request_filled_in_from_the_row(over):
    response = client_for(over.carer).get(f"{NEW}?actual={over.actual.pk}")
    assert response.status_code == 200
    assert "Monica Geller" in response.content.decode()


@pytest.mark.parametrize("period", [False, True], ids=["week page", "exceptions"])
def test_a_user_who_may_not_raise_a_request_sees_no_link(over, period):
    assert not services.may_request_variation(over.read_only, over.provider.pk)
    assert ASK_LABEL not in page_of(over, over.read_only, period=period)


def test_an_open_request_for_the_clients_week_takes_the_link_away_until_it_is_decided(over):
    request = ask(over)
    assert link_of(over.actual) not in page_of(over)
    assert link_of(over.actual) not in page_of(over, period=True)
    services.variation_request_refuse(by=over.broker, request=request, reason="Not agreed")
    assert link_of(over.actual) in page_of(over)


def test_an_open_request_for_another_week_leaves_the_link(over):
    ask(over, first=LAST_WEEK - WEEK, last=LAST_WEEK - WEEK)
    assert link_of(over.actual) in page_of(over)


def test_it_offers_nothing_on_another_providers_row_or_to_a_council_user(over):
    assert variation_row_links(over.stranger, [over.actual]) == {}
    assert variation_row_links(over.broker, [over.actual]) == {}
    assert list(variation_row_links(over.carer, [over.actual, over.on_plan])) == [over.actual.pk]


def _queries(world, url: str) -> int:
    client = client_for(world.carer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_pages_run_the_same_queries_for_one_row_over_or_many(over):
    urls = [week_url(over, LAST_WEEK), reverse("actuals:period", args=[period_of(over).pk])]
    one = [_queries(over, url) for url in urls]
    more = clients(over, 6, quantity="10")
    enter(over, *((cpli, "20") for cpli in more), comments="Extra calls")
    body = page_of(over)
    assert body.count(f"{ASK_LABEL}<span") == 7
    assert [_queries(over, url) for url in urls] == one


def test_the_clients_add_edit_page_offers_it_too(over):
    url = reverse("actuals:client", args=[over.person.pk])
    query = f"?service={over.service.pk}&week={LAST_WEEK.isoformat()}"
    response = client_for(over.carer).get(url + query)
    assert response.status_code == 200
    assert link_of(over.actual) in response.content.decode()
