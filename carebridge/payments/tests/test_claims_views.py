"""The pages of one-off claims, as a provider's payments user and the council's payments team
use them, without JavaScript: the whole journey, the button only where a contract allows claims,
the roles, another organisation's claim not found, bad input in the error summary."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from carebridge.actuals.tests.conftest import make_payment_rule
from carebridge.audit.models import Event
from carebridge.core.idempotency import form_token_issue
from carebridge.organisations.choices import ContractType
from carebridge.payments import services
from carebridge.payments.choices import AbsenceStay, ClaimStatus, InvoiceStatus
from carebridge.payments.models import ClaimAttachment, ClaimClientItem, Invoice, OneOffClaim
from carebridge.payments.tests.conftest import period_of
from carebridge.payments.tests.test_claims import (
    MONDAY,
    PDF,
    absence,
    claiming_world,
    new_claim,
)
from tests.support import client_for, make_contract, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def claiming(world):
    return claiming_world(world)


def date_fields(name: str, day: date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def submitted(world) -> OneOffClaim:
    claim = new_claim(world)
    absence(world, claim)
    return services.claim_submit(by=world.carer, claim=claim)


def test_a_provider_claims_a_five_day_hospital_absence_and_invoices_it(claiming):
    world = claiming
    carer = client_for(world.carer)
    listed = carer.get(reverse("payments:claim_list"))
    assert "New one-off claim" in listed.content.decode()
    response = carer.post(
        reverse("payments:claim_new"),
        {"service": world.service.pk, "period": period_of(world).pk, "notes": "November"},
    )
    claim = OneOffClaim.objects.get()
    assert response["Location"] == reverse("payments:claim_detail", args=[claim.pk])
    response = carer.post(
        reverse("payments:claim_client_item", args=[claim.pk]),
        {
            "ss_ref": "MG123",
            **date_fields("absence_start", MONDAY),
            **date_fields("absence_end", date(2026, 11, 13)),
            "stay": AbsenceStay.HOSPITAL,
            "hours": "12.5",
            "authorised_by": "Rachel Green",
        },
    )
    assert response.status_code == 302
    carer.post(
        reverse("payments:claim_provider_item", args=[claim.pk]),
        {"description": "Mileage", "amount": "9.99"},
    )
    carer.post(
        reverse("payments:claim_file", args=[claim.pk]),
        {"file": SimpleUploadedFile("details.pdf", PDF)},
    )
    page = carer.get(reverse("payments:claim_detail", args=[claim.pk])).content.decode()
    assert "£211.99" in page and "Rachel Green" in page and "details.pdf" in page
    carer.post(reverse("payments:claim_submit", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    officer = client_for(world.payments_officer)
    queue = officer.get(reverse("payments:council_claim_list")).content.decode()
    assert world.service.name in queue and "£211.99" in queue
    response = officer.post(
        reverse("payments:claim_decide", args=[claim.pk, "approve"]),
        {"action_type": world.action_type.pk},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED

    page = carer.get(reverse("payments:claim_detail", args=[claim.pk])).content.decode()
    assert "Create invoice" in page
    response = carer.post(
        reverse("payments:claim_invoice", args=[claim.pk]),
        {"reference": "ABS-77", **date_fields("invoice_date", date(2026, 11, 16))},
    )
    invoice = Invoice.objects.get(claim=claim)
    assert response["Location"] == reverse("payments:invoice_detail", args=[invoice.pk])
    assert carer.get(response["Location"]).status_code == 200
    carer.post(reverse("payments:invoice_submit", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.SUBMITTED
    detail = reverse("payments:council_invoice_detail", args=[invoice.pk])
    assert officer.get(detail).status_code == 200


def test_the_button_is_hidden_and_the_page_says_why_where_no_contract_allows_claims(world):
    carer = client_for(world.carer)
    assert "New one-off claim" not in carer.get(reverse("payments:claim_list")).content.decode()
    page = carer.get(reverse("payments:claim_new")).content.decode()
    assert "None of your contracts allows one-off claims" in page
    carer.post(
        reverse("payments:claim_new"),
        {"service": world.service.pk, "period": period_of(world).pk},
    )
    assert not OneOffClaim.objects.exists()


def test_bad_input_shows_in_the_error_summary(claiming):
    world = claiming
    claim = new_claim(world)
    carer = client_for(world.carer)
    response = carer.post(
        reverse("payments:claim_client_item", args=[claim.pk]),
        {
            "ss_ref": "MG123\x00",
            **date_fields("absence_start", MONDAY),
            "absence_end_0": "31",
            "absence_end_1": "2",
            "absence_end_2": "2026",
            "stay": "holiday",
            "hours": "lots",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "must be a real date" in page and "Hours claimed must be a number" in page
    response = carer.post(
        reverse("payments:claim_client_item", args=[claim.pk]),
        {
            "ss_ref": "MG123",
            **date_fields("absence_start", MONDAY),
            **date_fields("absence_end", date(2026, 11, 12)),
            "stay": AbsenceStay.RESPITE,
            "hours": "8",
        },
    )
    assert services.NEEDS_WORKER in response.content.decode()
    response = carer.post(
        reverse("payments:claim_provider_item", args=[claim.pk]),
        {"description": "x" * 201, "amount": "-1"},
    )
    assert "200 characters or fewer" in response.content.decode()
    response = carer.post(
        reverse("payments:claim_new"), {"service": "9" * 30, "period": "nope", "notes": "a"}
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not ClaimClientItem.objects.exists()


def test_a_submit_without_items_is_refused_on_its_page(claiming):
    claim = new_claim(claiming)
    response = client_for(claiming.carer).post(reverse("payments:claim_submit", args=[claim.pk]))
    assert services.NO_ITEMS in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNSUBMITTED


def test_the_payments_team_rejects_with_a_reason_the_provider_reads(claiming):
    world = claiming
    claim = submitted(world)
    officer = client_for(world.payments_officer)
    url = reverse("payments:claim_decide", args=[claim.pk, "reject"])
    response = officer.post(url, {"action_type": world.action_type.pk, "reason": ""})
    assert "Enter the reason" in response.content.decode()
    officer.post(url, {"action_type": world.action_type.pk, "reason": "Planned stay"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    page = client_for(world.carer).get(reverse("payments:claim_detail", args=[claim.pk]))
    assert "Planned stay" in page.content.decode()
    assert reverse("actions:action_detail", args=[claim.action_id]) in page.content.decode()


def test_roles_without_one_off_claims_are_refused(claiming):
    world = claiming
    claim = submitted(world)
    invoice_only = client_for(make_user(provider=world.provider, role="invoice_only"))
    assert invoice_only.get(reverse("payments:claim_list")).status_code == 403
    read_only = client_for(world.read_only)
    assert read_only.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 200
    assert read_only.get(reverse("payments:claim_new")).status_code == 403
    broker = client_for(world.broker)
    assert broker.get(reverse("payments:council_claim_list")).status_code == 403
    decide = reverse("payments:claim_decide", args=[claim.pk, "approve"])
    assert broker.post(decide, {"action_type": world.action_type.pk}).status_code == 403
    assert client_for(world.carer).get(decide).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_another_organisations_claim_and_its_files_are_not_found(claiming):
    world = claiming
    claim = new_claim(world)
    services.claim_attachment_add(
        by=world.carer, claim=claim, upload=SimpleUploadedFile("details.pdf", PDF)
    )
    attachment = ClaimAttachment.objects.get()
    download = reverse("payments:claim_file_download", args=[claim.pk, attachment.pk])
    stranger = client_for(world.stranger)
    assert stranger.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 404
    assert stranger.get(download).status_code == 404
    assert stranger.post(reverse("payments:claim_delete", args=[claim.pk])).status_code == 404
    # The council does not see the provider's draft.
    officer = client_for(world.payments_officer)
    assert officer.get(reverse("payments:claim_detail", args=[claim.pk])).status_code == 404
    assert OneOffClaim.objects.filter(pk=claim.pk).exists()
    # The owner's download is audited.
    response = client_for(world.carer).get(download)
    assert b"".join(response.streaming_content) == PDF
    assert Event.objects.filter(action="claim.attachment_downloaded").count() == 1


def test_viewing_a_claim_is_audited(claiming):
    claim = new_claim(claiming)
    client_for(claiming.carer).get(reverse("payments:claim_detail", args=[claim.pk]))
    assert Event.objects.filter(action="claim.viewed", object_id=str(claim.pk)).count() == 1


def test_removing_an_item_and_deleting_the_claim(claiming):
    world = claiming
    claim = new_claim(world)
    item = absence(world, claim)
    carer = client_for(world.carer)
    carer.post(reverse("payments:claim_remove", args=[claim.pk, "client", item.pk]))
    assert not ClaimClientItem.objects.exists()
    assert (
        carer.post(reverse("payments:claim_remove", args=[claim.pk, "nothing", 1])).status_code
        == 404
    )
    response = carer.post(reverse("payments:claim_delete", args=[claim.pk]))
    assert response["Location"] == reverse("payments:claim_list")
    assert not OneOffClaim.objects.exists()


def test_a_double_click_on_create_makes_one_claim(claiming):
    world = claiming
    carer = client_for(world.carer)
    request = type("R", (), {"user": world.carer})()
    token = form_token_issue(request)
    data = {"service": world.service.pk, "period": period_of(world).pk, "form_token": token}
    first = carer.post(reverse("payments:claim_new"), data)
    second = carer.post(reverse("payments:claim_new"), data)
    assert first["Location"] == second["Location"]
    assert OneOffClaim.objects.count() == 1


def test_a_provider_of_two_councils_sees_each_date_named_with_its_council(claiming):
    world = claiming
    make_contract(
        world.other_council,
        world.provider,
        contract_type=ContractType.BLOCK_2015,
        start_date=date(2026, 10, 1),
    )
    make_payment_rule(world.other_council, ContractType.BLOCK_2015, one_off_claims_allowed=True)
    page = client_for(world.carer).get(reverse("payments:claim_new")).content.decode()
    assert f"15/11/2026 ({world.council.name})" in page
    assert f"15/11/2026 ({world.other_council.name})" in page
