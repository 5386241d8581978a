"""Discarding a run deletes its lines in one statement, however many there are (a county's run
has tens of thousands), and still never a line an earlier balance was brought forward from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.payments import services
from carebridge.payments.models import PaymentLine
from carebridge.payments.tests.conftest import clients
from carebridge.payments.tests.runs_support import confirmed_week, prepared_run

pytestmark = pytest.mark.django_db


def _line_reads(queries) -> list[str]:
    """The queries that read payment lines' rows one by one (Django collecting them before
    deleting, or an audit event adding them up in Python), not a database's sum of them."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "payments_paymentline"."id"')
    ]


def _discard_queries(world, extra_clients: int) -> tuple[int, int]:
    """The lines of a run with `extra_clients` more clients' weeks, and its discard's queries."""
    cplis = clients(world, extra_clients)
    confirmed_week(world, (world.cpli, "14"), *((cpli, "10") for cpli in cplis))
    run = prepared_run(world)
    lines = run.lines.count()
    with CaptureQueriesContext(connection) as queries:
        services.run_discard(by=world.payments_officer, run=run)
    assert not PaymentLine.objects.filter(run=run).exists()
    assert _line_reads(queries) == [], "the lines are deleted without being read first"
    return lines, len(queries.captured_queries)


def test_discarding_takes_the_same_queries_for_more_lines(world):
    few_lines, few = _discard_queries(world, 2)
    more_lines, more = _discard_queries(world, 12)
    assert more_lines > few_lines + 10
    assert more == few
