"""What removing each class of record does for one council: each function takes the cutoff and
what must be kept, removes at most `batch` records, and returns how many it removed. They are
called inside the run's transaction for their class, so a class is removed wholly or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from carebridge.actions.choices import ActionStatus
from carebridge.actions.models import Action, Attachment, Post
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest, RequestEvent
from carebridge.integrations.models import CrmDelivery
from carebridge.notifications.models import Notification
from carebridge.organisations.models import Council
from carebridge.retention import selectors

REMOVED = "Removed"
_FINISHED = (RequestStatus.SIGNPOSTED, RequestStatus.CLOSED)


def _ids(queryset: object, batch: int) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])  # type: ignore[attr-defined]


def requests_anonymise(council: Council, cutoff: datetime, batch: int) -> int:
    """Signposted or closed requests finished before the cutoff lose their person's details."""
    keep = selectors.held_request_ids(council)
    paying = selectors.open_payment_service_user_ids(council)
    due = (
        FrontDoorRequest.objects.filter(
            council=council, status__in=_FINISHED, changed_at__lt=cutoff
        )
        .exclude(pk__in=keep)
        .exclude(service_user_id__in=paying)
        .exclude(person_name=REMOVED)
    )
    ids = _ids(due, batch)
    FrontDoorRequest.objects.filter(pk__in=ids).update(
        asker_name="",
        asker_email="",
        asker_phone="",
        professional_organisation="",
        professional_role="",
        person_name=REMOVED,
        person_date_of_birth=None,
        person_email="",
        person_phone="",
        postcode="",
        answers={},
        redirected_to="",
        outcome_note="",
        updates_email="",
    )
    RequestEvent.objects.filter(request_id__in=ids).update(text="")
    return len(ids)


def bookings_anonymise(council: Council, cutoff: datetime, batch: int) -> int:
    """Bookings whose appointment ended before the cutoff lose the person's details."""
    keep = selectors.held_request_ids(council)
    due = (
        Booking.objects.filter(slot__hub__council=council, slot__ends_at__lt=cutoff)
        .exclude(request_id__in=keep)
        .exclude(name=REMOVED)
    )
    ids = _ids(due, batch)
    Booking.objects.filter(pk__in=ids).update(
        name=REMOVED, email="removed@invalid", phone="", about="", cancel_reason=""
    )
    return len(ids)


def feedback_delete(council: Council, cutoff: datetime, batch: int) -> int:
    """Feedback given before the cutoff is deleted."""
    keep = selectors.held_request_ids(council)
    due = Feedback.objects.filter(council=council, submitted_at__lt=cutoff).exclude(
        request_id__in=keep
    )
    ids = _ids(due, batch)
    Feedback.objects.filter(pk__in=ids).delete()
    return len(ids)


def outbox_delete(council: Council, cutoff: datetime, batch: int) -> int:
    """Sent e-mails to the council's staff and finished CRM pushes before the cutoff."""
    keep = selectors.held_request_ids(council)
    pushes = (
        CrmDelivery.objects.filter(council=council)
        .filter(Q(delivered_at__lt=cutoff) | Q(gave_up=True, created_at__lt=cutoff))
        .exclude(request_id__in=keep)
    )
    push_ids = _ids(pushes, batch)
    CrmDelivery.objects.filter(pk__in=push_ids).delete()
    mails = Notification.objects.filter(user__council=council, sent_at__lt=cutoff)
    mail_ids = _ids(mails, batch - len(push_ids))
    Notification.objects.filter(pk__in=mail_ids).delete()
    return len(push_ids) + len(mail_ids)


def actions_anonymise(council: Council, cutoff: datetime, batch: int) -> int:
    """Actions closed before the cutoff lose their thread's words and attached files."""
    held = selectors.held_service_user_ids(council)
    paying = selectors.open_payment_service_user_ids(council)
    due = (
        Action.objects.filter(council=council, status=ActionStatus.CLOSED, closed_at__lt=cutoff)
        .exclude(pk__in=selectors.open_payment_action_ids(council))
        .exclude(service_user_id__in=held | paying)
        .filter(Q(posts__text__gt="") | Q(posts__attachments__isnull=False))
        .distinct()
    )
    ids = _ids(due, batch)
    attachments = list(Attachment.objects.filter(post__action_id__in=ids))
    files = [attachment.file.name for attachment in attachments if attachment.file]
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).delete()
    Post.objects.filter(action_id__in=ids).update(text="")
    if files:
        storage = Attachment._meta.get_field("file").storage
        transaction.on_commit(lambda: _delete_files(storage, files))
    return len(ids)


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)
