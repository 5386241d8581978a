"""A finalised payment run's finance export (docs/finance-export.md): a row per provider,
contract and cost centre, formula-safe, a checksum line the finance system can verify, empty
cells (and the run page's warning) where the council has not given a code, audited, and the
same queries whatever the run's size."""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services as actuals
from carebridge.audit.models import Event
from carebridge.contracts import services as contracts
from carebridge.organisations.models import Contract
from carebridge.payments import services
from carebridge.payments.finance_export import HEADERS
from carebridge.payments.models import PaymentRun
from carebridge.payments.tests.conftest import LAST_WEEK, clients, item, period_of, weeks_ago
from carebridge.payments.tests.runs_support import (
    approved_run,
    confirmed,
    confirmed_week,
    finalised_run,
    self_billing,
)
from tests.support import client_for

pytestmark = pytest.mark.django_db


def export_url(run: PaymentRun) -> str:
    return reverse("payments:run_export", args=[run.pk])


def download(user, run: PaymentRun) -> str:
    response = client_for(user).get(export_url(run))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="finance-export-{run.reference}.csv"' in response["Content-Disposition"]
    return b"".join(response.streaming_content).decode("utf-8")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def codes(world, *, supplier: str = "", cost_centre: str = "") -> None:
    """The council's codes for the world's contract and hours service level (no service sets a
    contract's supplier reference yet: the council's administrators' page is to come)."""
    Contract.objects.filter(council=world.council, provider=world.provider).update(
        supplier_reference=supplier
    )
    contracts.service_level_update(level=world.hours, by=None, cost_centre=cost_centre)


@pytest.fixture
def billing(world, clock):
    self_billing(world)
    confirmed(world)
    return world


def test_the_export_has_a_row_per_provider_contract_and_cost_centre_and_a_checksum(billing):
    codes(billing, supplier="SUP-0042", cost_centre="CC-100")
    run = finalised_run(billing)
    text = download(billing.payments_officer, run)
    assert text.startswith("\ufeff")
    header, row, checksum = rows_of(text)
    assert header == HEADERS
    contract = Contract.objects.get(council=billing.council, provider=billing.provider)
    assert row == [
        run.reference,
        "16/11/2026",
        "SUP-0042",
        "Diamond Home Care",
        contract.reference,
        "CC-100",
        "226.24",
        "0.00",
        "226.24",
    ]
    # The checksum: the row count, the sum of Total, and the SHA-256 of every line above it.
    lines = text.removeprefix("\ufeff").split("\r\n")
    above = "".join(line + "\r\n" for line in lines[:2])
    assert checksum == ["Checksum", "1", "226.24", hashlib.sha256(above.encode()).hexdigest()]
    assert lines[3] == ""  # the checksum is the last line
    event = Event.objects.get(action="payment_run.exported")
    assert (event.actor, event.detail) == (billing.payments_officer, {"format": "csv", "count": 1})


def test_a_changed_row_no_longer_matches_the_checksum(billing):
    run = finalised_run(billing)
    text = download(billing.payments_officer, run).removeprefix("\ufeff")
    *above, checksum, _end = text.split("\r\n")
    tampered = "".join(line + "\r\n" for line in above).replace("226.24", "926.24", 1)
    assert hashlib.sha256(tampered.encode()).hexdigest() != checksum.split(",")[3]


def test_text_that_would_start_a_formula_is_made_inert(billing):
    codes(billing, supplier="=HYPERLINK(1)", cost_centre="+CC")
    run = finalised_run(billing)
    (_header, row, _checksum) = rows_of(download(billing.payments_officer, run))
    assert row[2] == "'=HYPERLINK(1)" and row[5] == "'+CC"


def test_missing_codes_leave_empty_cells_and_the_run_page_warns_before_finalising(billing):
    run = approved_run(billing)
    page = client_for(billing.payments_officer).get(reverse("payments:run_detail", args=[run.pk]))
    text = page.content.decode()
    contract = Contract.objects.get(council=billing.council, provider=billing.provider)
    assert "give them their codes before finalising" in text
    assert f"No supplier reference: Diamond Home Care, contract {contract.reference}" in text
    assert "No cost centre: service level Home Care - Single Assist Fixed Rate" in text
    finalise = client_for(billing.payments_officer).get(
        reverse("payments:run_decide", args=[run.pk, "finalise"])
    )
    assert "No cost centre" in finalise.content.decode()
    run = services.run_finalise(by=billing.payments_officer, run=run)
    (_header, row, _checksum) = rows_of(download(billing.payments_officer, run))
    assert row[2] == "" and row[5] == ""


def test_a_run_not_finalised_has_no_export_yet(billing):
    run = approved_run(billing)
    response = client_for(billing.payments_officer).get(export_url(run), follow=True)
    assert "The finance export is ready once the run is finalised." in response.content.decode()
    assert not Event.objects.filter(action="payment_run.exported").exists()


def export_queries(user, run: PaymentRun) -> int:
    client = client_for(user)
    client.get(reverse("payments:run_list"))  # the session's first read
    with CaptureQueriesContext(connection) as captured:
        response = client.get(export_url(run))
        b"".join(response.streaming_content)
    return len(captured)


def test_the_export_takes_the_same_queries_for_more_rows(billing):
    codes(billing, supplier="SUP-1", cost_centre="CC-100")
    contracts.service_level_update(level=billing.nights, by=None, cost_centre="CC-200")
    small = finalised_run(billing, confirmed_week(billing, week=weeks_ago(2)))
    # More clients, a night-sit booked to another cost centre, and the other provider's client.
    (nights,) = billing.agree(billing.line("3", level=billing.nights))
    confirmed_week(billing, *((cpli, "10") for cpli in clients(billing, 4)), (nights, "3"))
    (theirs,) = billing.agree(billing.line("7"), service=billing.other_service)
    actuals.actuals_save(billing.stranger, [item(theirs, LAST_WEEK, "7")])
    actuals.actuals_confirm(billing.stranger, period_of(billing))
    large = finalised_run(billing)
    big = rows_of(download(billing.payments_officer, large))
    assert len(big) == 2 + 3  # header, three rows (hours, nights, the other provider), checksum
    assert sum(Decimal(row[8]) for row in big[1:-1]) == Decimal(big[-1][2])
    officer = billing.payments_officer
    assert export_queries(officer, small) == export_queries(officer, large)
