"""A provider's due date, optional where the council's rulebook says so (Stockport's guide,
appendix 1: "Due Date: does not need to be set"); required everywhere else, and always of the
council's own staff. An action without one is shown "Not set" and is never overdue."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from carebridge.actions import services
from carebridge.actions.models import Action
from carebridge.actions.selectors import indicator_for
from carebridge.actions.tests.conftest import in_days
from carebridge.actions.tests.test_views import new_action_data
from carebridge.organisations import services as org
from tests.support import client_for

pytestmark = pytest.mark.django_db


def due_dates_optional(world) -> None:
    org.rulebook_update(
        council=world.council, by=world.broker, actions_provider_due_date_required=False
    )


def without_due_date(world, **overrides) -> dict:
    data = new_action_data(world, **overrides)
    for part in ("due_date_0", "due_date_1", "due_date_2"):
        data[part] = ""
    return data


def test_it_asks_a_provider_for_the_due_date_where_the_council_says_so(world):
    response = client_for(world.carer).post(reverse("actions:action_new"), without_due_date(world))
    assert response.status_code == 200
    assert "Enter the due date" in response.content.decode()
    assert not Action.objects.exists()


def test_a_provider_leaves_the_due_date_unset_where_the_council_sets_them(world):
    due_dates_optional(world)
    form = client_for(world.carer).get(reverse("actions:action_new")).content.decode()
    assert "Due date (optional)" in form
    response = client_for(world.carer).post(reverse("actions:action_new"), without_due_date(world))
    action = Action.objects.get()
    assert response.status_code == 302
    assert action.due_date is None
    assert action.posts.get().due_date is None


def test_a_due_date_given_where_it_is_optional_is_kept_and_checked(world):
    due_dates_optional(world)
    client_for(world.carer).post(reverse("actions:action_new"), new_action_data(world))
    assert Action.objects.get().due_date == in_days(5)
    with pytest.raises(ValidationError) as refused:
        world.raise_action(due_date=in_days(-1))
    assert refused.value.message_dict["due_date"] == ["The due date must be today or in the future"]


def test_the_councils_own_staff_always_give_a_due_date(world):
    due_dates_optional(world)
    form = client_for(world.broker).get(reverse("actions:action_new")).content.decode()
    assert "Due date (optional)" not in form
    with pytest.raises(ValidationError) as refused:
        world.raise_action(by=world.broker, due_date=None)
    assert refused.value.message_dict["due_date"] == ["Enter the due date"]


def test_an_action_without_a_due_date_is_not_set_and_never_overdue(world):
    due_dates_optional(world)
    action = world.raise_action(due_date=None)
    assert not action.is_overdue_on(in_days(400))
    page = client_for(world.payments_officer).get(reverse("actions:action_list")).content.decode()
    assert "Not set" in page
    detail = client_for(world.carer).get(reverse("actions:action_detail", args=[action.pk]))
    assert "Not set" in detail.content.decode()
    assert indicator_for(world.payments_officer).overdue == 0
    assert indicator_for(world.payments_officer).waiting == 1


def test_the_council_sets_a_due_date_later_by_a_post(world):
    due_dates_optional(world)
    action = world.raise_action(due_date=None)
    services.action_post(
        by=world.payments_officer,
        action=action,
        kind="reply",
        text="Due by then, please.",
        due_date=in_days(3),
    )
    action.refresh_from_db()
    assert action.due_date == in_days(3)
