"""E-mails about actions: the immediate e-mail when an action waits for someone (a safeguarding
concern always reaches the safeguarding team at once), and the daily summary's Actions section.
Both go through the e-mail outbox (`carebridge.notifications`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string

from carebridge.accounts.models import User
from carebridge.actions.models import Action, Post
from carebridge.actions.selectors import actions_visible_to
from carebridge.core.permissions import Function, can_view
from carebridge.notifications.digest import DigestLine, digest_section_register
from carebridge.notifications.models import Notification, NotificationKind, Subscription
from carebridge.notifications.services import (
    notification_create,
    notifications_queue,
    preferences_link,
    site_link,
)
from carebridge.organisations.choices import TeamKind


def _can_read_actions(users: QuerySet[User]) -> list[User]:
    return [
        u
        for u in users.filter(is_active=True, suspended_at__isnull=True).order_by("pk")
        if can_view(u.role, Function.ACTIONS)
    ]


def _waiting_side(action: Action) -> list[User]:
    """Whom the action waits for: the provider's users, or the members of the assigned team.
    A closed action waits for no one, but the provider hears that the council closed it."""
    if action.assigned_team_id is None or not action.is_open:
        return _can_read_actions(User.objects.filter(provider_id=action.provider_id))
    return _can_read_actions(
        User.objects.filter(team_id=action.assigned_team_id, council_id=action.council_id)
    )


def _post_subject(action: Action, post: Post) -> str:
    kind = action.action_type.name
    if not action.is_open:
        return f"Action {action.pk} ({kind}) has been closed"
    if action.is_safeguarding:
        return f"Urgent safeguarding concern: action {action.pk}"
    return f"Action {action.pk} ({kind}) is waiting for you"


def action_posted(action_id: int, post_id: int) -> list[Notification]:
    """After a post on an action: tell each user the action now waits for, if they subscribe to
    immediate action e-mails (never the post's author). The safeguarding team always hears of
    a safeguarding concern at once, whatever their choice."""
    post = (
        Post.objects.select_related(
            "author", "action__action_type", "action__assigned_team", "action__provider"
        )
        .filter(pk=post_id, action_id=action_id)
        .first()
    )
    if post is None:
        return []
    action = post.action
    safeguarding_team = (
        action.is_safeguarding
        and action.assigned_team is not None
        and action.assigned_team.kind == TeamKind.SAFEGUARDING
        and action.is_open
    )
    recipients = [u for u in _waiting_side(action) if u.pk != post.author_id]
    if not safeguarding_team:
        chosen = set(
            Subscription.objects.filter(user__in=recipients, actions_immediate=False).values_list(
                "user_id", flat=True
            )
        )
        recipients = [u for u in recipients if u.pk not in chosen]

    subject = _post_subject(action, post)
    created = []
    for user in recipients:
        body = render_to_string(
            "actions/email/action_posted.txt",
            {
                "user": user,
                "action": action,
                "post": post,
                "safeguarding": safeguarding_team,
                "link": site_link("actions:action_detail", action.pk),
                "preferences": preferences_link(),
            },
        )
        notification = notification_create(
            user=user,
            kind=NotificationKind.ACTIONS_IMMEDIATE,
            key=f"action-post:{post.pk}:{user.pk}",
            subject=subject,
            body=body,
        )
        if notification is not None:
            created.append(notification)
    notifications_queue(created)
    return created


def _posts_between(since: datetime, until: datetime, **filters: Any) -> Exists:
    return Exists(
        Post.objects.filter(
            action=OuterRef("pk"), created_at__gte=since, created_at__lt=until, **filters
        )
    )


def _digest_actions(user: User, since: datetime, until: datetime) -> list[DigestLine]:
    """Actions assigned to the user's side in the window, or answered by the other side."""
    actions = actions_visible_to(user)
    if user.provider_id is not None:
        ours = Q(assigned_team__isnull=True) & _posts_between(since, until)
        answered = _posts_between(since, until, author__council__isnull=False)
        actions = actions.filter(ours | answered)
    elif user.team_id is not None:
        actions = actions.filter(Q(assigned_team_id=user.team_id) & _posts_between(since, until))
    else:
        actions = actions.filter(_posts_between(since, until, author__provider__isnull=False))
    lines = []
    soonest_due = F("due_date").asc(nulls_last=True)
    for action in actions.select_related("action_type", "assigned_team", "provider").order_by(
        soonest_due, "pk"
    ):
        waiting = action.assigned_team.name if action.assigned_team else action.provider.name
        state = "closed" if not action.is_open else f"with {waiting}"
        lines.append(
            DigestLine(
                f"Action {action.pk}: {action.title} ({action.action_type.name}), {state}, "
                + (f"due {action.due_date:%-d %B %Y}" if action.due_date else "no due date"),
                site_link("actions:action_detail", action.pk),
            )
        )
    return lines


def register_digest_sections() -> None:
    digest_section_register(NotificationKind.DAILY_ACTIONS, "Actions", _digest_actions)
