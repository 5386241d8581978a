"""Variation requests' pages: the provider asks from an actuals row (filled in from it) and lists
its requests; the council lists them and its brokers approve or refuse. Another provider's row
or request is not found; a role without the function is refused."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.actions.models import Action
from carebridge.actuals.models import Actual
from carebridge.audit.models import Event
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE
from carebridge.payments.choices import VariationStatus
from carebridge.payments.models import VariationRequest
from carebridge.payments.tests.conftest import LAST_WEEK, enter
from carebridge.payments.tests.test_variations import ask, brokerage  # noqa: F401 (fixture)
from tests.support import client_for, make_user

pytestmark = pytest.mark.django_db
NEW = reverse("payments:variation_new")


@pytest.fixture
def over(paying, brokerage):  # noqa: F811 (the fixture imported above)
    """Last week's actual of the world's client: 20 hours against 14 planned."""
    enter(paying, (paying.cpli, "20"), comments="Daughter away")
    paying.actual = Actual.objects.get(cpli=paying.cpli, week_start=LAST_WEEK)
    return paying


def token_of(response) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', response.content.decode())
    assert found, "the form carries no token"
    return found.group(1)


def form_data(week: date = LAST_WEEK, **fields) -> dict:
    data = {
        "first_week_0": str(week.day),
        "first_week_1": str(week.month),
        "first_week_2": str(week.year),
        "last_week_0": str(week.day),
        "last_week_1": str(week.month),
        "last_week_2": str(week.year),
        "extra_quantity": "6",
        "reason": "Two extra calls a day while her daughter was away",
    }
    return {**data, **fields}


def test_the_new_request_is_filled_in_from_the_actuals_row(over):
    page = client_for(over.carer).get(f"{NEW}?actual={over.actual.pk}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Monica Geller" in body and over.cpli.care_package_reference in body
    assert 'name="extra_quantity" value="6.00"' in body
    assert f'name="first_week_0" value="{LAST_WEEK.day}"' in body


def test_sending_it_twice_makes_one_request_and_shows_it(over):
    client = client_for(over.carer)
    url = f"{NEW}?actual={over.actual.pk}"
    token = token_of(client.get(url))
    evidence = SimpleUploadedFile("visits.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    first = client.post(url, {**form_data(), "form_token": token, "attachments": evidence})
    second = client.post(url, {**form_data(), "form_token": token})
    made = VariationRequest.objects.get()
    detail = reverse("payments:variation_detail", args=[made.pk])
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == detail
    assert made.action is not None and made.action.posts.get().attachments.count() == 1
    page = client.get(detail)
    assert "Requested" in page.content.decode() and "visits.pdf" not in page.content.decode()
    assert Event.objects.filter(action="variation_request.viewed", object_id=made.pk).exists()


def test_bad_input_is_shown_against_its_fields_and_sends_nothing(over):
    client = client_for(over.carer)
    url = f"{NEW}?actual={over.actual.pk}"
    page = client.post(
        url, form_data(extra_quantity="0", reason="Bell\x07", first_week_0="32", last_week_2="99")
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "govuk-error-summary" in body
    assert "The first week must be a real date" in body
    assert "The year of the last week must include 4 numbers" in body
    assert CONTROL_CHARACTERS_MESSAGE in body
    body = client.post(url, form_data(extra_quantity="0")).content.decode()
    assert "The extra each week must be more than 0" in body
    page = client.post(url, form_data(week=LAST_WEEK.replace(day=LAST_WEEK.day + 1)))
    assert "must be the date its week starts (a Monday)" in page.content.decode()
    assert not VariationRequest.objects.exists() and not Action.objects.exists()


def test_an_overlap_is_told_on_the_form(over):
    ask(over)
    page = client_for(over.carer).post(f"{NEW}?actual={over.actual.pk}", form_data())
    assert page.status_code == 200
    assert "already has an open variation request" in page.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "1\x00"])
def test_a_missing_or_tampered_actual_is_not_found(over, value):
    assert client_for(over.carer).get(f"{NEW}?actual={value}").status_code == 404


def test_another_providers_actuals_row_is_not_found(over):
    assert client_for(over.stranger).get(f"{NEW}?actual={over.actual.pk}").status_code == 404


@pytest.mark.parametrize("role", ["read_only", "reports", "administration"])
def test_roles_that_do_not_edit_invoices_cannot_ask(over, role):
    user = make_user(provider=over.provider, role=role)
    assert client_for(user).get(f"{NEW}?actual={over.actual.pk}").status_code == 403


def test_the_provider_lists_its_requests_and_another_provider_sees_none(over):
    made = ask(over)
    page = client_for(over.read_only).get(reverse("payments:variation_list"))
    assert "Monica Geller" in page.content.decode()
    page = client_for(over.stranger).get(reverse("payments:variation_list"))
    assert "Monica Geller" not in page.content.decode()
    detail = reverse("payments:variation_detail", args=[made.pk])
    assert client_for(over.stranger).get(detail).status_code == 404
    assert client_for(over.broker).get(detail).status_code == 403


def test_the_council_lists_them_with_filters(over):
    ask(over)
    client = client_for(over.broker)
    url = reverse("payments:council_variation_list")
    assert "Monica Geller" in client.get(url).content.decode()
    assert "Monica Geller" in client.get(url + "?client=MG123&status=requested").content.decode()
    assert "Monica Geller" not in client.get(url + "?status=refused").content.decode()
    assert client.get(url + "?organisation=abc&status=nonsense").status_code == 200
    other = make_user(council=over.other_council, role="broker")
    assert "Monica Geller" not in client_for(other).get(url).content.decode()
    assert client_for(over.carer).get(url).status_code == 403


def test_a_broker_approves_on_the_confirmation_page(over):
    made = ask(over)
    client = client_for(over.broker)
    approve = reverse("payments:council_variation_approve", args=[made.pk])
    assert "Approve and publish" in client.get(approve).content.decode()
    response = client.post(approve)
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == VariationStatus.APPROVED and made.document is not None
    page = client_for(over.carer).get(reverse("payments:variation_detail", args=[made.pk]))
    assert made.document.reference in page.content.decode()
    # Decided: the page says so rather than offering it again.
    again = client.post(approve, follow=True)
    assert "decided already" in again.content.decode()


def test_a_broker_refuses_with_a_reason(over):
    made = ask(over)
    client = client_for(over.broker)
    refuse = reverse("payments:council_variation_refuse", args=[made.pk])
    page = client.post(refuse, {"reason": ""})
    assert "Enter the reason, for the provider to read" in page.content.decode()
    assert client.post(refuse, {"reason": "Not agreed by the social worker"}).status_code == 302
    made.refresh_from_db()
    assert made.status == VariationStatus.REFUSED
    page = client_for(over.carer).get(reverse("payments:variation_list"))
    assert "Not agreed by the social worker" in page.content.decode()


def test_a_payments_officer_sees_but_cannot_decide(over):
    made = ask(over)
    client = client_for(over.payments_officer)
    detail = reverse("payments:council_variation_detail", args=[made.pk])
    page = client.get(detail)
    assert page.status_code == 200 and "Approve" not in page.content.decode()
    for name in ("council_variation_approve", "council_variation_refuse"):
        url = reverse(f"payments:{name}", args=[made.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x"}).status_code == 403
    made.refresh_from_db()
    assert made.status == VariationStatus.REQUESTED


def test_another_councils_broker_cannot_reach_the_request(over):
    made = ask(over)
    other = client_for(make_user(council=over.other_council, role="broker"))
    for name in (
        "council_variation_detail",
        "council_variation_approve",
        "council_variation_refuse",
    ):
        url = reverse(f"payments:{name}", args=[made.pk])
        assert other.get(url).status_code == 404
        # The detail page takes no POST (405); the decisions look the request up first (404).
        assert other.post(url, {"reason": "x"}).status_code in (404, 405)
    made.refresh_from_db()
    assert made.status == VariationStatus.REQUESTED
