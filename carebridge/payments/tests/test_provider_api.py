"""The provider API's reads of care packages and money (CPLIs, disputes, invoices, payments), for
a provider working for two councils with different rulebooks (`make_two_council_provider`:
Ashcombe weekly, Fenmarsh 4-weekly) under the frozen clock of Monday 16 November 2026: every row
names its council, a council filter narrows to one, another provider's rows are never listed, a
council's key is refused, and each page is audited per council."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.api_support import client_with, council_key, provider_key
from carebridge.audit.models import Event
from carebridge.core.calendar import today
from carebridge.disputes import services as disputes
from carebridge.disputes.tests.conftest import reason_of
from carebridge.organisations.choices import PaymentMethod
from carebridge.payments import services as payments
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests.pay_support import period_at
from tests.provpay_support import (
    confirm_four_weeks,
    finalise,
    more_clients,
    on_schedule,
    other_providers_client,
    pays,
    with_vat,
)
from tests.support import TwoCouncilProvider

pytestmark = pytest.mark.django_db

BASE = "/api/v1/provider/"
LAST_WEEK = date(2026, 11, 9)


@pytest.fixture
def two(clock, two_council_provider) -> TwoCouncilProvider:
    return two_council_provider


@pytest.fixture
def system(two):
    return client_with(provider_key(two.carer))


def listed(system, name: str, **query) -> dict:
    response = system.get(f"{BASE}{name}/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def events(action: str) -> dict[int | None, int]:
    return {
        event.council_id: event.detail["count"] for event in Event.objects.filter(action=action)
    }


def saved_row(two, cpli, week: date) -> Actual:
    actuals.actuals_save(
        two.carer, [actuals.Item(cpli.pk, week, Entry(actual=cpli.quantity, visits=10), week)]
    )
    return Actual.objects.get(cpli=cpli, week_start=week)


def test_the_urls_are_named_for_the_provider_api():
    for name in ("cplis", "disputes", "invoices", "payments"):
        assert reverse(f"provider_api_{name}") == f"{BASE}{name}/"


# --- CPLIs ---------------------------------------------------------------------------------------


def test_the_cplis_of_both_councils_each_name_their_council(two, system):
    body = listed(system, "cplis")
    assert body["count"] == 2
    by_council = {row["council"]["slug"]: row for row in body["results"]}
    weekly = by_council[two.weekly.slug]
    assert weekly["id"] == two.weekly_cpli.pk
    assert weekly["council"]["name"] == two.weekly.name
    assert weekly["client"] == {
        "ss_ref": "AS1001",
        "name": two.weekly_person.full_name,
    }
    assert weekly["service"] == {"id": two.service.pk, "name": two.service.name}
    assert weekly["service_level"] == "Home Care - Double Assist"
    assert (weekly["unit"], weekly["rate"], weekly["quantity"], weekly["visits"]) == (
        "hours",
        "18.50",
        "10.00",
        10,
    )
    assert weekly["status"] == "active" and weekly["end_date"] is None
    assert by_council[two.four_weekly.slug]["client"]["ss_ref"] == "FM2002"
    # One event per council whose clients the page named.
    assert events("cplis.listed") == {two.weekly.pk: 1, two.four_weekly.pk: 1}


def test_the_cplis_filter_by_council_and_by_a_day_they_run_on(two, system):
    only = listed(system, "cplis", council=two.four_weekly.slug)
    assert [row["id"] for row in only["results"]] == [two.four_weekly_cpli.pk]
    start = two.weekly_cpli.start_date
    assert listed(system, "cplis", active_on=start.isoformat())["count"] == 2
    before = (start - timedelta(days=1)).isoformat()
    assert listed(system, "cplis", active_on=before)["count"] == 0


def test_another_providers_cplis_are_never_listed(two, system):
    signer, theirs = other_providers_client(two)
    ours = {row["id"] for row in listed(system, "cplis")["results"]}
    assert theirs.pk not in ours
    their_list = listed(client_with(provider_key(signer)), "cplis")
    assert [row["id"] for row in their_list["results"]] == [theirs.pk]
    # A council it holds no contract with cannot be named.
    refused = client_with(provider_key(signer)).get(
        f"{BASE}cplis/", {"council": two.four_weekly.slug}
    )
    assert refused.status_code == 400


def test_a_councils_key_and_a_bad_query_are_refused(two, system):
    council = client_with(council_key(two.weekly))
    for name in ("cplis", "disputes", "invoices", "payments"):
        assert council.get(f"{BASE}{name}/").status_code == 403
    assert system.get(f"{BASE}cplis/", {"active_on": "16/11/2026"}).status_code == 400
    assert system.get(f"{BASE}cplis/", {"sort": "name"}).status_code == 400
    assert system.get(f"{BASE}cplis/", {"page": "9"}).status_code == 404


def test_a_key_whose_maker_is_no_longer_a_super_user_is_refused(two, system):
    two.carer.role = "payments"
    two.carer.save(update_fields=["role"])
    assert system.get(f"{BASE}payments/").status_code == 403


# --- Disputes ------------------------------------------------------------------------------------


def test_the_disputes_of_both_councils_with_their_rows(two, system):
    weekly_row = saved_row(two, two.weekly_cpli, two.week)
    four_weekly_row = saved_row(two, two.four_weekly_cpli, LAST_WEEK - timedelta(weeks=1))
    weekly = disputes.dispute_raise(
        by=two.weekly_officer,
        reason=reason_of(two.weekly),
        details="Visit on Monday did not happen.",
        actual_ids=[weekly_row.pk],
    )
    own = disputes.dispute_reason_add(
        by=two.four_weekly_officer, council=two.four_weekly, label="Missed call not logged"
    )
    disputes.dispute_raise(
        by=two.four_weekly_officer,
        reason=own,
        details="No call logged on Tuesday.",
        actual_ids=[four_weekly_row.pk],
    )
    body = listed(system, "disputes")
    assert body["count"] == 2
    by_council = {row["council"]["slug"]: row for row in body["results"]}
    assert by_council[two.weekly.slug]["id"] == weekly.pk
    assert by_council[two.weekly.slug]["reason"] == "Care not delivered"
    assert by_council[two.four_weekly.slug]["reason"] == "Missed call not logged"
    (row,) = by_council[two.four_weekly.slug]["rows"]
    assert row["actual"] == four_weekly_row.pk and row["client"]["ss_ref"] == "FM2002"
    assert row["cost"] == "185.00" and row["week_start"] == "2026-11-02"
    assert by_council[two.weekly.slug]["status"] == "in_dispute"
    assert events("disputes.listed") == {two.weekly.pk: 1, two.four_weekly.pk: 1}

    one = listed(system, "disputes", council=two.weekly.slug)
    assert [row["id"] for row in one["results"]] == [weekly.pk]
    assert listed(system, "disputes", status="resolved")["count"] == 0
    signer, _theirs = other_providers_client(two)
    assert listed(client_with(provider_key(signer)), "disputes")["count"] == 0


# --- Invoices ------------------------------------------------------------------------------------


def test_the_invoices_with_their_lines_totals(two, system):
    pays(two.weekly, PaymentMethod.ON_INVOICE)
    with_vat(two.weekly_level, "20")
    saved_row(two, two.weekly_cpli, LAST_WEEK)
    period = period_at(two.weekly, LAST_WEEK)
    invoice = payments.invoice_create(
        by=two.carer,
        service=two.service,
        period=period,
        reference="INV-API-1",
        invoice_date=today(),
        actual_ids=[line.actual_id for line in pre_invoice(two.carer, two.service, period)],
    )
    (row,) = listed(system, "invoices")["results"]
    assert row["id"] == invoice.pk and row["reference"] == "INV-API-1"
    assert row["council"]["slug"] == two.weekly.slug
    assert row["period"] == {"start_date": "2026-11-09", "end_date": "2026-11-15"}
    assert row["status"] == "unsubmitted" and row["kind"] == "invoice"
    # 10 hours at £18.50, and 20% VAT.
    assert (row["line_count"], row["excl_vat"], row["vat"], row["total"]) == (
        1,
        "185.00",
        "37.00",
        "222.00",
    )
    assert events("invoices.listed") == {two.weekly.pk: 1}
    assert listed(system, "invoices", council=two.four_weekly.slug)["count"] == 0
    assert listed(system, "invoices", status="paid")["count"] == 0
    signer, _theirs = other_providers_client(two)
    assert listed(client_with(provider_key(signer)), "invoices")["count"] == 0


# --- Payments ------------------------------------------------------------------------------------


@pytest.fixture
def paid(two) -> TwoCouncilProvider:
    """Ashcombe pays on schedule and its run for the week of 9 November pays three blocks on
    16 November (£370, £740, £740); Fenmarsh self-bills with 20% VAT, and its run for 19
    October to 15 November pays eight weeks' actuals (£185.00 + £37.00 each) on 20 November."""
    on_schedule(two.weekly)
    with_vat(two.four_weekly_level)
    finalise(two, four_weekly=False, day=date(2026, 11, 9), payment_date=date(2026, 11, 16))
    confirm_four_weeks(two, date(2026, 10, 19))
    finalise(two, four_weekly=True, day=date(2026, 10, 19), payment_date=date(2026, 11, 20))
    return two


def test_the_payments_are_the_remittances_lines_newest_first(paid, system):
    body = listed(system, "payments")
    assert body["count"] == 11
    rows = body["results"]
    fenmarsh, ashcombe = rows[:8], rows[8:]
    assert {row["council"]["slug"] for row in fenmarsh} == {paid.four_weekly.slug}
    assert {row["run"]["payment_date"] for row in fenmarsh} == {"2026-11-20"}
    assert {(row["excl_vat"], row["vat"], row["total"]) for row in fenmarsh} == {
        ("185.00", "37.00", "222.00")
    }
    assert fenmarsh[0]["client"]["ss_ref"] == "FM2002" and fenmarsh[0]["source"] == "actual"
    assert [row["total"] for row in ashcombe] == ["370.00", "740.00", "740.00"]
    assert {row["council"]["slug"] for row in ashcombe} == {paid.weekly.slug}
    total = sum((Decimal(row["total"]) for row in rows), Decimal("0"))
    assert total == Decimal("3626.00")
    assert events("payments.lines_listed") == {paid.weekly.pk: 3, paid.four_weekly.pk: 8}


def test_the_payments_filter_by_council_and_payment_date(paid, system):
    assert listed(system, "payments", council=paid.weekly.slug)["count"] == 3
    assert listed(system, "payments", paid_from="2026-11-17")["count"] == 8
    assert listed(system, "payments", paid_from="2026-11-21")["count"] == 0


def test_another_providers_payments_are_never_listed(two, system):
    on_schedule(two.weekly)
    signer, theirs = other_providers_client(two)
    finalise(two, four_weekly=False, day=date(2026, 11, 9), payment_date=date(2026, 11, 16))
    ours = listed(system, "payments")["results"]
    assert len(ours) == 3 and theirs.pk not in {row["cpli"] for row in ours}
    their_rows = listed(client_with(provider_key(signer)), "payments")["results"]
    assert [row["total"] for row in their_rows] == ["148.00", "296.00", "296.00"]
    assert {row["cpli"] for row in their_rows} == {theirs.pk}


# --- Queries ----------------------------------------------------------------------------------------


def test_a_page_of_cplis_asks_the_database_the_same_number_of_times_for_more_lines(two, system):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert system.get(f"{BASE}cplis/").status_code == 200
        return len(captured)

    queries()  # the key's first use is written once (last_used_at): not a read's query
    one = queries()
    more_clients(two, 3)
    more_clients(two, 2, four_weekly=True)
    assert listed(system, "cplis")["count"] == 7
    assert queries() == one
