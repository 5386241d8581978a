"""What removing each class of record does for one council: each function takes the cutoff and
what must be kept, removes at most `batch` records, and returns how many it removed. They are
called inside the run's transaction for their class, so a class is removed wholly or not at all."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat

from carebridge.actions.choices import ActionStatus
from carebridge.actions.models import Action, Attachment, Post
from carebridge.frontdoor.choices import RequestStatus
from carebridge.frontdoor.models import Booking, Feedback, FrontDoorRequest, RequestEvent
from carebridge.integrations.models import CrmDelivery
from carebridge.notifications.models import Notification
from carebridge.organisations.models import Council
from carebridge.retention import selectors

REMOVED = "Removed"
# What a closed action's title becomes: a title may name the person ("Missed visit: Ada Lane").
CLOSED_ACTION = "Closed action "
# The keys of e-mails sent to an address with no user behind it (a resident, or the front-door
# team's alerts), each naming what ties it to its council: (prefix, what follows, the separator
# after its id), the longest prefix first (frontdoor/requests/services/history.py and alerts.py,
# frontdoor/hubs/services/emails.py).
ADDRESS_MAIL_KEYS = (
    ("front-door-urgent:", "request", ":"),
    ("front-door-summary:", "council", ":"),
    ("frontdoor-booking:", "booking", ":"),
    ("front-door-", "request", "-"),
)
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
        person_nhs_number="",
        person_address_line_1="",
        person_address_line_2="",
        person_town="",
        gp_practice="",
        presenting_need="",
        primary_support_reason="",
        current_services="",
        others_involved="",
        risk_to_person_details="",
        risk_to_others_details="",
        risk_to_staff_details="",
        sharing_basis_reason="",
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
    """Sent e-mails to the council's staff, sent e-mails to residents about the council's
    requests and bookings, and finished CRM pushes, before the cutoff."""
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
    resident_ids = _resident_mail_ids(council, cutoff, keep, batch - len(push_ids) - len(mail_ids))
    Notification.objects.filter(pk__in=[*mail_ids, *resident_ids]).delete()
    return len(push_ids) + len(mail_ids) + len(resident_ids)


def mail_owner(key: str) -> tuple[str, int] | None:
    """What an address-only e-mail's key names ("request", "booking" or "council", and its id),
    or None when its key ties it to no council."""
    for prefix, kind, separator in ADDRESS_MAIL_KEYS:
        if key.startswith(prefix):
            number = key[len(prefix) :].split(separator, 1)[0]
            if number.isdigit() and len(number) < 19:
                return kind, int(number)
            return None
    return None


def _resident_mail_ids(council: Council, cutoff: datetime, keep: set[int], batch: int) -> list[int]:
    """Sent e-mails to an address (a resident's, or an alert to the front-door team) about the
    council's requests and bookings, held people's kept. The outbox row has no council: its key
    names the request, booking or council. A directory list e-mailed to a resident names none,
    and goes with the outbox's own purge (notifications.services.KEEP_FOR)."""
    if batch <= 0:
        return []
    sent = Notification.objects.filter(user__isnull=True, sent_at__lt=cutoff)
    owned: dict[str, dict[int, list[int]]] = {"request": {}, "booking": {}, "council": {}}
    prefixes = Q()
    for prefix, _kind, _separator in ADDRESS_MAIL_KEYS:
        prefixes |= Q(key__startswith=prefix)
    for pk, key in sent.filter(prefixes).order_by("pk").values_list("pk", "key"):
        owner = mail_owner(key)
        if owner is not None:
            owned[owner[0]].setdefault(owner[1], []).append(pk)
    requests = FrontDoorRequest.objects.filter(council=council, pk__in=list(owned["request"]))
    bookings = Booking.objects.filter(slot__hub__council=council, pk__in=list(owned["booking"]))
    ours = [
        *owned["council"].get(council.pk, []),
        *(
            pk
            for n in requests.exclude(pk__in=keep).values_list("pk", flat=True)
            for pk in owned["request"][n]
        ),
        *(
            pk
            for n in bookings.exclude(request_id__in=keep).values_list("pk", flat=True)
            for pk in owned["booking"][n]
        ),
    ]
    return sorted(ours)[:batch]


def actions_anonymise(council: Council, cutoff: datetime, batch: int) -> int:
    """Actions closed before the cutoff lose their title (which may name the person), their
    thread's words and attached files."""
    people = selectors.held_service_user_ids(council) | selectors.open_payment_service_user_ids(
        council
    )
    due = (
        Action.objects.filter(council=council, status=ActionStatus.CLOSED, closed_at__lt=cutoff)
        .exclude(pk__in=selectors.open_payment_action_ids(council))
        .exclude(service_user_id__in=people)
        .exclude(cpli__service_user_id__in=people)
        .exclude(contract_document__service_user_id__in=people)
        .annotate(neutral=_neutral_title())
        .filter(
            Q(posts__text__gt="") | Q(posts__attachments__isnull=False) | ~Q(title=F("neutral"))
        )
        .distinct()
    )
    ids = _ids(due, batch)
    attachments = list(Attachment.objects.filter(post__action_id__in=ids))
    files = [attachment.file.name for attachment in attachments if attachment.file]
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in attachments]).delete()
    Post.objects.filter(action_id__in=ids).update(text="")
    Action.objects.filter(pk__in=ids).update(title=_neutral_title())
    if files:
        storage = Attachment._meta.get_field("file").storage
        transaction.on_commit(lambda: _delete_files(storage, files))
    return len(ids)


def _neutral_title() -> Concat:
    return Concat(Value(CLOSED_ACTION), Cast("pk", output_field=CharField()))


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)
