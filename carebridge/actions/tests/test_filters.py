"""The inbox's filters (actions.filters.InboxFilters): the open actions until one is chosen (a
council officer's team's first), and the open actions of everyone when one is not valid."""

import pytest

from carebridge.actions import services
from carebridge.actions.choices import PostKind
from carebridge.actions.filters import InboxFilters
from carebridge.actions.selectors import inbox

pytestmark = pytest.mark.django_db


def titles(user, query: dict) -> set[str]:
    return {action.title for action in InboxFilters(query, inbox(user), user=user).qs}


def test_the_inbox_starts_at_the_officers_team_and_an_invalid_filter_shows_everyones(world):
    world.raise_action(title="For payments")
    world.raise_action(title="For brokerage", action_type=world.catalogue.new_care_plan)
    closed = world.raise_action(title="Done")
    services.action_post(by=world.payments_officer, action=closed, kind=PostKind.CLOSED, text="")
    officer = world.payments_officer

    assert titles(officer, {}) == titles(officer, {"page": "2"}) == {"For payments"}
    assert titles(officer, {"open_only": "on", "assigned": "nobody"}) == {
        "For payments",
        "For brokerage",
    }
    assert titles(officer, {"open_only": ""}) == {"For payments", "For brokerage", "Done"}
    assert titles(world.carer, {}) == {"For payments", "For brokerage"}
