"""Background work for the e-mail outbox: sending one row, the daily summary at 06:30 London
time, a sweep that sends again what a broker outage or a crash left unsent, and the nightly purge.

Tasks take ids and are safe to run twice: a row is claimed before it is sent (`core.outbox`),
and never sent once it has been.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from carebridge.core.calendar import now, to_london
from carebridge.core.outbox import outbox_claim, outbox_error, outbox_release, unclaimed


@db_task(retries=3, retry_delay=60)
def send_notification(notification_id: int) -> bool:
    """Send one notification; False when there was nothing to send (sent, or claimed)."""
    from carebridge.notifications.models import Notification

    moment = now()
    pending = Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
    if not outbox_claim(pending, moment=moment):
        return False
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    try:
        EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"X-Carebridge-Reference": notification.key},
        ).send()
    except Exception as error:
        outbox_release(Notification, notification_id, moment=moment, last_error=outbox_error(error))
        raise
    Notification.objects.filter(pk=notification_id).update(sent_at=now(), last_error="")
    return True


@db_periodic_task(crontab(minute="*/15"))
def send_unsent_notifications() -> int:
    """Queue again the rows nobody is sending: the queue is a convenience, the table the truth."""
    from carebridge.notifications.models import Notification
    from carebridge.notifications.services import GIVE_UP_AFTER, MAX_ATTEMPTS

    moment = now()
    pending = Notification.objects.filter(
        sent_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
        created_at__gte=moment - GIVE_UP_AFTER,
        created_at__lt=moment - timedelta(minutes=5),
    ).filter(Q(user__isnull=True) | Q(user__is_active=True), unclaimed(moment))
    ids = list(pending.values_list("pk", flat=True)[:500])
    for pk in ids:
        send_notification(pk)
    return len(ids)


# Huey's schedule runs in UTC: try at 05:30 and 06:30 UTC and act only at 06:30 in London,
# whether or not summer time is on.
@db_periodic_task(crontab(hour="5,6", minute="30"))
def daily_digests() -> int:
    from carebridge.notifications.digest import send_daily_digests

    local = to_london(now())
    if local.hour != 6:
        return 0
    return len(send_daily_digests(local.date() - timedelta(days=1)))


# Each night, after the sweep's quiet hours: e-mails name clients and actions, so the outbox
# keeps them no longer than support needs them.
@db_periodic_task(crontab(hour="2", minute="45"))
def purge_old_notifications() -> int:
    from carebridge.notifications.services import notifications_purge

    return notifications_purge()
