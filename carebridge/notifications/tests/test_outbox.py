"""The outbox's housekeeping: what counts as undelivered, sending it again, the user's own
notice of it, support's command, and deleting rows past their keeping time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from carebridge.audit.models import Event
from carebridge.core.calendar import now
from carebridge.notifications import services as notifications
from carebridge.notifications.models import Notification, NotificationKind
from tests.support import make_provider, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_user(provider=make_provider(), role="super_user_scheduled")


def row(user, key, *, age=timedelta(minutes=1), **fields):
    return Notification.objects.create(
        user=user,
        kind=NotificationKind.ACTIONS_IMMEDIATE,
        key=key,
        subject=f"Subject {key}",
        body="Log in to read it.",
        created_at=now() - age,
        **fields,
    )


def test_undelivered_holds_failures_and_give_ups_but_not_what_is_sent_or_under_way(user):
    row(user, "failed", age=timedelta(minutes=2), attempts=1, last_error="OSError: refused")
    row(user, "tried-out", age=timedelta(minutes=3), attempts=notifications.MAX_ATTEMPTS)
    row(user, "too-old", age=notifications.GIVE_UP_AFTER + timedelta(hours=1))
    row(user, "sent", attempts=1, sent_at=now())
    row(user, "queued")

    keys = [n.key for n in notifications.undelivered()]
    assert keys == ["failed", "tried-out", "too-old"]  # newest first


def test_a_retry_sends_it_once_and_clears_the_error(user, django_capture_on_commit_callbacks):
    failed = row(user, "failed", attempts=6, last_error="OSError: mail server down")

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.notification_retry(notification=failed, by=None) is True

    failed.refresh_from_db()
    assert failed.sent_at is not None and failed.last_error == ""
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert Event.objects.filter(action="notification.retried").count() == 1
    # Sent now: a second retry does nothing.
    assert notifications.notification_retry(notification=failed, by=None) is False
    assert len(mail.outbox) == 1


def test_the_purge_deletes_only_rows_past_keeping(user):
    row(user, "old-sent", age=notifications.KEEP_FOR + timedelta(days=1), sent_at=now())
    row(user, "old-failed", age=notifications.KEEP_FOR + timedelta(days=1), attempts=6)
    kept = row(user, "recent", age=notifications.KEEP_FOR - timedelta(days=1), sent_at=now())

    assert notifications.notifications_purge() == 2
    assert list(Notification.objects.all()) == [kept]


def test_support_lists_and_retries_with_the_command(user, django_capture_on_commit_callbacks):
    failed = row(user, "failed", attempts=2, last_error="SMTPRecipientsRefused: no such user")
    row(make_user(provider=make_provider()), "other", attempts=6)

    out = StringIO()
    call_command("notifications", "--user", user.email.upper(), stdout=out)
    assert f"{failed.pk}\t" in out.getvalue()
    assert "SMTPRecipientsRefused: no such user" in out.getvalue()
    assert "Subject other" not in out.getvalue()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications", "--retry", str(failed.pk), stdout=out)
    assert f"{failed.pk}: queued again" in out.getvalue()
    assert len(mail.outbox) == 1

    with pytest.raises(CommandError, match="No outbox row 999999"):
        call_command("notifications", "--retry", "999999")


def test_the_user_sees_the_emails_they_missed_on_their_page(user):
    row(user, "failed", attempts=6, last_error="SMTPRecipientsRefused: no such user")
    row(make_user(provider=make_provider()), "theirs", attempts=6)
    client = Client()
    client.force_login(user)

    page = client.get(reverse("actions:subscriptions")).content.decode()

    assert "We could not send you some e-mails." in page
    assert "Subject failed" in page
    assert "Subject theirs" not in page


def test_an_email_to_an_address_alone_goes_once(django_capture_on_commit_callbacks):
    email = {
        "to": "resident@example.net",
        "kind": NotificationKind.FRONT_DOOR,
        "key": "front-door-received-1",
        "subject": "We have your request",
        "body": "Your reference is FD-1.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.email_queue(**email)
        again = notifications.email_queue(**email)

    assert first is not None and again is None
    assert [m.to for m in mail.outbox] == [["resident@example.net"]]
