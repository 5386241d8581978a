"""The page of a report at a county's size (`Table.paged`): its count and totals, worked out by
the database without building the rows, are those of every row summed as the downloads stream
them, and its rows from one place to another are those rows; the page's queries do not grow with
its rows. Commissioned v Actuals over random dates and councils (a provider of two councils
with different rules, a line posted with a gap, one starting and ending mid-week), and
Remittance advice over its two councils' runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carebridge.organisations.choices import MissedReason
from carebridge.reports.base import Table, Totals
from carebridge.reports.catalogue import commissioned_v_actuals, remittance_advice
from carebridge.reports.tests.cva_support import NOW, agree_line, new_client, post
from carebridge.reports.tests.test_provider_payment_reports import (  # noqa: F401 (fixtures)
    _reader,
    clock,
    paid,
    two,
)
from tests.support import TwoCouncilProvider, client_for, make_two_council_provider

pytestmark = pytest.mark.django_db


def _same_as_streamed(table: Table) -> list[Any]:
    """Assert the paged count, totals and rows are the streamed ones; the rows' cells."""
    streamed = Totals(table)
    rows = list(streamed.through(table.rows))
    assert table.paged is not None
    tallied = Totals(table)
    tallied.take(table.paged.tally())
    assert tallied.row_count == streamed.row_count == len(rows)
    assert tallied.rows_by_council == streamed.rows_by_council
    assert tallied.cells() == streamed.cells()
    for size in (1, 3, 50):
        windows = [table.paged.rows_between(i, i + size) for i in range(0, len(rows), size)]
        assert [row for window in windows for row in window] == rows
    assert table.paged.rows_between(len(rows), len(rows) + 50) == []
    return [row.cells for row in rows]


@pytest.fixture
def lines() -> Iterator[TwoCouncilProvider]:
    """The provider of two councils (Ashcombe weekly, Fenmarsh 4-weekly, Fenmarsh's first
    period posted), with Ashcombe lines posted with a gap (weeks of 28 September and
    12 October, not 5 October), and one running from a Wednesday to a Thursday."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        two = make_two_council_provider()
        common = {"council": two.weekly, "broker": two.weekly_broker, "signer": two.carer}
        common |= {"service": two.service, "level": two.weekly_level}
        gappy = agree_line(
            person=new_client(two.weekly, two.weekly_broker, "AS9001", "Gap"),
            quantity="4",
            **common,
        )
        post(two.carer, gappy, date(2026, 9, 28), "4")
        post(
            two.carer,
            gappy,
            date(2026, 10, 12),
            "3",
            missed="1",
            missed_reason=MissedReason.NON_ENGAGEMENT,
        )
        partial = agree_line(
            person=new_client(two.weekly, two.weekly_broker, "AS9002", "Part"),
            quantity="7",
            start=date(2026, 9, 30),
            end=date(2026, 11, 5),
            **common,
        )
        post(two.carer, partial, date(2026, 10, 5), "7")
        yield two


WEEKS = st.integers(min_value=0, max_value=15)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=WEEKS, length=WEEKS, shift=st.integers(0, 6), council=st.sampled_from([0, 1, 2]))
def test_commissioned_v_actuals_tallies_and_pages_as_its_rows_stream(
    lines, first, length, shift, council
):
    starts = date(2026, 9, 7) + timedelta(weeks=first, days=shift)
    chosen = [None, lines.weekly.pk, lines.four_weekly.pk][council]
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        table = commissioned_v_actuals.build(
            lines.carer,
            {"starts": starts, "ends": starts + timedelta(weeks=length), "council": chosen},
        )
        _same_as_streamed(table)


def test_commissioned_v_actuals_counts_the_gap_and_part_weeks(lines):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        table = commissioned_v_actuals.build(
            lines.carer,
            {"starts": date(2026, 9, 21), "ends": date(2026, 11, 2), "council": lines.weekly.pk},
        )
        cells = _same_as_streamed(table)
    weeks = {(row[3], row[1]) for row in cells}
    # The gap's week is there, planned and not posted; the line from Wednesday 30 September
    # has its part week of 28 September and runs to the week of 2 November.
    assert ("AS9001", date(2026, 10, 5)) in weeks
    assert ("AS9002", date(2026, 9, 28)) in weeks and ("AS9002", date(2026, 11, 2)) in weeks


def test_remittance_advice_tallies_and_pages_as_its_rows_stream(paid):  # noqa: F811
    reader = _reader(paid)
    for council in (None, paid.weekly.pk, paid.four_weekly.pk):
        table = remittance_advice.build(reader, {"year": 2026, "council": council})
        assert len(_same_as_streamed(table)) == {None: 11, paid.weekly.pk: 3}.get(council, 8)


def _page_queries(user: Any, slug: str, query: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client_for(user).get(reverse("reports:report", args=[slug]), query)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_commissioned_v_actuals_page_reads_as_many_queries_for_more_rows(lines):
    query = {"starts_0": "21", "starts_1": "9", "starts_2": "2026"}
    query |= {"ends_0": "2", "ends_1": "11", "ends_2": "2026"}
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        few = _page_queries(lines.carer, "commissioned-v-actuals", query)
        for i in range(8):
            person = new_client(lines.weekly, lines.weekly_broker, f"AS8{i:03d}", f"More{i}")
            line = agree_line(
                council=lines.weekly,
                broker=lines.weekly_broker,
                signer=lines.carer,
                service=lines.service,
                person=person,
                level=lines.weekly_level,
                quantity="4",
            )
            post(lines.carer, line, date(2026, 10, 5), "4")
        assert _page_queries(lines.carer, "commissioned-v-actuals", query) == few
        assert _page_queries(lines.carer, "commissioned-v-actuals", query | {"page": "2"}) == few
