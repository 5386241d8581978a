"""The benchmark's actions (`seed_scale --actions`): bulk-loaded, yet only rows the actions
services write, and seen by the personas through the inbox."""

import pytest
from django.core.management import CommandError, call_command

from carebridge.accounts.models import User
from carebridge.actions.choices import ActionStatus, PostKind, RelatedKind
from carebridge.actions.filters import InboxFilters
from carebridge.actions.models import Action, Post
from carebridge.actions.selectors import inbox, related_choices
from carebridge.audit.models import Event
from carebridge.core.calendar import to_london
from carebridge.core.permissions import Function, can_edit
from carebridge.demo.scale import SCALE_SLUG, seed_scale
from carebridge.notifications.models import Notification
from carebridge.organisations.choices import TeamKind

pytestmark = pytest.mark.django_db

ACTIONS = 40
EVERY_ACTION = {"open_only": ""}


def seed(actions: int = ACTIONS) -> dict:
    return seed_scale(clients=40, contract_documents=30, actions=actions)


def filtered(user: User, query: dict):
    """The user's inbox through its filters, as the page reads it."""
    return InboxFilters(query, inbox(user), user=user).qs


def persona(name: str) -> User:
    return User.objects.select_related("provider", "team").get(email=f"{name}@{SCALE_SLUG}.example")


def test_the_provider_persona_sees_its_own_actions_in_its_inbox():
    made = seed()
    provider = persona("provider")
    mine = Action.objects.filter(provider_id=provider.provider_id)

    assert made["actions"]["actions"] == ACTIONS == Action.objects.count()
    assert 0.1 < mine.count() / ACTIONS < 0.5
    assert set(filtered(provider, EVERY_ACTION)) == set(mine)
    assert set(filtered(provider, {})) == set(mine.filter(status=ActionStatus.OPEN))


def test_the_broker_persona_works_in_the_brokerage_team_and_sees_the_councils_actions():
    seed()
    broker = persona("broker")

    assert broker.team is not None and broker.team.kind == TeamKind.BROKERAGE
    assert filtered(broker, EVERY_ACTION).count() == ACTIONS
    mine = filtered(broker, {"assigned": str(broker.team_id)})
    assert mine.count() == Action.objects.filter(assigned_team=broker.team).count()


def test_most_actions_are_closed_and_some_open_ones_are_overdue():
    made = seed()
    actions = Action.objects.all()

    assert 0.5 < actions.filter(status=ActionStatus.CLOSED).count() / ACTIONS < 0.9
    assert made["actions"]["overdue"] and made["actions"]["open"]
    assert {RelatedKind.CLIENT, RelatedKind.CPLI} <= set(
        actions.values_list("related_kind", flat=True)
    )


def test_every_action_is_one_the_services_could_have_written():
    seed()
    for action in Action.objects.select_related("provider", "assigned_team", "council"):
        action.full_clean()
        posts = list(action.posts.select_related("author"))
        first, last = posts[0], posts[-1]
        assert 1 <= len(posts) <= 6
        assert first.kind == PostKind.CREATED and first.due_date == action.due_date
        assert [p.kind for p in posts[1:]].count(PostKind.CREATED) == 0
        assert action.created_by_id == first.author_id
        assert action.created_at == first.created_at
        assert to_london(action.created_at).date() <= action.due_date
        assert action.last_post_at == last.created_at
        assert not action.is_safeguarding and not action.urgent
        for post in posts:
            side = post.author.provider_id or post.author.council_id
            assert side in {action.provider_id, action.council_id}
            assert can_edit(post.author.role, Function.ACTIONS)
            organisation = action.provider if post.author.provider_id else action.council
            assert post.organisation == organisation.name
        handed = [p for p in posts if p.kind != PostKind.CLOSED and p.kind != PostKind.COMMENT]
        label = action.assigned_team.name if action.assigned_team else action.provider.name
        assert handed[-1].assigned_to == label
        if action.status == ActionStatus.CLOSED:
            assert last.kind == PostKind.CLOSED and last.assigned_to == ""
            assert action.closed_at == last.created_at
            assert action.closed_by_id == last.author_id and last.author.council_id
        else:
            assert PostKind.CLOSED not in {p.kind for p in posts} and action.closed_at is None
        if action.related_kind != RelatedKind.PROVIDER:
            choices = related_choices(
                action.created_by, action.council, action.provider_id, action.related_kind
            )
            assert choices.filter(pk=action.related.pk).exists()


def test_it_writes_no_notifications_and_no_audit_events_for_the_threads():
    seed()
    assert not Notification.objects.exists()
    assert not Event.objects.filter(action__startswith="action.").exists()


def test_a_second_run_adds_nothing_and_a_larger_one_tops_up():
    seed()
    posts = Post.objects.count()
    again = seed()

    assert again["actions"]["actions"] == ACTIONS == Action.objects.count()
    assert Post.objects.count() == posts
    seed(ACTIONS + 10)
    assert Action.objects.count() == ACTIONS + 10


def test_it_makes_no_actions_when_asked_for_none():
    seed(0)
    assert not Action.objects.exists()


def test_the_command_refuses_a_negative_number_of_actions():
    with pytest.raises(CommandError, match="--actions cannot be negative"):
        call_command("seed_scale", "--clients", "10", "--actions", "-1")
