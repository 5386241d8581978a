"""The week page's rows, written in Python rather than through the template engine (issue 22):
the same queries however many clients, every input labelled with whose row it is, and what
people typed escaped."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services
from carebridge.actuals.tests.conftest import World, item, weeks_ago
from carebridge.organisations.choices import MissedReason
from carebridge.people import services as people
from tests.support import client_for

pytestmark = pytest.mark.django_db


def week_url(world: World, week: date) -> str:
    return f"{reverse('actuals:week')}?service={world.service.pk}&week={week.isoformat()}"


def add_clients(world: World, count: int, *, first: int) -> None:
    """`count` clients with a line each, every other one with an actual that says something
    (a missed hour with its reason and comment, a variation code): rows of every kind."""
    week = weeks_ago(1)
    saved = []
    for number in range(first, first + count):
        person = people.service_user_create(
            council=world.council,
            by=world.broker,
            ss_ref=f"RW{number:03}",
            first_name="Client",
            last_name=f"Number {number:03}",
            date_of_birth=date(1950, 1, 1),
        )
        level = world.nights if number % 3 == 0 else world.hours
        (cpli,) = world.agree(world.line("7", level=level, visits=7), person=person)
        if number % 2 == 0:
            saved.append(
                item(
                    cpli,
                    week,
                    "7",
                    missed="1",
                    missed_reason=MissedReason.PROVIDER_FAILURE,
                    comments="Carer <b>unwell</b> on Tuesday",
                )
            )
    services.actuals_save(world.carer, saved)


def week_page_queries(world: World) -> tuple[int, str]:
    client = client_for(world.carer)
    client.get(week_url(world, weeks_ago(1)))  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as captured:
        response = client.get(week_url(world, weeks_ago(1)))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_week_page_takes_as_many_queries_at_fifty_clients_as_at_ten(world):
    add_clients(world, 9, first=1)
    at_ten, page = week_page_queries(world)
    assert page.count('class="govuk-table__row cb-actuals-client"') == 10
    add_clients(world, 40, first=10)
    at_fifty, page = week_page_queries(world)
    assert page.count('class="govuk-table__row cb-actuals-client"') == 50
    assert at_fifty == at_ten


def test_every_input_of_a_row_is_labelled_with_whose_row_it_is(world):
    add_clients(world, 3, first=1)
    _, page = week_page_queries(world)
    fields = re.findall(r'<(?:input|select) class="govuk-[^"]*"[^>]* id="(line\d+-\w+)"', page)
    # Five figures and four or five details a row, for four rows.
    assert len(fields) >= 4 * 9
    for field_id in fields:
        label = re.search(rf'<label class="govuk-label[^"]*" for="{field_id}">(.*?)</label>', page)
        assert label is not None, field_id
        assert " for Client Number" in label.group(1) or " for Monica Geller" in label.group(1)


def test_it_escapes_what_people_typed_in_the_rows(world):
    add_clients(world, 2, first=1)
    _, page = week_page_queries(world)
    assert "Carer &lt;b&gt;unwell&lt;/b&gt; on Tuesday" in page
    assert "<b>unwell</b>" not in page


def test_a_row_refused_comes_back_with_what_was_typed_its_error_and_its_reason_chosen(world):
    cpli = world.cpli
    data = {
        "service": world.service.pk,
        "week": weeks_ago(1).isoformat(),
        "rows": [cpli.pk],
        f"line{cpli.pk}-actual": "thirteen",
        f"line{cpli.pk}-missed": "1",
        f"line{cpli.pk}-missed_reason": MissedReason.PROVIDER_FAILURE,
        f"line{cpli.pk}-comments": 'Said "no" <twice>',
    }
    response = client_for(world.carer).post(reverse("actuals:week"), data)
    assert response.status_code == 400
    page = response.content.decode()
    field = f"line{cpli.pk}-actual"
    assert f'<p class="govuk-error-message govuk-!-font-size-16" id="{field}-error">' in page
    assert f'value="thirteen" aria-describedby="{field}-error">' in page
    assert f'<option value="{MissedReason.PROVIDER_FAILURE}" selected>' in page
    assert 'value="Said &quot;no&quot; &lt;twice&gt;"' in page
