"""The existing service users list shows when each person was discharged from hospital, as
HomeFirst's list does ("Discharged from Hospital : 22/12/17"), without a query a row."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.referrals.tests.provider.conftest import accepted, page, url
from tests.support import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

COLUMN = '<th scope="col" class="govuk-table__header">Discharged from hospital</th>'


def _cells_of(body: str, name: str) -> dict[str, str]:
    """The row's cells, by column heading."""
    start = body.index(name)
    row = body[body.rindex("<tr", 0, start) : body.index("</tr>", start)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    headings = ["Service user", "Care start date", "Current status", "Discharged from hospital"]
    return dict(zip(headings, cells, strict=False))


def test_it_shows_the_discharge_date_of_each_service_user(world):
    from_hospital = accepted(world, discharge_date=date(2026, 11, 21))
    body = page(client_for(world.carer).get(url("existing")))
    assert COLUMN in body
    assert _cells_of(body, from_hospital.service_user.full_name)["Discharged from hospital"] == (
        "21/11/2026"
    )


def test_it_shows_a_dash_for_someone_referred_from_the_community(world):
    community = accepted(
        world,
        source="district_team",
        hospital="",
        ward="",
        district_team="Newark district team",
        discharge_date=None,
    )
    body = page(client_for(world.carer).get(url("existing")))
    assert _cells_of(body, community.service_user.full_name)["Discharged from hospital"] == "—"


def test_the_column_adds_no_query_a_row(world):
    accepted(world, discharge_date=date(2026, 11, 20))
    client = client_for(world.carer)
    client.get(url("existing"))
    with CaptureQueriesContext(connection) as one:
        client.get(url("existing"))
    for day in (21, 22, 23):
        accepted(world, discharge_date=date(2026, 11, day))
    with CaptureQueriesContext(connection) as four:
        body = page(client.get(url("existing")))
    assert len(four) == len(one)
    for day in (20, 21, 22, 23):
        assert f">{day}/11/2026</td>" in body
