"""The signed-contract action of a residential or nursing provider (Stockport's guide, appendix
1): after agreeing an order in the portal, the provider is asked to send the contract signed on
paper, on a new action of the council's signed-contract type, related to the client, titled
"Signed contract attached", with no due date needed where the council sets them."""

import pytest
from django.urls import reverse

from carebridge.actions import services as actions
from carebridge.actions.models import Action
from carebridge.actions.tests.conftest import build_world, pdf
from carebridge.contracts.models import ContractDocument
from carebridge.organisations import services as org
from carebridge.organisations.provider_kinds import ProviderKind
from carebridge.organisations.services.provider_kinds import provider_kind_set
from tests.support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    world.signed_contract = actions.action_type_create(
        council=world.council,
        name="Signed Residential/Nursing Contract",
        default_team=world.catalogue.brokerage,
        is_signed_contract=True,
    )
    return world


def residential(world) -> None:
    provider_kind_set(
        council=world.council,
        provider=world.provider,
        kind=ProviderKind.RESIDENTIAL,
        by=world.broker,
    )
    org.rulebook_update(
        council=world.council, by=world.broker, actions_provider_due_date_required=False
    )


def document_page(world, user=None) -> str:
    document = ContractDocument.objects.get(service_user=world.person)
    url = reverse("contracts:document_detail", args=[document.pk])
    return client_for(user or world.carer).get(url).content.decode()


def test_a_home_care_provider_is_not_asked_for_a_paper_signature(world):
    assert "Send the signed contract" not in document_page(world)


def test_a_residential_provider_is_asked_to_send_the_signed_contract(world):
    residential(world)
    page = document_page(world)
    assert "you must also sign this contract on paper" in page
    assert f"action_type={world.signed_contract.pk}" in page
    assert f"related_kind=client&amp;related_id={world.person.pk}" in page
    # Not the council's staff, who do not send it.
    assert "Send the signed contract" not in document_page(world, world.broker)


def test_the_new_action_is_filled_in_as_the_guide_says(world):
    residential(world)
    url = (
        f"{reverse('actions:action_new')}?council={world.council.slug}"
        f"&action_type={world.signed_contract.pk}&related_kind=client&related_id={world.person.pk}"
    )
    page = client_for(world.carer).get(url).content.decode()
    assert f'<option value="{world.signed_contract.pk}" selected>' in page
    assert f'<option value="client:{world.person.pk}" selected>' in page
    assert 'value="Signed contract attached"' in page
    assert "Due date (optional)" in page


def test_once_sent_the_page_says_so_and_links_the_action(world):
    residential(world)
    response = client_for(world.carer).post(
        reverse("actions:action_new"),
        {
            "action_type": world.signed_contract.pk,
            "related_kind": "client",
            "entity": f"client:{world.person.pk}",
            "title": "Signed contract attached",
            "text": "The contract signed by the client and their daughter.",
            "attachments": [pdf("signed-contract.pdf")],
        },
    )
    action = Action.objects.get()
    assert response.status_code == 302
    assert action.due_date is None and action.assigned_team == world.catalogue.brokerage
    assert action.posts.get().attachments.count() == 1
    page = document_page(world)
    assert "You sent the signed contract" in page
    assert reverse("actions:action_detail", args=[action.pk]) in page
    assert "Send the signed contract</a>" not in page


def test_a_council_without_a_signed_contract_type_asks_for_nothing(db):
    world = build_world()
    residential(world)
    assert "Send the signed contract" not in document_page(world)
