"""Actions related to a spot or a value commitment (Norfolk's guide, section 12): the new-action
page offers the provider's spot-priced lines, or its block-priced ones, with the council the
action is with, and no one else's; the action's "Re:" names the line by its care package, never
by the client, and links to its contract document for whoever may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import Action
from carebridge.actions.tests.conftest import World, build_world, in_days
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import PricingBasis
from carebridge.contracts.models import Cpli, ServiceLevel
from carebridge.organisations.models import Council
from carebridge.people import services as people
from carebridge.people.models import ServiceUser
from tests.support import PASSWORD, client_for, make_contract, make_council, make_user

pytestmark = pytest.mark.django_db

SPOT_LABEL = (
    "Care package CP-PB1001, Diamond Home Care - Marple, Home Care - Single Assist: "
    "14 x Hours at £16.16 (Spot), from 06/04/2026"
)


@dataclass
class Commitments:
    world: World
    block: Cpli  # the provider's block-priced line with the world's council
    elsewhere: Cpli  # the provider's spot line with another council


def _line(
    council: Council,
    world: World,
    *,
    by: User,
    person: ServiceUser,
    basis: str,
    reference: str,
    level: ServiceLevel,
) -> Cpli:
    document = contracts.contract_document_publish(
        council=council,
        service=world.service,
        service_user=person,
        care_package_reference=reference,
        lines=[
            contracts.Line(
                service_level=level,
                quantity=Decimal("40"),
                rate=Decimal("15.50"),
                pricing_basis=basis,
                start_date=date(2026, 4, 6),
            )
        ],
        by=by,
    )
    contracts.contract_document_agree(document=document, by=world.carer, password=PASSWORD)
    return document.cplis.get()


@pytest.fixture
def committed(db) -> Commitments:
    world = build_world()
    level = ServiceLevel.objects.get(council=world.council)
    block = _line(
        world.council,
        world,
        by=world.broker,
        person=world.person,
        basis=PricingBasis.BLOCK,
        reference="BLK-7",
        level=level,
    )
    other = make_council("Brackenmoor Council")
    make_contract(other, world.provider)
    other_broker = make_user(council=other, role="broker")
    other_level = contracts.service_level_create(
        council=other, name="Home Care - Single Assist", unit="hours", by=other_broker
    )
    person = people.service_user_create(
        council=other,
        by=other_broker,
        ss_ref="EL3003",
        first_name="Ursula",
        last_name="Hannigan",
        date_of_birth=date(1938, 2, 1),
    )
    elsewhere = _line(
        other,
        world,
        by=other_broker,
        person=person,
        basis=PricingBasis.SPOT,
        reference="ELSE-9",
        level=other_level,
    )
    return Commitments(world, block, elsewhere)


def new_action_page(user: User, query: dict[str, str]) -> str:
    response = client_for(user).get(reverse("actions:action_new"), query)
    assert response.status_code == 200
    return response.content.decode()


def raise_about(world: World, kind: str, cpli: Cpli) -> Action:
    return world.raise_action(related_kind=kind, related_id=cpli.pk)


def test_the_provider_is_offered_its_spot_and_block_lines_with_that_council_apart(committed):
    world = committed.world
    page = new_action_page(world.carer, {"council": world.council.slug})
    assert '<option value="spot_commitment">Spot commitment</option>' in page
    assert '<option value="value_commitment">Value commitment</option>' in page
    assert f'value="spot_commitment:{world.cpli.pk}"' in page
    assert f'value="value_commitment:{committed.block.pk}"' in page
    assert f'value="spot_commitment:{committed.block.pk}"' not in page
    assert f'value="value_commitment:{world.cpli.pk}"' not in page
    assert f"{SPOT_LABEL}</option>" in page
    # Neither another provider's line nor the provider's line with another council.
    assert "CP-OV2002" not in page
    assert "ELSE-9" not in page


def test_the_council_is_offered_the_lines_of_the_provider_it_chose(committed):
    world = committed.world
    page = new_action_page(world.broker, {"provider": str(world.provider.pk)})
    assert f'value="spot_commitment:{world.cpli.pk}"' in page
    assert f'value="value_commitment:{committed.block.pk}"' in page
    assert "CP-OV2002" not in page and "ELSE-9" not in page


def test_a_role_that_does_not_see_cplis_is_not_offered_commitments(committed):
    world = committed.world
    reports = make_user(provider=world.provider, role="reports")
    page = new_action_page(reports, {"council": world.council.slug})
    assert "spot_commitment:" not in page and "value_commitment:" not in page


def test_another_providers_line_posted_is_refused_with_a_field_error(committed):
    world = committed.world
    response = client_for(world.stranger).post(
        reverse("actions:action_new"),
        {
            "council": world.council.slug,
            "action_type": world.catalogue.payment_query.pk,
            "related_kind": RelatedKind.SPOT_COMMITMENT,
            "entity": f"spot_commitment:{world.cpli.pk}",
            "due_date_0": str(in_days(7).day),
            "due_date_1": str(in_days(7).month),
            "due_date_2": str(in_days(7).year),
            "title": "Rate query",
            "text": "Whose line is this?",
        },
    )
    assert response.status_code == 200
    assert "Choose the spot commitment" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("kind", "which"),
    [
        (RelatedKind.SPOT_COMMITMENT, "elsewhere"),  # another council's line
        (RelatedKind.VALUE_COMMITMENT, "spot"),  # a spot line is not a value commitment
        (RelatedKind.SPOT_COMMITMENT, "block"),
    ],
)
def test_the_service_refuses_a_line_that_is_not_one_of_the_kind_offered(committed, kind, which):
    world = committed.world
    cpli = {"elsewhere": committed.elsewhere, "spot": world.cpli, "block": committed.block}[which]
    with pytest.raises(ValidationError) as refused:
        raise_about(world, kind, cpli)
    label = RelatedKind(kind).label.lower()
    assert refused.value.message_dict["related_id"] == [f"Choose the {label}"]


def test_the_provider_raises_an_action_about_its_value_commitment_from_the_form(committed):
    world = committed.world
    day = in_days(7)
    response = client_for(world.carer).post(
        reverse("actions:action_new"),
        {
            "council": world.council.slug,
            "action_type": world.catalogue.payment_query.pk,
            "related_kind": RelatedKind.VALUE_COMMITMENT,
            "entity": f"value_commitment:{committed.block.pk}",
            "due_date_0": str(day.day),
            "due_date_1": str(day.month),
            "due_date_2": str(day.year),
            "team": "",
            "title": "Block top up",
            "text": "The block's unplanned absence level this month.",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.related_kind, action.related_id) == (
        RelatedKind.VALUE_COMMITMENT,
        committed.block.pk,
    )


def test_the_action_names_its_line_and_links_its_document_for_provider_and_council(committed):
    world = committed.world
    action = raise_about(world, RelatedKind.SPOT_COMMITMENT, world.cpli)
    url = reverse("actions:action_detail", args=[action.pk])
    link = reverse("contracts:document_detail", args=[world.cpli.document_id])
    for user in (world.carer, world.broker):
        detail = client_for(user).get(url).content.decode()
        assert f'<a class="govuk-link" href="{link}">{SPOT_LABEL} (Spot commitment)</a>' in detail
    inbox = client_for(world.carer).get(reverse("actions:action_list")).content.decode()
    assert f"{SPOT_LABEL} (Spot commitment)" in inbox


def test_a_reader_who_may_not_see_the_document_gets_the_label_without_link_or_client(committed):
    world = committed.world
    action = raise_about(world, RelatedKind.VALUE_COMMITMENT, committed.block)
    reports = make_user(provider=world.provider, role="reports")
    detail = client_for(reports).get(reverse("actions:action_detail", args=[action.pk]))
    page = detail.content.decode()
    assert "Care package BLK-7, Diamond Home Care - Marple" in page
    assert "(Value commitment)" in page
    assert reverse("contracts:document_detail", args=[committed.block.document_id]) not in page
    assert world.person.last_name not in page


def test_the_inbox_names_its_commitments_in_the_same_queries_however_many(committed):
    world = committed.world
    client = client_for(world.carer)
    url = reverse("actions:action_list")
    raise_about(world, RelatedKind.SPOT_COMMITMENT, world.cpli)
    raise_about(world, RelatedKind.VALUE_COMMITMENT, committed.block)
    client.get(url)  # the session's first read is not the page's
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for _ in range(3):
        raise_about(world, RelatedKind.SPOT_COMMITMENT, world.cpli)
        raise_about(world, RelatedKind.VALUE_COMMITMENT, committed.block)
    with CaptureQueriesContext(connection) as eight:
        page = client.get(url).content.decode()
    assert page.count("(Spot commitment)") == 4
    assert page.count("(Value commitment)") == 4
    assert len(eight.captured_queries) == len(two.captured_queries)
