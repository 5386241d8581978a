"""The outbox's models moved from actions to notifications and kept their tables: a database
made before the move keeps its rows, migrating forwards and backwards."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from carebridge.notifications.models import Notification, NotificationKind, Subscription
from tests.support import make_provider, make_user

BEFORE_THE_MOVE = [("actions", "0003_team_inbox_index")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_outbox_keeps_its_rows_when_its_models_move_between_apps():
    user = make_user(provider=make_provider(), role="super_user_scheduled")
    created_at = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    try:
        old = migrate(BEFORE_THE_MOVE)
        old.get_model("actions", "Subscription").objects.create(user_id=user.pk, daily_cplis=True)
        old.get_model("actions", "Notification").objects.create(
            to_email="resident@example.net",
            kind=NotificationKind.FRONT_DOOR,
            key="front-door-received-1",
            subject="We have your request",
            body="Your reference is FD-1.",
            created_at=created_at,
            attempts=2,
            last_error="SMTPServerDisconnected: gone",
        )
    finally:
        migrate(latest())

    moved = Notification.objects.get(key="front-door-received-1")
    assert (moved.recipient, moved.subject, moved.created_at, moved.attempts) == (
        "resident@example.net",
        "We have your request",
        created_at,
        2,
    )
    assert Subscription.objects.get(user=user).daily_cplis is True

    try:
        back = migrate(BEFORE_THE_MOVE)
        assert back.get_model("actions", "Notification").objects.get().key == moved.key
    finally:
        migrate(latest())
    assert Notification.objects.get().pk == moved.pk
