"""The scheduled payments page at a county provider's size: its rows 50 a page under their
periods' headings and whole-period totals, the audit counting the rows shown, and the rules
worked out per council and block, not per CPLI (issue 22)."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.payments.selectors import scheduled
from carebridge.payments.tests.conftest import clients
from carebridge.payments.tests.runs_support import on_schedule
from tests.support import client_for

pytestmark = pytest.mark.django_db

URL = reverse("payments:scheduled_list")


def _get(user, **query):
    response = client_for(user).get(URL, query)
    assert response.status_code == 200
    return response


def test_the_rows_come_50_a_page_with_each_periods_whole_totals(world):
    on_schedule(world)
    clients(world, 7)  # 8 clients in 7 periods: 56 rows
    first = _get(world.read_only)
    page = first.context["page"]
    assert sum(len(period.rows) for period in page.periods) == 56
    shown = [row for section in first.context["sections"] for row in section.rows]
    assert len(shown) == 50
    second = _get(world.read_only, page=2)
    rest = [row for section in second.context["sections"] for row in section.rows]
    assert len(rest) == 6
    # Every row once, in the page's order, and the last period's total is the whole period's.
    assert shown + rest == [row for _period, row in page.client_rows]
    (last,) = second.context["sections"]
    assert last.period.total == sum((row.total for row in last.period.rows.values()), Decimal(0))
    body = second.content.decode()
    assert "Rows 51 to 56 of 56" in body and "Total of the period (8 rows)" in body
    events = Event.objects.filter(actor=world.read_only, action="payments.scheduled_viewed")
    assert sorted(event.detail["count"] for event in events) == [6, 50]


def test_the_rules_are_looked_up_per_block_however_many_clients(world):
    on_schedule(world)

    def lookups() -> int:
        with mock.patch.object(
            scheduled, "payment_method_on", wraps=scheduled.payment_method_on
        ) as method:
            _get(world.read_only)
        return method.call_count

    few = lookups()
    clients(world, 5)
    assert lookups() == few > 0
