"""The provider's periods pages run as many queries with many periods and rows as with few."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import weeks_ago
from carebridge.actuals.tests.services_support import generate, period_of
from carebridge.people import services as people
from tests.support import client_for

pytestmark = pytest.mark.django_db

# Seven planned, two missed, and seven delivered all the same: an exception the page lists.
DOES_NOT_ADD_UP = Entry(
    actual=Decimal("7"), missed=Decimal("2"), missed_reason="non_engagement", comments="Refused"
)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _confirm(world, week: date) -> None:
    generate(world, week)
    services.actuals_confirm(world.carer, period_of(world, week))


def test_the_period_list_takes_no_more_queries_for_more_periods_confirmed_or_not(
    world, clock, django_assert_max_num_queries
):
    _confirm(world, weeks_ago(6))
    client = client_for(world.carer)
    few = _queries(client, reverse("actuals:period_list"))
    # Five more periods confirmed, one of them changed since, and the rest left waiting.
    for n in range(1, 6):
        _confirm(world, weeks_ago(n))
    clock.move(minutes=5)
    services.actuals_save(
        world.carer,
        [
            services.Item(
                world.cpli.pk, weeks_ago(2), Entry(actual=Decimal("14"), comments="Late"), "r"
            )
        ],
    )
    with django_assert_max_num_queries(few):
        page = client.get(reverse("actuals:period_list")).content.decode()
    assert page.count("Confirmed") >= 5 and "Changed since confirmed" in page


def test_a_periods_page_takes_no_more_queries_for_more_exceptions(
    world, clock, django_assert_max_num_queries
):
    def exceptions(first: int, count: int) -> None:
        for n in range(first, first + count):
            person = people.service_user_create(
                council=world.council,
                by=world.broker,
                ss_ref=f"PQ{n:04d}",
                first_name="Client",
                last_name=f"Number {n}",
                date_of_birth=date(1950, 1, 1),
            )
            (cpli,) = world.agree(world.line("7"), person=person)
            services.actuals_save(
                world.carer,
                [services.Item(cpli.pk, weeks_ago(1), DOES_NOT_ADD_UP, f"r{n}")],
            )

    exceptions(0, 2)
    client = client_for(world.carer)
    url = reverse("actuals:period", args=[period_of(world, weeks_ago(1)).pk])
    few = _queries(client, url)
    exceptions(2, 20)
    with django_assert_max_num_queries(few):
        page = client.get(url).content.decode()
    assert page.count("Does not add up") == 22
