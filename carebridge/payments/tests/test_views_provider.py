"""The provider's invoice pages: the list, the wizard, an invoice with Edit, Delete and Submit,
for each role (Super Users, Payments and Invoice Only edit; Read Only and Reports view)."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.payments import services
from carebridge.payments.choices import InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import pre_invoice
from carebridge.payments.tests.conftest import clients, create, enter, period_of
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db
S = InvoiceStatus
EDITORS = ["payments", "invoice_only", "super_user_scheduled"]
VIEWERS = ["read_only", "reports"]


@pytest.fixture
def ready(paying):
    """Two clients' weeks entered last week: the world's client 14 hours, another 10."""
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "14"), (other, "10"))
    paying.other_cpli = other
    return paying


@pytest.fixture
def over(paying):
    """Last week's actuals with the world's client 20 hours against 14 planned (over the
    exception) and another client as planned."""
    (other,) = clients(paying, 1)
    enter(paying, (paying.cpli, "20"), comments="Family away")
    enter(paying, (other, "10"))
    return paying


def pre_url(world) -> str:
    return reverse("payments:invoice_pre", args=[world.service.pk, period_of(world).pk])


def token_of(response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no token"
    return found.group(1)


def create_data(world, token: str = "", **fields) -> dict:
    lines = fields.pop(
        "lines",
        [line.actual_id for line in pre_invoice(world.carer, world.service, period_of(world))],
    )
    data = {
        "reference": "INV-100",
        "invoice_date_0": "16",
        "invoice_date_1": "11",
        "invoice_date_2": "2026",
        "lines": [str(pk) for pk in lines],
        **fields,
    }
    if token:
        data["form_token"] = token
    return data


# The list


@pytest.mark.parametrize("role", EDITORS + VIEWERS)
def test_every_role_with_invoices_sees_the_list_with_totals(ready, role):
    create(ready, reference="INV-LIST")
    response = client_for(make_user(provider=ready.provider, role=role)).get(
        reverse("payments:invoice_list")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "INV-LIST" in body and ready.council.name in body
    assert "£387.84" in body  # 226.24 + 161.60, no VAT
    assert ("Create an invoice" in body) == (role in EDITORS)


def test_administration_and_council_users_have_no_provider_invoice_list(ready):
    for user in (make_user(provider=ready.provider, role="administration"), ready.broker):
        assert client_for(user).get(reverse("payments:invoice_list")).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries_whatever_its_length(ready):
    client = client_for(ready.carer)
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    create(ready, [first.actual_id], reference="INV-A")
    client.get(reverse("payments:invoice_list"))  # the session and caches, read once
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("payments:invoice_list"))
    create(ready, reference="INV-B")
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("payments:invoice_list"))
    assert "INV-B" in response.content.decode()
    assert len(two) == len(one)


def test_the_list_filters_by_status_and_reference(ready):
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    submitted = create(ready, [first.actual_id], reference="INV-SENT")
    services.invoice_submit(by=ready.carer, invoice=submitted)
    create(ready, reference="INV-DRAFT")
    client = client_for(ready.carer)
    body = client.get(reverse("payments:invoice_list"), {"status": "submitted"}).content.decode()
    assert "INV-SENT" in body and "INV-DRAFT" not in body
    body = client.get(reverse("payments:invoice_list"), {"reference": "draft"}).content.decode()
    assert "INV-DRAFT" in body and "INV-SENT" not in body
    # A status that is none is ignored, never an error.
    assert client.get(reverse("payments:invoice_list"), {"status": "x\x01"}).status_code == 200


def test_another_providers_invoices_are_not_listed_nor_found(ready):
    invoice = create(ready, reference="INV-OURS")
    stranger = client_for(ready.stranger)
    assert "INV-OURS" not in stranger.get(reverse("payments:invoice_list")).content.decode()
    for name in ("invoice_detail", "invoice_edit", "invoice_delete", "invoice_csv", "invoice_pdf"):
        assert stranger.get(reverse(f"payments:{name}", args=[invoice.pk])).status_code == 404
    assert stranger.post(reverse("payments:invoice_submit", args=[invoice.pk])).status_code == 404
    assert Invoice.objects.get().status == S.UNSUBMITTED


# The wizard


def test_step_one_offers_the_period_with_its_council_and_goes_to_its_pre_invoice(ready):
    client = client_for(ready.carer)
    response = client.get(reverse("payments:invoice_new"))
    body = response.content.decode()
    assert ready.council.name in body and ready.service.name in body
    value = f"{ready.service.pk}-{period_of(ready).pk}"
    chosen = client.get(reverse("payments:invoice_new"), {"period": value})
    assert chosen.status_code == 302 and chosen["Location"] == pre_url(ready)
    nothing = client.get(reverse("payments:invoice_new"), {"choose": "1"}).content.decode()
    assert "There is a problem" in nothing
    wrong = client.get(reverse("payments:invoice_new"), {"period": "1-999999"})
    assert wrong.status_code == 200
    assert "Select the service and actuals period to invoice" in wrong.content.decode()


def test_step_one_offers_nothing_where_the_council_self_bills(world):
    enter(world, (world.cpli, "14"))
    body = client_for(world.carer).get(reverse("payments:invoice_new")).content.decode()
    assert "There is nothing to invoice" in body


@pytest.mark.parametrize("role", VIEWERS)
def test_the_roles_that_only_view_cannot_open_the_wizard(ready, role):
    client = client_for(make_user(provider=ready.provider, role=role))
    assert client.get(reverse("payments:invoice_new")).status_code == 403
    assert client.get(pre_url(ready)).status_code == 403
    assert client.post(pre_url(ready), create_data(ready)).status_code == 403
    assert Invoice.objects.count() == 0


def test_the_pre_invoice_lists_each_cpli_week_ticked(ready):
    body = client_for(ready.carer).get(pre_url(ready)).content.decode()
    assert ready.person.ss_ref in body and "Number" in body
    assert body.count('name="lines"') == 2 and body.count(" checked") == 2
    assert "£226.24" in body and "£161.60" in body
    assert "Over exception" not in body


@pytest.mark.parametrize("role", EDITORS)
def test_create_raises_the_invoice_of_the_ticked_lines(ready, role):
    user = make_user(provider=ready.provider, role=role)
    client = client_for(user)
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    response = client.post(pre_url(ready), create_data(ready, lines=[first.actual_id]))
    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:invoice_detail", args=[invoice.pk])
    assert invoice.created_by == user and invoice.reference == "INV-100"
    assert list(invoice.lines.values_list("actual_id", flat=True)) == [first.actual_id]


def test_create_twice_with_the_same_form_makes_one_invoice(ready):
    client = client_for(ready.carer)
    token = token_of(client.get(pre_url(ready)))
    first = client.post(pre_url(ready), create_data(ready, token))
    again = client.post(pre_url(ready), create_data(ready, token))
    invoice = Invoice.objects.get()
    assert first["Location"] == again["Location"]
    assert first["Location"] == reverse("payments:invoice_detail", args=[invoice.pk])


def test_an_over_exception_line_carries_the_triangle_and_why(over):
    body = client_for(over.carer).get(pre_url(over)).content.decode()
    assert body.count("Over exception</strong>") == 1
    assert "Remove them before you submit the invoice" in body
    assert "temporary CPLI" in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"invoice_date_0": "31", "invoice_date_1": "2"}, "The invoice date must be a real date"),
        ({"invoice_date_2": "99999"}, "The year of the invoice date must include 4 numbers"),
        ({"reference": "INV\x07-1"}, "control"),
        ({"reference": "R" * 51}, "Invoice reference must be 50 characters or fewer"),
        ({"reference": ""}, "Enter your invoice reference"),
        ({"lines": []}, services.NO_LINES),
        ({"lines": ["999999"]}, "Tick lines from the list only"),
        ({"lines": ["abc"]}, "Tick lines from the list only"),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(ready, fields, message):
    response = client_for(ready.carer).post(pre_url(ready), create_data(ready, **fields))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert Invoice.objects.count() == 0


def test_a_reference_used_already_is_said_against_the_field(ready):
    first = pre_invoice(ready.carer, ready.service, period_of(ready))[0]
    create(ready, [first.actual_id], reference="INV-100")
    response = client_for(ready.carer).post(pre_url(ready), create_data(ready))
    assert services.REFERENCE_USED in response.content.decode()
    assert Invoice.objects.count() == 1


def test_a_tampered_service_or_period_is_not_found(ready):
    client = client_for(ready.carer)
    period = period_of(ready)
    other_period = period_of(ready).__class__.objects.filter(council=ready.other_council).first()
    for service_id, period_id in (
        (ready.other_service.pk, period.pk),
        (ready.service.pk, other_period.pk),
        (ready.service.pk, 2**31 - 1),
    ):
        url = reverse("payments:invoice_pre", args=[service_id, period_id])
        assert client.get(url).status_code == 404
        assert client.post(url, create_data(ready)).status_code == 404
    assert Invoice.objects.count() == 0


def test_a_self_billing_councils_period_says_why_there_is_no_pre_invoice(world):
    enter(world, (world.cpli, "14"))
    body = html.unescape(client_for(world.carer).get(pre_url(world)).content.decode())
    assert "does not pay this service's care on invoice" in body
    assert 'name="lines"' not in body


# An invoice


@pytest.mark.parametrize("role", EDITORS + VIEWERS)
def test_an_invoice_shows_its_lines_totals_and_the_buttons_of_the_role(ready, role):
    invoice = create(ready, reference="INV-SHOW")
    response = client_for(make_user(provider=ready.provider, role=role)).get(
        reverse("payments:invoice_detail", args=[invoice.pk])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert ready.person.ss_ref in body and "£387.84" in body and "Excl VAT" in body
    assert ("Submit invoice" in body) == (role in EDITORS)
    assert (">Delete</a>" in body) == (role in EDITORS)
    assert Event.objects.filter(action="invoice.viewed", object_id=str(invoice.pk)).count() == 1


def test_submit_is_refused_in_the_error_summary_while_a_line_is_over_the_exception(over):
    invoice = create(over, reference="INV-OVER")
    client = client_for(over.carer)
    detail = client.get(reverse("payments:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Over exception</strong>" in detail and "Remove them before you submit" in detail
    response = client.post(reverse("payments:invoice_submit", args=[invoice.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "ask for a temporary CPLI" in body
    assert Invoice.objects.get().status == S.UNSUBMITTED


def test_unticking_the_over_exception_line_lets_the_invoice_be_submitted(over):
    invoice = create(over, reference="INV-OVER")
    client = client_for(over.carer)
    edit_url = reverse("payments:invoice_edit", args=[invoice.pk])
    edit = client.get(edit_url).content.decode()
    assert edit.count('name="lines"') == 2 and edit.count(" checked") == 2
    keep = invoice.lines.get(over_exception=False).actual_id
    data = create_data(over, reference="INV-OVER-2", lines=[keep])
    assert client.post(edit_url, data).status_code == 302
    invoice.refresh_from_db()
    assert invoice.reference == "INV-OVER-2"
    assert list(invoice.lines.values_list("actual_id", flat=True)) == [keep]
    response = client.post(reverse("payments:invoice_submit", args=[invoice.pk]))
    assert response.status_code == 302
    assert Invoice.objects.get().status == S.SUBMITTED
    detail = client.get(reverse("payments:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Submit invoice" not in detail and ">Edit</a>" not in detail


def test_a_returned_invoice_shows_why_and_is_submitted_again(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    services.invoice_return(by=ready.payments_officer, invoice=invoice, reason="Wrong hours")
    client = client_for(ready.carer)
    body = client.get(reverse("payments:invoice_detail", args=[invoice.pk])).content.decode()
    assert "Wrong hours" in body and "Submit again" in body
    assert client.post(reverse("payments:invoice_submit", args=[invoice.pk])).status_code == 302
    assert Invoice.objects.get().status == S.SUBMITTED


def test_a_submitted_invoice_can_no_longer_be_edited_or_deleted(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    client = client_for(ready.carer)
    for name in ("invoice_edit", "invoice_delete"):
        url = reverse(f"payments:{name}", args=[invoice.pk])
        assert services.NOT_UNSUBMITTED in client.get(url).content.decode()
        assert services.NOT_UNSUBMITTED in client.post(url, create_data(ready)).content.decode()
    assert Invoice.objects.get().status == S.SUBMITTED


def test_edit_refuses_bad_input_against_its_fields(ready):
    invoice = create(ready, reference="INV-KEEP")
    response = client_for(ready.carer).post(
        reverse("payments:invoice_edit", args=[invoice.pk]),
        create_data(ready, reference="x" * 60, lines=["12345678"]),
    )
    body = response.content.decode()
    assert "Invoice reference must be 50 characters or fewer" in body
    assert "Tick lines from the list only" in body
    assert Invoice.objects.get().reference == "INV-KEEP"


def test_delete_asks_first_then_puts_the_lines_back_on_the_pre_invoice(ready):
    invoice = create(ready)
    client = client_for(ready.carer)
    url = reverse("payments:invoice_delete", args=[invoice.pk])
    assert "Delete invoice" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("payments:invoice_list")
    assert Invoice.objects.count() == 0
    assert len(pre_invoice(ready.carer, ready.service, period_of(ready))) == 2


@pytest.mark.parametrize("role", VIEWERS)
def test_the_roles_that_only_view_cannot_change_an_invoice(ready, role):
    invoice = create(ready)
    client = client_for(make_user(provider=ready.provider, role=role))
    for name in ("invoice_edit", "invoice_delete", "invoice_submit"):
        url = reverse(f"payments:{name}", args=[invoice.pk])
        assert client.post(url, create_data(ready)).status_code == 403
    assert Invoice.objects.get().status == S.UNSUBMITTED


def test_the_council_sees_no_provider_invoice_page(ready):
    invoice = services.invoice_submit(by=ready.carer, invoice=create(ready))
    client = client_for(ready.payments_officer)
    assert client.get(reverse("payments:invoice_detail", args=[invoice.pk])).status_code == 403
    assert client.post(reverse("payments:invoice_submit", args=[invoice.pk])).status_code == 403
