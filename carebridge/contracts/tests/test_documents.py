"""Publishing a contract document with its CPLIs, and the provider's signature."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from carebridge.audit.models import Event
from carebridge.contracts import services
from carebridge.contracts.choices import CpliStatus, DocumentStatus, PricingBasis, Unit
from carebridge.contracts.models import ContractDocument, Cpli
from carebridge.contracts.tests.conftest import publish
from tests.support import PASSWORD, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def test_publishing_makes_the_document_and_its_cplis_awaiting_agreement(world):
    document = publish(world)
    assert document.status == DocumentStatus.PUBLISHED
    assert document.reference == f"ISO-{document.pk:07d}"
    cpli = Cpli.objects.get(document=document)
    assert cpli.status == CpliStatus.PROPOSED
    assert cpli.description == "3.5 x Hours at £16.16 (Spot)"
    assert cpli.weekly_cost == Decimal("56.56")


def test_a_bad_line_publishes_nothing(world):
    other_level = services.service_level_create(
        council=make_council(), name="Night Sits", unit=Unit.NIGHTS, by=None
    )
    bad = services.Line(
        service_level=other_level,
        quantity=Decimal("0"),
        rate=Decimal("-1"),
        pricing_basis=PricingBasis.SPOT,
        start_date=date(2026, 11, 23),
        end_date=date(2026, 11, 1),
    )
    with pytest.raises(ValidationError) as error:
        publish(world, lines=[bad])
    assert set(error.value.message_dict) == {
        "lines.1.service_level",
        "lines.1.quantity",
        "lines.1.rate",
        "lines.1.end_date",
    }
    assert not ContractDocument.objects.exists()
    assert not Cpli.objects.exists()


def test_agreeing_needs_the_password_and_records_the_signature(world):
    document = publish(world)
    with pytest.raises(ValidationError):
        services.contract_document_agree(document=document, by=world["carer"], password="wrong")
    assert ContractDocument.objects.get(pk=document.pk).status == DocumentStatus.PUBLISHED

    agreed = services.contract_document_agree(
        document=document, by=world["carer"], password=PASSWORD
    )
    assert agreed.status == DocumentStatus.AGREED
    assert agreed.answered_by == world["carer"]
    assert agreed.signed_hash == services.document_fingerprint(agreed)
    assert Cpli.objects.get(document=document).status == CpliStatus.ACTIVE
    event = Event.objects.get(action="contract_document.agreed")
    assert event.detail["fingerprint"] == agreed.signed_hash


def test_an_answered_document_cannot_be_answered_again(world):
    document = publish(world)
    services.contract_document_agree(document=document, by=world["carer"], password=PASSWORD)
    with pytest.raises(services.AnswerRefused):
        services.contract_document_reject(
            document=document, by=world["carer"], password=PASSWORD, notes="Changed our mind"
        )
    again = services.contract_document_agree(
        document=document, by=world["carer"], password=PASSWORD
    )
    assert again.status == DocumentStatus.AGREED
    assert Event.objects.filter(action="contract_document.agreed").count() == 1


def test_rejecting_needs_notes_and_rejects_the_cplis(world):
    document = publish(world)
    with pytest.raises(ValidationError):
        services.contract_document_reject(
            document=document, by=world["carer"], password=PASSWORD, notes=" "
        )
    rejected = services.contract_document_reject(
        document=document, by=world["carer"], password=PASSWORD, notes="Rate is wrong"
    )
    assert rejected.status == DocumentStatus.REJECTED
    assert Cpli.objects.get(document=document).status == CpliStatus.REJECTED


def test_after_a_rejection_the_council_issues_a_new_document(world):
    first = publish(world)
    with pytest.raises(ValidationError):
        publish(world, replaces=first)  # not rejected yet
    services.contract_document_reject(
        document=first, by=world["carer"], password=PASSWORD, notes="Rate is wrong"
    )
    second = publish(world, replaces=first)
    assert second.pk != first.pk
    assert second.replaces == first
    assert ContractDocument.objects.get(pk=first.pk).status == DocumentStatus.REJECTED


def test_only_the_provider_answers_and_only_the_council_publishes(world):
    document = publish(world)
    stranger = make_user(provider=make_provider(), role="super_user_actuals")
    with pytest.raises(PermissionDenied):
        services.contract_document_agree(document=document, by=stranger, password=PASSWORD)
    reader = make_user(provider=world["provider"], role="read_only")
    with pytest.raises(PermissionDenied):
        services.contract_document_agree(document=document, by=reader, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        publish(world, by=world["carer"])


def test_the_fingerprint_changes_with_what_the_document_says(world):
    document = publish(world)
    before = services.document_fingerprint(document)
    Cpli.objects.filter(document=document).update(rate=Decimal("16.17"))
    assert services.document_fingerprint(document) != before


def test_a_purchase_order_counts_agreed_cplis_only(world):
    from carebridge.contracts.commitment import commitment
    from carebridge.contracts.selectors import purchase_order_value

    agreed = publish(world)
    services.contract_document_agree(document=agreed, by=world["carer"], password=PASSWORD)
    publish(world, care_package_reference="CP-0002")  # still awaiting agreement
    cplis = Cpli.objects.filter(service_user=world["person"])
    value = purchase_order_value(cplis, year=2026, week_start=0)
    # From Monday 23/11/2026 to 31/03/2027: 18 whole weeks and Monday 29/03 to Wednesday 31/03.
    assert value == commitment(Decimal("56.56"), date(2026, 11, 23), None, year=2026, week_start=0)
    assert value == Decimal("56.56") * 18 + Decimal("24.24")


def test_each_side_sees_only_its_own_documents_and_cplis(world):
    from carebridge.contracts.selectors import contract_documents_visible_to, cplis_visible_to

    publish(world)
    stranger = make_user(provider=make_provider(), role="super_user_actuals")
    other_council = make_user(council=make_council(), role="broker")
    for user in (stranger, other_council):
        assert not contract_documents_visible_to(user).exists()
        assert not cplis_visible_to(user).exists()
    assert contract_documents_visible_to(world["carer"]).count() == 1
    assert cplis_visible_to(world["broker"]).count() == 1
