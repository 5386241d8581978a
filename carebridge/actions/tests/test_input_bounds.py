"""An action's text and comments are bounded: a maximum length in the GOV.UK character count's
words, and no control characters (PostgreSQL cannot store a NUL)."""

import pytest
from django.urls import reverse

from carebridge.actions.tests.test_views import new_action_data, post
from carebridge.core.bounds import CONTROL_CHARACTERS_MESSAGE
from tests.support import client_for

pytestmark = pytest.mark.django_db


def test_it_refuses_a_comment_over_ten_thousand_characters(world):
    action = world.raise_action()
    response = post(world.carer, action, "comment", text="x" * 10_001)
    assert response.status_code == 200
    assert "Comment must be 10,000 characters or fewer" in response.content.decode()
    assert action.posts.count() == 1
    assert post(world.carer, action, "comment", text="x" * 10_000).status_code == 302
    assert action.posts.count() == 2


def test_it_refuses_a_two_megabyte_comment(world):
    action = world.raise_action()
    response = post(world.carer, action, "comment", text="x" * 2_000_000)
    assert response.status_code == 200
    assert action.posts.count() == 1


def test_it_refuses_a_nul_in_a_comment_with_a_clear_message(world):
    action = world.raise_action()
    response = post(world.carer, action, "comment", text="Paid\x00 now")
    assert response.status_code == 200
    page = response.content.decode()
    assert CONTROL_CHARACTERS_MESSAGE in page
    assert "Null characters are not allowed" not in page
    assert action.posts.count() == 1


def test_it_refuses_an_escape_character_in_a_new_actions_title(world):
    response = client_for(world.carer).post(
        reverse("actions:action_new"), new_action_data(world, title="Payment\x1b[31m query")
    )
    assert response.status_code == 200
    assert CONTROL_CHARACTERS_MESSAGE in response.content.decode()


def test_it_refuses_a_due_date_after_2100(world):
    response = client_for(world.carer).post(
        reverse("actions:action_new"),
        new_action_data(world, due_date_0="31", due_date_1="12", due_date_2="9999"),
    )
    assert response.status_code == 200
    assert "The due date must be between 1900 and 2100" in response.content.decode()


def test_it_ignores_a_nul_in_the_inbox_filters(world):
    world.raise_action()
    response = client_for(world.carer).get(
        reverse("actions:action_list"), {"assigned": "\x00", "action_type": "\x00"}
    )
    assert response.status_code == 200
