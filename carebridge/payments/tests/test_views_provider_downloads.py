"""An invoice as CSV and PDF (for its provider and, once submitted, its council), and a provider
that works for two councils, each council's invoices named with it."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from carebridge.actuals import services as actuals
from carebridge.actuals.periods import weeks_between
from carebridge.actuals.rules import Entry
from carebridge.actuals.tests.conftest import make_payment_rule
from carebridge.audit.models import Event
from carebridge.organisations.choices import ContractType, PaymentMethod
from carebridge.payments import services
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from carebridge.people import services as people
from tests.support import client_for, make_two_council_provider, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(paying):
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "14"), (other, "10"))
    return paying


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_has_a_row_per_line_with_the_invoice_and_is_audited(ready):
    invoice = create(ready, reference="INV-CSV")
    response = client_for(ready.carer).get(reverse("payments:invoice_csv", args=[invoice.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="invoice-INV-CSV.csv"' in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header[:3] == ["Invoice reference", "Kind", "Status"] and "SS Ref" in header
    assert len(rows) == 2
    amounts = sorted(row[header.index("Amount")] for row in rows)
    assert amounts == ["161.60", "226.24"]
    assert {row[header.index("Council")] for row in rows} == {ready.council.name}
    assert ready.person.ss_ref in {row[header.index("SS Ref")] for row in rows}
    event = Event.objects.get(action="invoice.downloaded")
    assert event.detail == {"format": "csv"} and event.object_id == str(invoice.pk)


def test_text_that_a_spreadsheet_would_run_is_made_inert(ready):
    person = people.service_user_create(
        council=ready.council,
        by=ready.broker,
        ss_ref="PX77777",
        first_name="=HYPERLINK(1)",
        last_name="Smith",
        date_of_birth=ready.person.date_of_birth,
    )
    (cpli,) = ready.agree(ready.line("5"), person=person)
    enter(ready, (cpli, "5"))
    invoice = create(ready, reference="+INV-1")
    header, *rows = rows_of(
        client_for(ready.carer).get(reverse("payments:invoice_csv", args=[invoice.pk]))
    )
    assert {row[0] for row in rows} == {"'+INV-1"}
    assert "'=HYPERLINK(1) Smith" in {row[header.index("Client")] for row in rows}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_pdf_is_a_pdf_and_is_audited(ready):
    invoice = create(ready, reference="INV/PDF 1")
    response = client_for(ready.carer).get(reverse("payments:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="invoice-INV-PDF-1.pdf"' in response["Content-Disposition"]
    assert Event.objects.get(action="invoice.downloaded").detail == {"format": "pdf"}


@pytest.mark.parametrize("role", ["read_only", "reports", "invoice_only"])
def test_every_provider_role_with_invoices_downloads(ready, role):
    invoice = create(ready)
    client = client_for(make_user(provider=ready.provider, role=role))
    for name in ("payments:invoice_csv", "payments:invoice_pdf"):
        assert client.get(reverse(name, args=[invoice.pk])).status_code == 200


def test_the_council_downloads_a_submitted_invoice_but_never_a_draft(ready):
    draft = create(ready, [pre_invoice(ready.carer, ready.service, period_of(ready))[0].actual_id])
    sent = services.invoice_submit(by=ready.carer, invoice=create(ready, reference="INV-2"))
    officer = client_for(ready.payments_officer)
    for name in ("payments:invoice_csv", "payments:invoice_pdf"):
        assert officer.get(reverse(name, args=[sent.pk])).status_code == 200
        assert officer.get(reverse(name, args=[draft.pk])).status_code == 404
    other = client_for(ready.other_officer)
    assert other.get(reverse("payments:invoice_csv", args=[sent.pk])).status_code == 404


def test_a_tampered_download_id_is_not_found(ready):
    client = client_for(ready.carer)
    for pk in (999999, 2**31 - 1):
        assert client.get(reverse("payments:invoice_pdf", args=[pk])).status_code == 404


def test_an_over_exception_line_links_to_ask_for_a_temporary_cpli(paying):
    enter(paying, (paying.cpli, "20"), comments="Family away")
    invoice = create(paying)
    line = invoice.lines.get()
    body = (
        client_for(paying.carer)
        .get(reverse("payments:invoice_detail", args=[invoice.pk]))
        .content.decode()
    )
    assert f"{reverse('payments:variation_new')}?actual={line.actual_id}" in body
    assert "Ask for a temporary CPLI" in body


@pytest.fixture
def two(clock):
    """A provider of two councils, both paying it on invoice, with a period of actuals at each."""
    two = make_two_council_provider()
    for council in (two.weekly, two.four_weekly):
        make_payment_rule(council, ContractType.SPOT, payment_method=PaymentMethod.ON_INVOICE)
    weeks = weeks_between(two.open_period.start_date, two.open_period.end_date)
    actuals.actuals_save(
        two.carer,
        [
            actuals.Item(two.weekly_cpli.pk, week, Entry(actual=Decimal("10"), visits=10), week)
            for week in weeks
        ],
    )
    return two


def test_a_provider_of_two_councils_sees_each_councils_periods_and_invoices_named(two):
    client = client_for(two.carer)
    body = client.get(reverse("payments:invoice_new")).content.decode()
    assert two.weekly.name in body and two.four_weekly.name in body
    for period in (two.open_period, two.paid_period):
        lines = pre_invoice(two.carer, two.service, period)
        assert lines
        services.invoice_create(
            by=two.carer,
            service=two.service,
            period=period,
            reference=f"INV-{period.council.slug}",
            invoice_date=period.end_date,
            actual_ids=[line.actual_id for line in lines],
        )
    listed = client.get(reverse("payments:invoice_list")).content.decode()
    assert two.weekly.name in listed and two.four_weekly.name in listed
    only = client.get(reverse("payments:invoice_list"), {"council": two.weekly.pk})
    assert f"INV-{two.weekly.slug}" in only.content.decode()
    assert f"INV-{two.four_weekly.slug}" not in only.content.decode()
    assert {i.council for i in Invoice.objects.all()} == {two.weekly, two.four_weekly}
    invoice = Invoice.objects.get(council=two.four_weekly)
    detail = client.get(reverse("payments:invoice_detail", args=[invoice.pk])).content.decode()
    assert two.four_weekly.name in detail
