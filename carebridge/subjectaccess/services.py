"""Every write of subject access: a request received, its identity check, its extension,
completion or refusal, and an export prepared and downloaded once. Each writes its audit event
in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from carebridge.audit.services import record, snapshot
from carebridge.core.calendar import now, today
from carebridge.core.errors import Refused
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import Function, can_edit
from carebridge.people.models import ServiceUser
from carebridge.subjectaccess import deadlines
from carebridge.subjectaccess.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    Requester,
    RequestEvent,
)
from carebridge.subjectaccess.models import SubjectAccessExport, SubjectAccessRequest

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# A prepared download waits this long for its officer, then a new one must be prepared.
EXPORT_LIFETIME = timedelta(hours=1)
# Over a year late or ahead is a typing mistake, not a request.
RECEIVED_EARLIEST = timedelta(days=366)


class SubjectAccessRefused(Refused):
    """A subject access request's change that will not be made, and why."""


def _require_officer(by: User, council_id: int) -> None:
    if by.council_id != council_id or not can_edit(by.role, Function.SUBJECT_ACCESS):
        raise SubjectAccessRefused("Only the council's information-governance officers can do this")


def _find_request(pk: int, kwargs: dict[str, Any]) -> SubjectAccessRequest | None:
    by = kwargs["by"]
    return SubjectAccessRequest.objects.filter(pk=pk, council_id=by.council_id).first()


def _check_received(received_on: date) -> None:
    if received_on > today():
        raise SubjectAccessRefused("The date received must be today or in the past")
    if received_on < today() - RECEIVED_EARLIEST:
        raise SubjectAccessRefused("The date received must be within the last year")


@once_per_key("subject_access.request_create", find=_find_request)
@transaction.atomic
def subject_access_request_create(
    *,
    by: User,
    service_user: ServiceUser,
    requester: str,
    requester_name: str,
    representative_authority: str = "",
    received_on: date,
    idempotency_key: str | None = None,
) -> SubjectAccessRequest:
    """Record a request received about one of the council's people; due one month later."""
    _require_officer(by, service_user.council_id)
    _check_received(received_on)
    if requester == Requester.REPRESENTATIVE and not representative_authority.strip():
        raise SubjectAccessRefused("Say what authority the representative has to ask")
    at = now()
    request = SubjectAccessRequest.objects.create(
        council_id=service_user.council_id,
        service_user=service_user,
        requester=Requester(requester),
        requester_name=requester_name.strip(),
        representative_authority=representative_authority.strip(),
        received_on=received_on,
        due_on=deadlines.due_on(received_on),
        created_at=at,
        created_by=by,
        changed_at=at,
    )
    record(
        action="subject_access.received",
        by=by,
        obj=request,
        council=request.council_id,
        after=snapshot(request),
        detail={"service_user": service_user.pk},
    )
    return request


@transaction.atomic
def subject_access_identity_verify(
    *, by: User, request: SubjectAccessRequest, verified_on: date, method: str
) -> SubjectAccessRequest:
    """Note that the requester's identity (and any representative's authority) was checked."""
    _require_officer(by, request.council_id)
    if verified_on > today() or verified_on < request.received_on - RECEIVED_EARLIEST:
        raise SubjectAccessRefused("The date verified must be a recent date, not in the future")
    if not method.strip():
        raise SubjectAccessRefused("Say how the identity was verified")
    changed = SubjectAccessRequest.objects.filter(
        pk=request.pk, status__in=list(OPEN_STATUSES)
    ).update(
        identity_verified=True,
        identity_verified_on=verified_on,
        identity_method=method.strip(),
        changed_at=now(),
    )
    if changed != 1:
        raise SubjectAccessRefused("This request is closed: its identity check cannot change")
    request.refresh_from_db()
    record(
        action="subject_access.identity_verified",
        by=by,
        obj=request,
        council=request.council_id,
        detail={"verified_on": verified_on.isoformat(), "method": request.identity_method},
    )
    return request


def _move(
    *, by: User, request: SubjectAccessRequest, event: RequestEvent, **changes: Any
) -> SubjectAccessRequest:
    _require_officer(by, request.council_id)
    before = snapshot(request)
    if not TRANSITIONS.move(SubjectAccessRequest, request.pk, event, changed_at=now(), **changes):
        request.refresh_from_db()
        if request.status == TRANSITIONS.target(event):
            return request  # a repeat of what was done changes nothing
        raise SubjectAccessRefused(
            f"This request is {request.get_status_display().lower()}: it cannot be "
            f"{'extended' if event == RequestEvent.EXTEND else 'changed'} now"
        )
    request.refresh_from_db()
    record(
        action=f"subject_access.{event}",
        by=by,
        obj=request,
        council=request.council_id,
        before=before,
        after=snapshot(request),
    )
    return request


@transaction.atomic
def subject_access_request_extend(
    *, by: User, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """Extend by two further months (art. 12(3)), once, for a complex or numerous request."""
    if not reason.strip():
        raise SubjectAccessRefused("Give the reason for the extension: the person is told it")
    return _move(
        by=by,
        request=request,
        event=RequestEvent.EXTEND,
        due_on=deadlines.extended_due_on(request.received_on),
        extension_reason=reason.strip(),
    )


@transaction.atomic
def subject_access_request_complete(
    *, by: User, request: SubjectAccessRequest
) -> SubjectAccessRequest:
    """The person has their copy."""
    if not request.exports.filter(downloaded_at__isnull=False).exists():
        raise SubjectAccessRefused("Export the person's records before completing the request")
    return _move(by=by, request=request, event=RequestEvent.COMPLETE, closed_at=now(), closed_by=by)


@transaction.atomic
def subject_access_request_refuse(
    *, by: User, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """Refused as manifestly unfounded or excessive (art. 12(5)); the reason is kept."""
    if not reason.strip():
        raise SubjectAccessRefused("Give the reason for refusing: the person is told it")
    return _move(
        by=by,
        request=request,
        event=RequestEvent.REFUSE,
        refusal_reason=reason.strip(),
        closed_at=now(),
        closed_by=by,
    )


def _find_export(pk: int, kwargs: dict[str, Any]) -> SubjectAccessExport | None:
    return SubjectAccessExport.objects.filter(
        pk=pk, request=kwargs["request"], prepared_by=kwargs["by"], downloaded_at__isnull=True
    ).first()


@once_per_key("subject_access.export_prepare", find=_find_export)
@transaction.atomic
def subject_access_export_prepare(
    *, by: User, request: SubjectAccessRequest, idempotency_key: str | None = None
) -> SubjectAccessExport:
    """A one-off download of the person's records for the officer who asks, for an hour."""
    _require_officer(by, request.council_id)
    if request.status not in OPEN_STATUSES:
        raise SubjectAccessRefused("This request is closed: nothing more is exported for it")
    if not request.identity_verified:
        raise SubjectAccessRefused("Verify the requester's identity before exporting anything")
    at = now()
    export = SubjectAccessExport.objects.create(
        request=request, prepared_at=at, prepared_by=by, expires_at=at + EXPORT_LIFETIME
    )
    record(
        action="subject_access.export_prepared",
        by=by,
        obj=request,
        council=request.council_id,
        detail={"export": export.pk, "service_user": request.service_user_id},
    )
    return export


@transaction.atomic
def subject_access_export_claim(
    *, by: User, export: SubjectAccessExport, counts: dict[str, int], ip: str | None = None
) -> bool:
    """Mark the one-off download used, and audit what it held; False if it was used already
    or has expired (two clicks at once: one wins)."""
    _require_officer(by, export.request.council_id)
    at = now()
    claimed = SubjectAccessExport.objects.filter(
        pk=export.pk, prepared_by=by, downloaded_at__isnull=True, expires_at__gt=at
    ).update(downloaded_at=at)
    if claimed != 1:
        return False
    record(
        action="subject_access.exported",
        by=by,
        obj=export.request.service_user,
        council=export.request.council_id,
        detail={"request": export.request_id, "export": export.pk, "counts": counts},
        ip_address=ip,
    )
    return True


def subject_access_request_viewed(
    *, by: User, request: SubjectAccessRequest, ip: str | None = None
) -> None:
    record(
        action="subject_access.viewed",
        by=by,
        obj=request.service_user,
        council=request.council_id,
        detail={"request": request.pk},
        ip_address=ip,
    )
