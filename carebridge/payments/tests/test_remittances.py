"""The provider's remittance advice: the list of finalised runs that paid it, one remittance per
client and CPLI with PDF and CSV, who may see which (another provider's or council's: 404), the
totals to the penny, audited views and downloads, and fixed query counts."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.actuals.tests.conftest import World, weeks_ago
from carebridge.audit.models import Event
from carebridge.organisations.choices import PaymentMethod
from carebridge.payments.models import PaymentRun
from carebridge.payments.tests.conftest import clients, period_of
from carebridge.payments.tests.pay_support import finalise_at, other_council_too, with_vat
from carebridge.payments.tests.runs_support import (
    confirmed_week,
    finalised_run,
    prepared_run,
    second_officer,
    self_billing,
)
from carebridge.people import services as people
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db


def _paid(world: World, *extra, week=None) -> PaymentRun:
    """Last week's (or `week`'s) actuals confirmed, self-billed, and paid by a finalised run."""
    self_billing(world)
    rows = ((world.cpli, "14"), *extra)
    period = confirmed_week(world, *rows, **({"week": week} if week else {}))
    return finalised_run(world, period)


def _detail(run: PaymentRun, provider_id: int, name: str = "remittance_detail") -> str:
    return reverse(f"payments:{name}", args=[run.pk, provider_id])


def test_the_provider_lists_its_remittance_with_the_run_and_its_totals(world):
    run = _paid(world)
    page = client_for(world.read_only).get(reverse("payments:remittance_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert run.reference in body
    assert world.council.name in body
    # 14 hours at £16.16, no VAT.
    assert "£226.24" in body
    assert _detail(run, world.provider.pk) in body


def test_a_remittance_shows_each_client_and_line_with_totals_to_the_penny(world):
    with_vat(world.hours, "20")
    (other,) = clients(world, 1)
    run = _paid(world, (other, "10"))
    page = client_for(world.carer).get(_detail(run, world.provider.pk))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Monica Geller" in body and "MG123" in body
    remittance = page.context["remittance"]
    # £226.24 + 20% (£45.248 rounded once, per line) and £161.60 + £32.32.
    assert {c.label: c.total for c in remittance.clients} == {
        "Monica Geller": Decimal("271.49"),
        other.service_user.full_name: Decimal("193.92"),
    }
    assert remittance.excl_vat == Decimal("387.84")
    assert remittance.vat == Decimal("77.57")
    assert remittance.total == Decimal("465.41")
    assert "£465.41" in body and other.service_user.full_name in body


def test_another_provider_or_council_gets_404_and_a_broker_403(world):
    run = _paid(world)
    url = _detail(run, world.provider.pk)
    assert client_for(world.stranger).get(url).status_code == 404
    # The stranger naming its own provider on this run: the run paid it nothing.
    assert client_for(world.stranger).get(_detail(run, world.other_provider.pk)).status_code == 404
    assert client_for(world.other_officer).get(url).status_code == 404
    assert client_for(world.broker).get(url).status_code == 403
    assert client_for(world.broker).get(reverse("payments:remittance_list")).status_code == 403
    assert (
        client_for(world.stranger)
        .get(reverse("payments:remittance_list"))
        .context["page"]
        .paginator.count
        == 0
    )


def test_the_councils_payments_officer_opens_any_remittance_of_its_runs(world):
    run = _paid(world)
    officer = second_officer(world)
    assert client_for(officer).get(_detail(run, world.provider.pk)).status_code == 200
    assert (
        client_for(officer).get(_detail(run, world.provider.pk, "remittance_pdf")).status_code
        == 200
    )
    # Its own list is the runs' pages, not the provider's remittance list.
    assert client_for(officer).get(reverse("payments:remittance_list")).status_code == 403


def test_a_run_not_yet_finalised_has_no_remittance(world):
    self_billing(world)
    period = confirmed_week(world)
    run = prepared_run(world, period)
    assert client_for(world.carer).get(_detail(run, world.provider.pk)).status_code == 404
    assert (
        run.reference
        not in client_for(world.carer).get(reverse("payments:remittance_list")).content.decode()
    )


def test_a_provider_role_without_invoices_or_scheduled_payments_is_refused(world):
    run = _paid(world)
    admin = make_user(provider=world.provider, role="administration")
    assert client_for(admin).get(_detail(run, world.provider.pk)).status_code == 403
    assert client_for(admin).get(reverse("payments:remittance_list")).status_code == 403
    invoice_only = make_user(provider=world.provider, role="invoice_only")
    assert client_for(invoice_only).get(_detail(run, world.provider.pk)).status_code == 200


def test_every_view_and_download_is_audited_in_the_councils_and_providers_log(world):
    run = _paid(world)
    reader = client_for(world.read_only)
    reader.get(reverse("payments:remittance_list"))
    reader.get(_detail(run, world.provider.pk))
    reader.get(_detail(run, world.provider.pk, "remittance_csv"))
    reader.get(_detail(run, world.provider.pk, "remittance_pdf"))
    events = Event.objects.filter(actor=world.read_only, action__startswith="payments.remittance")
    assert sorted(events.values_list("action", flat=True)) == [
        "payments.remittance_downloaded",
        "payments.remittance_downloaded",
        "payments.remittance_viewed",
        "payments.remittances_listed",
    ]
    assert all(e.council_id == world.council.pk for e in events)
    assert {e.detail.get("format") for e in events} == {None, "csv", "pdf"}


def test_the_csv_has_a_row_per_line_and_no_cell_starts_a_formula(world):
    person = people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref="=1+1",
        first_name="=HYPERLINK",
        last_name="Smith",
        date_of_birth=date(1950, 1, 1),
    )
    (cpli,) = world.agree(world.line("2"), person=person)
    run = _paid(world, (cpli, "2"))
    response = client_for(world.carer).get(_detail(run, world.provider.pk, "remittance_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Council", "Provider", "Run reference", "Payment date"]
    assert len(rows) == 3
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
    assert any(row[5] == "'=1+1" for row in rows[1:])
    assert sum(Decimal(row[-1]) for row in rows[1:]) == Decimal("226.24") + Decimal("32.32")


def test_the_pdf_is_a_pdf_named_by_the_run(world):
    run = _paid(world)
    response = client_for(world.carer).get(_detail(run, world.provider.pk, "remittance_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"remittance-{run.reference}-{world.provider.pk}.pdf" in response["Content-Disposition"]


def test_a_provider_of_two_councils_sees_each_councils_remittances_and_filters_by_council(world):
    second = other_council_too(world, method=PaymentMethod.SELF_BILLING)
    ours = _paid(world)
    from carebridge.actuals import services as actuals
    from carebridge.actuals.tests.conftest import item

    actuals.actuals_save(world.carer, [item(second.cpli, weeks_ago(1), "10")])
    from carebridge.payments.tests.pay_support import period_at

    actuals.actuals_confirm(world.carer, period_at(second.council, weeks_ago(1)))
    theirs = finalise_at(second.council, second.officer, second.approver, weeks_ago(1))
    reader = client_for(world.read_only)
    listed = reader.get(reverse("payments:remittance_list")).content.decode()
    assert ours.reference in listed and second.council.name in listed
    assert reader.get(_detail(theirs, world.provider.pk)).context["remittance"].total == Decimal(
        "200.00"
    )
    only = reader.get(reverse("payments:remittance_list"), {"council": second.council.pk})
    assert [run.pk for run, _ in only.context["rows"]] == [theirs.pk]
    # Each council's officer opens its own run's remittance, not the other's.
    assert client_for(world.other_officer).get(_detail(ours, world.provider.pk)).status_code == 404
    assert (
        client_for(world.other_officer).get(_detail(theirs, world.provider.pk)).status_code == 200
    )


def test_a_self_billed_period_shows_when_it_was_received_due_and_paid(world, clock):
    run = _paid(world)
    row = client_for(world.carer).get(reverse("payments:remittance_list")).context["rows"][0]
    (period,) = row[1]
    assert (period.start, period.end) == (period_of(world).start_date, period_of(world).end_date)
    facts = period.facts
    assert facts.received == clock().date()
    assert facts.paid_on == run.payment_date
    assert facts.days == 0 and facts.on_time


def starting(world: World, start, n: int):
    person = people.service_user_create(
        council=world.council,
        by=world.broker,
        ss_ref=f"LT{n:04d}",
        first_name="Later",
        last_name=f"Client{n}",
        date_of_birth=date(1950, 1, 1),
    )
    (cpli,) = world.agree(world.line("10", start=start), person=person)
    return cpli


def _queries(client, url: str) -> int:
    # The first request of a session writes the session; the one measured is the second.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_remittance_page_and_files_take_the_same_queries_for_2_and_8_clients(world):
    self_billing(world)
    (one,) = clients(world, 1)
    small = finalised_run(
        world, confirmed_week(world, (world.cpli, "14"), (one, "10"), week=weeks_ago(2))
    )
    # Six more clients from last week on: last week's run pays eight.
    more = [starting(world, weeks_ago(1), n) for n in range(6)]
    rows = [(world.cpli, "14"), (one, "10"), *((c, "10") for c in more)]
    big = finalised_run(world, confirmed_week(world, *rows))
    reader = client_for(world.carer)
    for name in ("remittance_detail", "remittance_csv", "remittance_pdf"):
        assert _queries(reader, _detail(small, world.provider.pk, name)) == _queries(
            reader, _detail(big, world.provider.pk, name)
        ), name


def test_the_remittance_list_takes_the_same_queries_for_1_and_3_runs(world):
    self_billing(world)
    reader = client_for(world.carer)
    url = reverse("payments:remittance_list")
    finalised_run(world, confirmed_week(world, week=weeks_ago(3)))
    one = _queries(reader, url)
    finalised_run(world, confirmed_week(world, week=weeks_ago(2)))
    finalised_run(world, confirmed_week(world, week=weeks_ago(1)))
    assert _queries(reader, url) == one
