"""The referrals API refuses text with control characters and text that is too long, against the
field, in the same words as the portal's forms."""

import pytest

from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE
from carebridge.integrations.api import StrictSerializer
from carebridge.referrals.api import ReferralCreateInput, ServiceUserInput
from carebridge.referrals.models import Referral
from carebridge.referrals.tests.test_api import World, body, error_fields, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def test_it_refuses_a_nul_in_a_text_field_with_a_clear_message(world):
    response = post(world.client, body(world, health_needs="Type 2\x00 diabetes"))
    assert response.status_code == 400
    assert error_fields(response) == {"health_needs": [CONTROL_CHARACTERS_MESSAGE]}
    assert not Referral.objects.exists()


def test_it_refuses_a_control_character_in_the_persons_details(world):
    person = {"ss_ref": "SS900001", "first_name": "Ann\x1bSmith", "last_name": "Smith"}
    response = post(world.client, body(world, service_user=person))
    assert response.status_code == 400
    assert error_fields(response)["service_user"]["first_name"] == [CONTROL_CHARACTERS_MESSAGE]


def test_it_refuses_a_long_text_over_ten_thousand_characters(world):
    response = post(world.client, body(world, support_summary="x" * 10_001))
    assert response.status_code == 400
    assert error_fields(response) == {
        "support_summary": ["Support summary must be 10,000 characters or fewer"]
    }
    assert post(world.client, body(world, support_summary="x" * 10_000)).status_code == 201


def test_it_keeps_a_fields_own_maximum_in_the_same_words(world):
    response = post(world.client, body(world, ward="W" * 101))
    assert error_fields(response) == {"ward": ["Ward must be 100 characters or fewer"]}


def test_it_keeps_tabs_and_new_lines_in_long_text(world):
    response = post(world.client, body(world, risks="Stairs:\n\t- steep\r\n\t- no rail"))
    assert response.status_code == 201


@pytest.mark.parametrize("serializer", [ReferralCreateInput, ServiceUserInput])
def test_every_text_field_of_the_api_input_is_bounded(serializer: type[StrictSerializer]):
    for name, field in serializer().fields.items():
        if hasattr(field, "max_length"):
            assert field.max_length is not None, name
