"""The contract document pages: the shared list, a document and its PDF, and the provider's
signature, tried as the provider, the council, another provider and a read-only user."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.contracts import services
from carebridge.contracts.choices import CpliStatus, DocumentStatus, PricingBasis
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.pdf import document_pdf
from carebridge.contracts.tests.conftest import publish, url
from carebridge.people import services as people
from tests.support import PASSWORD, client_for, make_contract, make_provider, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def document(world):
    return publish(world)


@pytest.fixture
def stranger(world):
    other = make_provider()
    make_contract(world["council"], other)
    return make_user(provider=other, role="super_user_actuals")


# --- The list -------------------------------------------------------------------------------


def test_it_lists_the_providers_documents(world, document):
    response = client_for(world["carer"]).get(reverse("contracts:document_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert document.reference in page
    assert "Goddard" in page
    assert "Total number of contract documents = 1" in page


def test_it_lists_the_councils_own_documents(world, document):
    page = client_for(world["broker"]).get(reverse("contracts:document_list")).content.decode()
    assert document.reference in page
    assert world["provider"].name in page


def test_another_provider_sees_none_of_them(world, document, stranger):
    page = client_for(stranger).get(reverse("contracts:document_list")).content.decode()
    assert document.reference not in page
    assert "Total number of contract documents = 0" in page


def _second_client(world):
    return people.service_user_create(
        council=world["council"],
        by=world["broker"],
        ss_ref="SS200002",
        first_name="Arthur",
        last_name="Penhaligon",
        date_of_birth=date(1938, 1, 2),
    )


def test_it_filters_by_client_status_service_and_updated_since(world, document):
    from carebridge.organisations import services as org

    other = publish(
        world,
        service_user=_second_client(world),
        service=org.service_create(
            provider=world["provider"], name="Night care", postcode="M1 1AA"
        ),
        care_package_reference="CP-0002",
    )
    services.contract_document_agree(document=other, by=world["carer"], password=PASSWORD)
    client = client_for(world["carer"])
    list_url = reverse("contracts:document_list")

    def shown(**params):
        page = client.get(list_url, params).content.decode()
        return {d.reference for d in (document, other) if d.reference in page}

    assert shown() == {document.reference, other.reference}
    assert shown(client="penhal") == {other.reference}
    assert shown(client="SS100001") == {document.reference}
    assert shown(status="agreed") == {other.reference}
    assert shown(status="published") == {document.reference}
    assert shown(status="nonsense") == {document.reference, other.reference}
    assert shown(service=world["service"].pk) == {document.reference}
    assert shown(since="2026-11-23") == {document.reference, other.reference}
    assert shown(since="2026-11-24") == set()
    assert shown(since_0="24", since_1="11", since_2="2026") == set()
    assert shown(since_0="23", since_1="11", since_2="2026") == {
        document.reference,
        other.reference,
    }
    page = client.get(list_url, {"status": "agreed"}).content.decode()
    assert "Total number of contract documents = 1" in page


def test_the_list_makes_the_same_number_of_queries_for_3_or_30_documents(world):
    client = client_for(world["broker"])
    list_url = reverse("contracts:document_list")

    def queries_for(total):
        while ContractDocument.objects.count() < total:
            publish(world, care_package_reference=f"CP-{ContractDocument.objects.count():04d}")
        client.get(list_url)  # the session and the user are loaded once per request as well
        with CaptureQueriesContext(connection) as captured:
            response = client.get(list_url)
        assert response.status_code == 200
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_the_list_paginates_by_25(world):
    for n in range(27):
        publish(world, care_package_reference=f"CP-{n:04d}")
    client = client_for(world["carer"])
    first = client.get(reverse("contracts:document_list")).content.decode()
    assert "Total number of contract documents = 27" in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("contracts:document_list"), {"page": 2}).content.decode()
    assert second.count('">Individual Service Order ISO-') == 2


# --- The document and its PDF ------------------------------------------------------------------


def test_the_provider_sees_the_document_with_agree_and_reject(world, document):
    page = client_for(world["carer"]).get(url("document_detail", document)).content.decode()
    assert "3.5 x Hours at £16.16 (Spot)" in page
    assert "£56.56" in page
    assert "govuk-tag--blue" in page
    assert url("document_agree", document) in page
    assert url("document_reject", document) in page
    assert url("document_pdf", document) in page


def test_the_council_sees_the_document_without_agree(world, document):
    response = client_for(world["broker"]).get(url("document_detail", document))
    assert response.status_code == 200
    page = response.content.decode()
    assert document.reference in page
    assert url("document_agree", document) not in page


def test_a_read_only_user_sees_the_document_without_agree(world, document):
    reader = make_user(provider=world["provider"], role="read_only")
    page = client_for(reader).get(url("document_detail", document)).content.decode()
    assert document.reference in page
    assert url("document_agree", document) not in page


@pytest.mark.parametrize(
    "name", ["document_detail", "document_pdf", "document_agree", "document_reject"]
)
def test_another_provider_is_told_the_document_does_not_exist(world, document, stranger, name):
    assert client_for(stranger).get(url(name, document)).status_code == 404


def test_the_pdf_is_a_download_named_by_the_reference(world, document):
    for user in (world["carer"], world["broker"]):
        response = client_for(user).get(url("document_pdf", document))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{document.reference}.pdf"'
        assert response.content.startswith(b"%PDF")
        assert len(response.content) > 1000


def test_the_pdf_shows_what_the_fingerprint_covers_and_the_signature(world, document):
    raw = document_pdf(document, compress=False)
    assert document.reference.encode() in raw
    assert b"CP-0001" in raw
    assert b"SS100001" in raw
    assert b"56.56" in raw
    assert b"23/11/2026" in raw
    assert document_pdf(document) == document_pdf(document)  # the same bytes every time
    agreed = services.contract_document_agree(
        document=document, by=world["carer"], password=PASSWORD
    )
    raw = document_pdf(agreed, compress=False)
    assert agreed.signed_hash.encode() in raw
    assert f"Agreed by {world['carer'].full_name}".encode() in raw


# --- Agree and reject --------------------------------------------------------------------------


def test_the_agree_page_asks_for_the_declaration_and_password(world, document):
    response = client_for(world["carer"]).get(url("document_agree", document))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"I agree to this contract document on behalf of {world['provider'].name}" in page
    assert 'type="password"' in page


def test_agreeing_signs_the_document_and_makes_its_cplis_active(world, document):
    response = client_for(world["carer"]).post(
        url("document_agree", document), {"password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    assert response["Location"] == url("document_detail", document)
    document.refresh_from_db()
    assert document.status == DocumentStatus.AGREED
    assert document.signed_hash == services.document_fingerprint(document)
    assert Cpli.objects.get(document=document).status == CpliStatus.ACTIVE
    page = client_for(world["carer"]).get(response["Location"]).content.decode()
    assert "govuk-tag--green" in page
    assert document.signed_hash in page
    assert url("document_agree", document) not in page


def test_the_success_banner_follows_the_answer(world, document):
    client = client_for(world["carer"])
    response = client.post(url("document_agree", document), {"password": PASSWORD}, follow=True)
    assert "You agreed to" in response.content.decode()


def test_a_wrong_password_is_shown_against_the_field_and_changes_nothing(world, document):
    response = client_for(world["carer"]).post(url("document_agree", document), {"password": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_password"' in page
    assert "The password is not right" in page
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED
    assert Cpli.objects.get(document=document).status == CpliStatus.PROPOSED


def test_rejecting_records_the_notes(world, document):
    client = client_for(world["carer"])
    response = client.post(
        url("document_reject", document), {"notes": "The rate is wrong", "password": PASSWORD}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    assert document.answer_notes == "The rate is wrong"
    assert Cpli.objects.get(document=document).status == CpliStatus.REJECTED
    page = client.get(url("document_detail", document)).content.decode()
    assert "govuk-tag--red" in page
    assert "The rate is wrong" in page


def test_rejecting_needs_notes(world, document):
    response = client_for(world["carer"]).post(
        url("document_reject", document), {"notes": "", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Say why you are rejecting this document" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED


def test_an_answered_document_shows_why_instead_of_the_form(world, document):
    services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)
    client = client_for(world["carer"])
    response = client.get(url("document_reject", document))
    assert response.status_code == 200
    page = response.content.decode()
    assert "This document has already been agreed" in page
    assert 'type="password"' not in page
    response = client.post(
        url("document_reject", document), {"notes": "Too late", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "This document has already been agreed" in response.content.decode()
    document.refresh_from_db()
    assert document.status == DocumentStatus.AGREED


@pytest.mark.parametrize("name", ["document_agree", "document_reject"])
def test_a_read_only_user_and_the_council_cannot_answer(world, document, name):
    reader = make_user(provider=world["provider"], role="read_only")
    for user in (reader, world["broker"]):
        client = client_for(user)
        assert client.get(url(name, document)).status_code == 403
        assert (
            client.post(url(name, document), {"notes": "x", "password": PASSWORD}).status_code
            == 403
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED


def test_an_anonymous_visitor_is_sent_to_log_in(document):
    response = Client().get(reverse("contracts:document_list"))
    assert response.status_code == 302


def test_money_and_lines_follow_the_document(world):
    line = services.Line(
        service_level=world["single"],
        quantity=Decimal("100"),
        rate=Decimal("16.16"),
        pricing_basis=PricingBasis.BLOCK,
        start_date=date(2026, 11, 23),
        end_date=date(2027, 3, 31),
    )
    document = publish(world, lines=[line])
    page = client_for(world["carer"]).get(url("document_detail", document)).content.decode()
    assert "£1,616.00" in page
    assert "31/03/2027" in page


def test_every_view_and_download_of_a_document_is_audited(world, document):
    from carebridge.audit.models import Event

    client_for(world["carer"]).get(url("document_detail", document))
    client_for(world["broker"]).get(url("document_pdf", document))
    about = Event.objects.filter(object_id=str(document.pk))
    viewed = about.get(action="contract_document.viewed")
    downloaded = about.get(action="contract_document.downloaded")
    assert viewed.actor == world["carer"]
    assert downloaded.actor == world["broker"]
    assert viewed.council_id == document.council_id
    assert viewed.provider_id == document.provider_id
