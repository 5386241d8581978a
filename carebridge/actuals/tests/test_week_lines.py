"""The week page reads the week's lines once (issue 22): its filters, clients, lines still to
generate and totals all come from that one read, and still say what they said when each asked
the database itself."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services
from carebridge.actuals.selectors import week_lines
from carebridge.actuals.tests.conftest import World, item, weeks_ago
from carebridge.people import services as people
from tests.support import client_for

pytestmark = pytest.mark.django_db

WEEK = weeks_ago(1)


@pytest.fixture
def three(world: World) -> World:
    """Monica Geller (14 hours, entered), Ross Geller (7 nights, not entered) and Chandler Bing
    (3.5 hours, not entered, and a short break, which has no weekly plan)."""
    ross = _person(world, "RG1", "Ross", "Geller")
    chandler = _person(world, "CB1", "Chandler", "Bing")
    world.agree(world.line("7", level=world.nights), person=ross)
    world.agree(world.line("3.5"), world.short_break_line(), person=chandler)
    services.actuals_save(world.carer, [item(world.cpli, WEEK, "14")])
    return world


def _person(world: World, ss_ref: str, first: str, last: str):
    return people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=ss_ref,
        first_name=first,
        last_name=last,
        date_of_birth=date(1950, 1, 1),
    )


def _page(world: World, **filters: str) -> str:
    query = {"service": world.service.pk, "week": WEEK.isoformat(), **filters}
    response = client_for(world.carer).get(reverse("actuals:week"), query)
    assert response.status_code == 200
    return response.content.decode()


def _clients(page: str) -> list[str]:
    return re.findall(
        r'cb-actuals-client"><th scope="rowgroup" class="govuk-table__header" colspan="6">'
        r"([^<]*) <span",
        page,
    )


def test_without_filters_it_lists_every_client_by_name_and_counts_only_weekly_lines(three):
    page = _page(three)
    assert _clients(page) == ["Chandler Bing", "Monica Geller", "Ross Geller"]
    assert "Clients 1 to 3 of 3" in page
    # Ross's nights and Chandler's hours: the short break has no week to generate.
    assert "2 lines have no actuals for this week yet" in page
    assert "Total: £226.24 of £226.24" in page


@pytest.mark.parametrize(
    ("filters", "shown", "total"),
    [
        ({"client": "geller"}, ["Monica Geller", "Ross Geller"], "£226.24"),
        ({"client": "bing"}, ["Chandler Bing"], "£0.00"),
        ({"with_actuals": "yes"}, ["Monica Geller"], "£226.24"),
        ({"with_actuals": "no"}, ["Chandler Bing", "Ross Geller"], "£0.00"),
        ({"with_actuals": "no", "client": "ross"}, ["Ross Geller"], "£0.00"),
    ],
)
def test_each_filter_keeps_its_clients_and_the_total_of_their_lines(three, filters, shown, total):
    page = _page(three, **filters)
    assert _clients(page) == shown
    assert f"Clients 1 to {len(shown)} of {len(shown)}" in page
    assert f"Total: {total} of £226.24" in page
    # Each council's lines still to generate are the whole week's, whatever the filters.
    assert "2 lines have no actuals for this week yet" in page


def test_the_service_level_filter_keeps_that_levels_lines_and_offers_every_level(three):
    page = _page(three, service_level=str(three.nights.pk))
    assert _clients(page) == ["Ross Geller"]
    assert "Total: £0.00 of £226.24" in page
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', page)
    levels = [(value, label) for value, _selected, label in options if value]
    assert [label for _value, label in levels] == [
        "Home Care - Single Assist Fixed Rate",
        "Night Sits",
        "Short Break - Nightly",
    ]
    assert (str(three.nights.pk), " selected", "Night Sits") in options


def _reads_of_the_weeks_lines(world: World, **filters: str) -> int:
    client = client_for(world.carer)
    query = {"service": world.service.pk, "week": WEEK.isoformat(), **filters}
    client.get(reverse("actuals:week"), query)  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("actuals:week"), query).status_code == 200
    # The lines running in the week: the only query on the lines with their status and dates.
    running = re.compile(r'FROM "contracts_cpli".*"contracts_cpli"\."status" IN', re.DOTALL)
    return sum(1 for each in captured.captured_queries if running.search(each["sql"]))


def test_it_reads_the_weeks_lines_once_and_once_more_only_when_a_filter_is_chosen(three):
    assert _reads_of_the_weeks_lines(three) == 1
    assert _reads_of_the_weeks_lines(three, client="geller") == 2


def test_the_week_lines_give_the_page_of_clients_in_the_order_of_their_lines(three):
    lines = week_lines(three.service, WEEK)
    clients = lines.clients()
    assert len(clients) == 3
    ids = lines.on_page(clients[:2])
    # Chandler's hours and short break, by service level name, then Monica's line.
    assert len(ids) == 3 and ids[-1] == three.cpli.pk
    assert lines.on_page(clients, kept={three.cpli.pk}) == [three.cpli.pk]
    assert lines.councils() == {three.council.pk: 2}
