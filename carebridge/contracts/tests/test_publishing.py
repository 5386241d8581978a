"""The council publishes a contract document from its form (lines added and removed without
JavaScript), and issues a new one after the provider rejects it, once."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from carebridge.contracts import services
from carebridge.contracts.choices import CpliStatus, DocumentStatus, PricingBasis, Unit
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.tests.conftest import publish, url
from carebridge.organisations import services as org
from tests.support import (
    PASSWORD,
    client_for,
    make_contract,
    make_council,
    make_provider,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

NEW = reverse("contracts:document_new")


def line_data(number, world, **overrides):
    fields = {
        "service_level": world["single"].pk,
        "quantity": "3.5",
        "rate": "16.16",
        "pricing_basis": "spot",
        "start_date_0": "23",
        "start_date_1": "11",
        "start_date_2": "2026",
        "end_date_0": "",
        "end_date_1": "",
        "end_date_2": "",
        **overrides,
    }
    return {f"line_{number}_{name}": value for name, value in fields.items()}


def form_data(world, *lines, **overrides):
    lines = lines or (line_data(1, world),)
    data = {
        "ss_ref": "SS100001",
        "service": world["service"].pk,
        "care_package_reference": "CP-0001",
        "line_count": str(len(lines)),
        **overrides,
    }
    for line in lines:
        data.update(line)
    return data


def rejected(world, document=None):
    document = document or publish(world)
    return services.contract_document_reject(
        document=document, by=world["carer"], password=PASSWORD, notes="The rate is wrong"
    )


# --- The publish page -------------------------------------------------------------------------


def test_it_shows_the_broker_the_form_with_the_councils_services_and_catalogue(world):
    response = client_for(world["broker"]).get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Domiciliary care ({world['provider'].name})" in page
    assert "Home Care - Single Assist Fixed Rate (Hour)" in page
    assert 'name="line_1_quantity"' in page
    assert 'name="line_2_quantity"' not in page
    assert "Add another line" in page


def test_it_publishes_and_shows_the_document_with_a_message(world):
    data = form_data(world, line_data(1, world), line_data(2, world, quantity="7", rate="32.32"))
    response = client_for(world["broker"]).post(NEW, data, follow=True)
    document = ContractDocument.objects.get()
    assert response.redirect_chain == [(url("document_detail", document), 302)]
    page = response.content.decode()
    assert f"You published {document.reference}" in page
    assert "7 x Hours at £32.32 (Spot)" in page
    assert document.service_user == world["person"]
    assert document.published_by == world["broker"]
    assert Cpli.objects.filter(document=document, status=CpliStatus.PROPOSED).count() == 2


def test_the_ss_ref_is_found_whatever_its_case(world):
    client_for(world["broker"]).post(NEW, form_data(world, ss_ref=" ss100001 "))
    assert ContractDocument.objects.get().service_user == world["person"]


def test_an_unknown_ss_ref_is_an_error_against_its_field(world):
    response = client_for(world["broker"]).post(NEW, form_data(world, ss_ref="SS999999"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_ss_ref"' in page
    assert "There is no client of the council with SS Ref SS999999" in page
    assert not ContractDocument.objects.exists()


def test_another_councils_client_is_not_found(world):
    from carebridge.people import services as people

    other = make_council()
    people.service_user_create(
        council=other,
        by=make_user(council=other, role="broker"),
        ss_ref="OTHER1",
        first_name="Not",
        last_name="Ours",
        date_of_birth=date(1950, 1, 1),
    )
    page = client_for(world["broker"]).post(NEW, form_data(world, ss_ref="OTHER1"))
    assert "There is no client of the council with SS Ref OTHER1" in page.content.decode()
    assert not ContractDocument.objects.exists()


def test_the_services_errors_go_against_the_field_of_their_line(world):
    data = form_data(
        world,
        line_data(1, world, end_date_0="1", end_date_1="11", end_date_2="2026"),
        line_data(2, world, quantity="0"),
    )
    response = client_for(world["broker"]).post(NEW, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_line_1_end_date_0"' in page
    assert "The end date must be on or after the start date" in page
    assert 'href="#id_line_2_quantity"' in page
    assert "The quantity a week must be more than 0" in page
    assert 'href="#id_line_1_quantity"' not in page
    assert not ContractDocument.objects.exists()


def test_a_line_with_nothing_in_it_is_an_error_of_that_line(world):
    data = form_data(world, line_data(1, world), line_data(2, world, quantity="", rate="x"))
    page = client_for(world["broker"]).post(NEW, data).content.decode()
    assert "Enter the quantity a week of line 2" in page
    assert "Enter the rate of line 2 in pounds, like 16.16" in page
    assert 'href="#id_line_2_rate"' in page
    assert not ContractDocument.objects.exists()


def test_another_line_is_added_with_what_was_typed_and_nothing_published(world):
    client = client_for(world["broker"])
    typed = form_data(
        world,
        line_data(1, world, quantity="5.25", end_date_0="31", end_date_1="3", end_date_2=""),
        ss_ref="SS1234 typed",
        add_line="1",
    )
    response = client.post(NEW, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert not ContractDocument.objects.exists()
    assert "There is a problem" not in page  # nothing is checked until Publish
    assert 'name="line_count" value="2"' in page
    assert 'name="line_2_quantity"' in page
    assert 'value="SS1234 typed"' in page
    assert 'name="line_1_quantity" value="5.25"' in page
    assert 'name="line_1_end_date_0" value="31"' in page  # half a date stays as typed
    # The round trip: the new line filled in and published.
    data = form_data(world, line_data(1, world), line_data(2, world, quantity="2", rate="98.5"))
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert ContractDocument.objects.get().cplis.count() == 2


def test_a_line_is_removed_and_the_others_move_up(world):
    data = form_data(
        world,
        line_data(1, world, quantity="1"),
        line_data(2, world, quantity="2"),
        line_data(3, world, quantity="3"),
        remove="2",
    )
    page = client_for(world["broker"]).post(NEW, data).content.decode()
    assert not ContractDocument.objects.exists()
    assert 'name="line_count" value="2"' in page
    assert 'name="line_1_quantity" value="1"' in page
    assert 'name="line_2_quantity" value="3"' in page
    assert 'name="line_3_quantity"' not in page


def test_the_last_line_cannot_be_removed(world):
    page = client_for(world["broker"]).post(NEW, form_data(world, remove="1")).content.decode()
    assert 'name="line_1_quantity" value="3.5"' in page
    assert 'name="remove"' not in page


def test_the_list_offers_publishing_to_the_broker_only(world):
    assert (
        NEW in client_for(world["broker"]).get(reverse("contracts:document_list")).content.decode()
    )
    officer = make_user(council=world["council"], role="payments_officer")
    for user in (officer, world["carer"]):
        assert NEW not in client_for(user).get(reverse("contracts:document_list")).content.decode()


@pytest.mark.parametrize("role", ["payments_officer", "front_door_officer"])
def test_council_staff_who_do_not_edit_documents_cannot_publish(world, role):
    client = client_for(make_user(council=world["council"], role=role))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(world)).status_code == 403
    assert not ContractDocument.objects.exists()


def test_a_provider_cannot_publish(world):
    client = client_for(world["carer"])  # may edit contract documents, but as a provider
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(world)).status_code == 403
    assert not ContractDocument.objects.exists()


def test_a_service_of_a_provider_without_a_contract_is_not_offered(world):
    outsider = org.service_create(provider=make_provider(), name="Elsewhere", postcode="M1 1AA")
    client = client_for(world["broker"])
    assert "Elsewhere" not in client.get(NEW).content.decode()
    page = client.post(NEW, form_data(world, service=outsider.pk)).content.decode()
    assert 'href="#id_service"' in page
    assert not ContractDocument.objects.exists()


# --- Issuing a new document after a rejection --------------------------------------------------


def test_the_rejected_documents_page_shows_the_notes_and_issue_a_new_document(world):
    document = rejected(world)
    page = client_for(world["broker"]).get(url("document_detail", document)).content.decode()
    assert "The rate is wrong" in page
    assert url("document_reissue", document) in page
    officer = make_user(council=world["council"], role="payments_officer")
    for user in (officer, world["carer"]):
        page = client_for(user).get(url("document_detail", document)).content.decode()
        assert url("document_reissue", document) not in page


def test_the_new_document_form_is_prefilled_from_the_rejected_one(world):
    line = services.Line(
        service_level=world["single"],
        quantity=Decimal("10.5"),
        rate=Decimal("17.25"),
        pricing_basis=PricingBasis.BLOCK,
        start_date=date(2026, 11, 30),
        end_date=date(2027, 3, 31),
    )
    document = rejected(world, publish(world, lines=[line], care_package_reference="CP-77"))
    response = client_for(world["broker"]).get(url("document_reissue", document))
    assert response.status_code == 200
    page = response.content.decode()
    assert "The rate is wrong" in page
    assert 'name="ss_ref" value="SS100001"' in page
    assert 'name="care_package_reference" value="CP-77"' in page
    assert f'<option value="{world["service"].pk}" selected>' in page
    assert f'<option value="{world["single"].pk}" selected>' in page
    assert 'name="line_1_quantity" value="10.5"' in page
    assert 'name="line_1_rate" value="17.25"' in page
    assert '<option value="block" selected>' in page
    assert 'name="line_1_start_date_0" value="30"' in page
    assert 'name="line_1_end_date_2" value="2027"' in page


def test_issuing_a_new_document_links_it_to_the_rejected_one(world):
    document = rejected(world)
    client = client_for(world["broker"])
    response = client.post(url("document_reissue", document), form_data(world))
    new = ContractDocument.objects.get(replaces=document)
    assert response["Location"] == url("document_detail", new)
    assert new.status == DocumentStatus.PUBLISHED
    page = client.get(url("document_detail", new)).content.decode()
    assert "Replaces" in page and url("document_detail", document) in page
    page = client.get(url("document_detail", document)).content.decode()
    assert "Replaced by" in page and url("document_detail", new) in page
    assert url("document_reissue", document) not in page  # once only


def test_a_document_issued_again_already_cannot_be_issued_again(world):
    document = rejected(world)
    first = publish(world, replaces=document)
    with pytest.raises(ValidationError) as error:
        publish(world, replaces=document)
    assert f"already been issued again as {first.reference}" in str(error.value)
    assert ContractDocument.objects.filter(replaces=document).count() == 1
    client = client_for(world["broker"])
    response = client.get(url("document_reissue", document))
    assert response.status_code == 200
    assert "already been issued again" in response.content.decode()
    assert 'name="line_1_quantity"' not in response.content.decode()
    client.post(url("document_reissue", document), form_data(world))
    assert ContractDocument.objects.filter(replaces=document).count() == 1


def test_the_database_refuses_a_second_new_document_at_the_same_moment(world):
    document = rejected(world)
    publish(world, replaces=document)
    # As if a second broker had checked before the first one's document was saved.
    with mock.patch.object(services, "reissue_refusal", return_value=None):
        with pytest.raises(IntegrityError), transaction.atomic():
            ContractDocument.objects.create(
                **{
                    field: getattr(document, field)
                    for field in (
                        "council",
                        "provider",
                        "service",
                        "service_user",
                        "kind",
                        "care_package_reference",
                        "published_at",
                        "published_by",
                        "changed_at",
                    )
                },
                reference="ISO-RACE",
                replaces=document,
            )
        with pytest.raises(ValidationError) as error:
            publish(world, replaces=document)
    assert "issued again already" in str(error.value)
    assert ContractDocument.objects.filter(replaces=document).count() == 1


@pytest.mark.parametrize("answer", ["published", "agreed"])
def test_a_document_that_was_not_rejected_cannot_be_issued_again(world, answer):
    document = publish(world)
    if answer == "agreed":
        services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)
    with pytest.raises(ValidationError) as error:
        publish(world, replaces=document)
    assert "only a rejected document can be issued again" in str(error.value)
    response = client_for(world["broker"]).get(url("document_reissue", document))
    assert response.status_code == 200
    assert "only a rejected document can be issued again" in response.content.decode()


def test_a_new_document_must_be_for_the_same_client(world):
    from carebridge.people import services as people

    document = rejected(world)
    somebody = people.service_user_create(
        council=world["council"],
        by=world["broker"],
        ss_ref="SS200002",
        first_name="Arthur",
        last_name="Penhaligon",
        date_of_birth=date(1938, 1, 2),
    )
    response = client_for(world["broker"]).post(
        url("document_reissue", document), form_data(world, ss_ref="SS200002")
    )
    assert "Only a rejected order for the same client can be issued again" in (
        response.content.decode()
    )
    assert not ContractDocument.objects.filter(service_user=somebody).exists()


def test_only_the_councils_editors_may_issue_a_new_document(world):
    document = rejected(world)
    officer = make_user(council=world["council"], role="payments_officer")
    reader = make_user(provider=world["provider"], role="read_only")
    for user in (officer, world["carer"], reader):
        client = client_for(user)
        assert client.get(url("document_reissue", document)).status_code == 403
        assert client.post(url("document_reissue", document), form_data(world)).status_code == 403
    outsiders = [make_user(council=make_council(), role="broker")]
    other = make_provider()
    make_contract(world["council"], other)
    outsiders.append(make_user(provider=other, role="super_user_actuals"))
    for user in outsiders:
        client = client_for(user)
        assert client.get(url("document_reissue", document)).status_code == 404
        assert client.post(url("document_reissue", document), form_data(world)).status_code == 404
    assert not ContractDocument.objects.filter(replaces=document).exists()


def test_a_new_document_can_use_a_level_added_since(world):
    document = rejected(world)
    night = services.service_level_create(
        council=world["council"], name="Night Sits", unit=Unit.NIGHTS, by=world["broker"]
    )
    data = form_data(world, line_data(1, world, service_level=night.pk, quantity="2"))
    client_for(world["broker"]).post(url("document_reissue", document), data)
    new = ContractDocument.objects.get(replaces=document)
    assert new.cplis.get().description == "2 x Nights at £16.16 (Spot)"
