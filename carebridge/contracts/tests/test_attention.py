"""The home pages count the contract documents waiting for someone: the provider's answer, or
the council's new document after a rejection."""

import pytest

from carebridge.contracts import services
from carebridge.contracts.selectors import contract_attention_for
from carebridge.contracts.tests.conftest import publish
from tests.support import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_it_counts_the_documents_waiting_for_the_providers_answer(world):
    publish(world)
    agreed = publish(world, care_package_reference="CP-0002")
    services.contract_document_agree(document=agreed, by=world["carer"], password=PASSWORD)

    [item] = contract_attention_for(world["carer"])

    assert item.label == "Contract documents waiting for your answer"
    assert item.count == 1
    assert item.url == "/contracts/documents/?status=published"


def test_it_counts_rejected_documents_until_the_council_issues_a_new_one(world, client):
    rejected = publish(world)
    services.contract_document_reject(
        document=rejected, by=world["carer"], password=PASSWORD, notes="Wrong hours"
    )
    [item] = contract_attention_for(world["broker"])
    assert (item.label, item.count) == ("Contract documents rejected by the provider", 1)

    publish(world, replaces=rejected)

    assert contract_attention_for(world["broker"]) == []


def test_it_shows_nothing_to_roles_that_cannot_answer_or_publish(world):
    publish(world)
    reader = make_user(provider=world["provider"], role="read_only")
    payments_officer = make_user(council=world["council"], role="payments_officer")

    assert contract_attention_for(reader) == []
    assert contract_attention_for(payments_officer) == []


def test_the_providers_home_page_links_to_the_waiting_documents(world, client):
    publish(world)
    client.force_login(world["carer"])

    body = client.get("/").content.decode()

    assert "Contract documents waiting for your answer" in body
    assert 'href="/contracts/documents/?status=published"' in body
