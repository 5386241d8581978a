"""The e-mail outbox (Email Notifications in the guide): the e-mails a user chooses, each e-mail
kept as a row (Notification) whose key makes it once only, and the e-mails about a user's own
log-in (password and second step changed). E-mails about a domain's work are written by its app
(`actions.emails`) and queued here; the daily summary is `notifications.digest`.

The sending task claims the row before sending (`core.outbox`), so a retry or a second worker
never sends it twice. Subjects never name a client: e-mail subjects show on lock screens and in
shared inboxes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from carebridge.audit.services import record
from carebridge.core.calendar import now, to_london
from carebridge.core.outbox import outbox_add, outbox_requeue
from carebridge.notifications.models import Notification, NotificationKind, Subscription

if TYPE_CHECKING:
    # Only the type: the user model is settings.AUTH_USER_MODEL, read with get_user_model().
    from carebridge.accounts.models import User

SUBSCRIPTION_FIELDS = (
    "daily_actions",
    "daily_cplis",
    "daily_contract_documents",
    "daily_invoices",
    "daily_disputes",
    "daily_scheduled_payments",
    "daily_payment_exceptions",
    "actions_immediate",
    "password_immediate",
)


def site_link(name: str, *args: Any) -> str:
    """The full address of a page, for an e-mail."""
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def preferences_link() -> str:
    """Where a user chooses their e-mails, named at the foot of each one."""
    return site_link("actions:subscriptions")


def subscription_for(user: User) -> Subscription:
    """The user's choices, or the defaults (an unsaved row) when they never chose."""
    return Subscription.objects.filter(user=user).first() or Subscription(user=user)


def is_subscribed(user: User, kind: str) -> bool:
    return bool(getattr(subscription_for(user), kind))


@transaction.atomic
def subscription_update(*, user: User, by: User, choices: dict[str, bool]) -> Subscription:
    """Save the user's choice of e-mails (only their own: the page acts for the logged-in user)."""
    values = {field: bool(choices.get(field, False)) for field in SUBSCRIPTION_FIELDS}
    subscription, _created = Subscription.objects.update_or_create(user=user, defaults=values)
    record(action="subscription.updated", by=by, obj=user, after=values)
    return subscription


# The sweep gives up on a row after this many attempts, or this long after it was made; such a
# row is undelivered, and support can see and retry it (`carebridge notifications`).
MAX_ATTEMPTS = 6
GIVE_UP_AFTER = timedelta(days=2)
# How long the outbox keeps a row, sent or not. Its unique key only has to outlive the sweep
# (GIVE_UP_AFTER) and the digest of a day, which are never made again after that.
KEEP_FOR = timedelta(days=90)


def undelivered(moment: datetime | None = None) -> QuerySet[Notification]:
    """The e-mails that failed, newest first: not sent, with an error or given up on."""
    moment = moment or now()
    return (
        Notification.objects.filter(sent_at__isnull=True)
        .filter(
            Q(attempts__gte=MAX_ATTEMPTS)
            | Q(created_at__lt=moment - GIVE_UP_AFTER)
            | ~Q(last_error="")
        )
        .select_related("user")
        .order_by("-created_at")
    )


@transaction.atomic
def notification_retry(*, notification: Notification, by: User | None) -> bool:
    """Send an undelivered e-mail again (say, once its address is corrected); False if it went
    out meanwhile. Its last error stays until a send succeeds."""
    retried = outbox_requeue(Notification.objects.filter(pk=notification.pk, sent_at__isnull=True))
    if retried:
        record(
            action="notification.retried",
            by=by,
            obj=notification.user or notification,
            # The kind, not the subject: a subject can say that a safeguarding concern exists.
            after={"notification": notification.pk, "kind": notification.kind},
        )
        notifications_queue([notification])
    return bool(retried)


def notifications_purge(moment: datetime | None = None) -> int:
    """Delete the outbox rows older than KEEP_FOR; how many went."""
    moment = moment or now()
    deleted, _by_model = Notification.objects.filter(created_at__lt=moment - KEEP_FOR).delete()
    return deleted


def email_queue(*, to: str, kind: str, key: str, subject: str, body: str) -> Notification | None:
    """Queue an e-mail to an address with no account behind it (a resident who used the front
    door), once only for its key; None when that key was queued before."""
    return _create_and_queue(user=None, to_email=to, kind=kind, key=key, subject=subject, body=body)


def notifications_queue(notifications: Iterable[Notification]) -> None:
    """Send the rows once the transaction commits (a rolled-back e-mail never goes).

    Queueing is best-effort (robust): the row is the truth. With the queue out of reach (Redis
    stopped) the failure is logged, the work already committed is not reported to the person as
    failed, and the outbox sweep sends the row once the queue returns."""
    from carebridge.notifications import tasks

    for notification in notifications:
        # A function, not a partial: Django names the callback (__qualname__) when it fails.
        def send(pk: int = notification.pk) -> None:
            tasks.send_notification(pk)

        transaction.on_commit(send, robust=True)


def notification_create(
    *, user: User | None, kind: str, key: str, subject: str, body: str, to_email: str = ""
) -> Notification | None:
    """The outbox row for this key, or None when it exists already (a repeat or a race); the
    caller queues it with notifications_queue."""
    return outbox_add(
        Notification,
        key=key,
        user=user,
        to_email=to_email,
        kind=kind,
        subject=subject,
        body=body,
        created_at=now(),
    )


def _create_and_queue(**row: Any) -> Notification | None:
    """The outbox row (see notification_create), sent once the transaction commits; None when
    its key was queued before."""
    notification = notification_create(**row)
    if notification is not None:
        notifications_queue([notification])
    return notification


def _log_in_changed_email(
    user: User, *, template: str, key: str, subject: str, **context: Any
) -> Notification | None:
    """An e-mail to the user at once about a change to how they log in, with the link to reset
    their password or passcode should they not have made it."""
    body = render_to_string(
        template, {"user": user, **context, "reset": site_link("accounts:reset")}
    )
    return _create_and_queue(
        user=user, kind=NotificationKind.PASSWORD_IMMEDIATE, key=key, subject=subject, body=body
    )


def password_changed(user_id: int, changed_at: datetime) -> Notification | None:
    """Tell the user their password was changed, so a change they did not make is noticed."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not is_subscribed(user, NotificationKind.PASSWORD_IMMEDIATE):
        return None
    return _log_in_changed_email(
        user,
        template="notifications/email/password_changed.txt",
        key=f"password:{user.pk}:{changed_at.isoformat()}",
        subject="Your Carebridge password has been changed",
        changed_at=to_london(changed_at),
        preferences=preferences_link(),
    )


SECOND_STEP_CHANGES = {
    "passcode": "Your 6-digit passcode was changed",
    "authenticator": "An authenticator app was set up to log in to your account",
    "authenticator removed": (
        "Your authenticator app was removed: you now log in with your 6-digit passcode"
    ),
    "authenticator reset": (
        "Your portal administrator removed your authenticator app: you now log in with your "
        "6-digit passcode, or set up a new app if your council requires one"
    ),
}


def second_step_changed(user_id: int, changed_at: datetime, change: str) -> Notification | None:
    """Tell the user the second step of their log-in changed, so a change they did not make is
    noticed. Sent whatever their e-mail choices: whoever changed it could also have changed
    those, and without this e-mail nobody would hear that the log-in now answers to them."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return _log_in_changed_email(
        user,
        template="notifications/email/second_step_changed.txt",
        key=f"second-step:{user.pk}:{change}:{changed_at.isoformat()}",
        subject="The way you log in to Carebridge has changed",
        what=SECOND_STEP_CHANGES[change],
        changed_at=to_london(changed_at),
    )
