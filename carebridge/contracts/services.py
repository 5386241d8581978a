"""Every write to contracts: publishing a contract document with its CPLIs (or a new one after a
rejection), terminating an agreed order, and the provider's signature (agree or reject, each with
the password re-entered). Documents are kept for ever."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet

from carebridge.accounts.models import User
from carebridge.accounts.services import Outcome, password_confirm
from carebridge.audit.services import record, record_listed, snapshot
from carebridge.contracts.choices import (
    DOCUMENT_TRANSITIONS,
    CpliStatus,
    DocumentEvent,
    DocumentKind,
    DocumentStatus,
    Unit,
)
from carebridge.contracts.content import document_content as document_content
from carebridge.contracts.content import document_fingerprint
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.contracts.signals import cpli_dates_changed
from carebridge.core import calendar
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.formats import guide_date
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import Function, can_edit
from carebridge.organisations.models import Council, Service
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser

S = DocumentStatus
E = DocumentEvent


class DocumentRefused(Refused):
    """The document's state does not allow this action (now, or any more)."""


class AnswerRefused(DocumentRefused):
    """The document cannot take this answer (it has been answered already)."""


@dataclass(frozen=True)
class Line:
    """One service level a document commissions: it becomes one CPLI."""

    service_level: ServiceLevel
    quantity: Decimal
    rate: Decimal
    pricing_basis: str
    start_date: date
    end_date: date | None = None
    # Informational, as the guides' "Vst": how many visits the week's quantity is delivered in.
    visits: int = 0
    # A short break: up to this many nights in a financial year, taken as the client needs them
    # (its quantity a week is then 0).
    yearly_allocation: Decimal | None = None


@transaction.atomic
def service_level_create(
    *,
    council: Council,
    name: str,
    unit: str,
    by: User | None,
    hospital_retainer_weeks: int | None = None,
) -> ServiceLevel:
    level = ServiceLevel(council=council, name=name, unit=unit)
    if hospital_retainer_weeks is not None:
        level.hospital_retainer_weeks = hospital_retainer_weeks
    level.full_clean()
    level.save()
    record(action="service_level.created", by=by, obj=level, council=council)
    return level


@transaction.atomic
def service_level_update(*, level: ServiceLevel, by: User | None, **fields: Any) -> ServiceLevel:
    """Change an item of the council's catalogue (its name, whether it is offered, or how long a
    hospital admission is paid for). Its unit is fixed: CPLIs are counted in it."""
    if "unit" in fields or "council" in fields:
        raise ValueError("A service level's council and unit cannot be changed.")
    level = ServiceLevel.objects.get(pk=level.pk)
    before = snapshot(level, list(fields))
    for name, value in fields.items():
        setattr(level, name, value)
    level.full_clean()
    level.save(update_fields=list(fields))
    record(
        action="service_level.updated",
        by=by,
        obj=level,
        council=level.council_id,
        before=before,
        after=snapshot(level, list(fields)),
    )
    return level


def _check_lines(council: Council, lines: list[Line]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = "Add at least one service level to the document"
    for number, line in enumerate(lines, start=1):
        if line.service_level.council_id != council.pk or not line.service_level.is_active:
            errors[f"lines.{number}.service_level"] = "Choose one of the council's service levels"
        errors.update(_check_quantity(number, line))
        if line.rate < 0:
            errors[f"lines.{number}.rate"] = "The rate cannot be negative"
        if line.end_date is not None and line.end_date < line.start_date:
            errors[f"lines.{number}.end_date"] = "The end date must be on or after the start date"
    return errors


def _check_quantity(number: int, line: Line) -> dict[str, str]:
    """A line is bought by the week (a quantity a week) or, for a short break, by the year (nights
    a year, with nothing planned weekly): never both."""
    key = f"lines.{number}."
    errors: dict[str, str] = {}
    if line.visits < 0:
        errors[key + "visits"] = "The visits a week cannot be negative"
    allocation = line.yearly_allocation
    if allocation is None:
        if line.quantity <= 0:
            errors[key + "quantity"] = "The quantity a week must be more than 0"
        return errors
    if allocation <= 0:
        errors[key + "yearly_allocation"] = "The nights a year must be more than 0"
    elif line.service_level.unit != Unit.NIGHTS:
        errors[key + "yearly_allocation"] = (
            "Nights a year are for a short break: choose a service level counted in nights, or "
            "leave the nights a year empty"
        )
    if line.quantity != 0:
        errors[key + "quantity"] = (
            "A short break has no quantity a week: enter 0, or leave the nights a year empty"
        )
    return errors


def _record_on(document: ContractDocument, event: str, *, by: User, **extra: Any) -> None:
    """An audit event on a contract document, in its council's and provider's log."""
    record(
        action=event,
        by=by,
        obj=document,
        council=document.council_id,
        provider=document.provider_id,
        **extra,
    )


def _document_create(**fields: Any) -> ContractDocument:
    """A new document numbered from its own id (unique without a counter to race on). A rejected
    document is issued again once only: the database refuses a second, even at the same moment."""
    replaces = fields.get("replaces")
    try:
        with transaction.atomic():
            document = ContractDocument.objects.create(reference="", **fields)
    except IntegrityError:
        if replaces is not None and ContractDocument.objects.filter(replaces=replaces).exists():
            refusal = reissue_refusal(ContractDocument.objects.get(pk=replaces.pk))
            raise refusal or DocumentRefused(
                "This document has been issued again already."
            ) from None
        raise
    document.reference = f"ISO-{document.pk:07d}"
    document.save(update_fields=["reference"])
    return document


def reissue_refusal(document: ContractDocument) -> DocumentRefused | None:
    """Why the council cannot issue a new document in place of this one, or None if it can: only a
    rejected document can be, and only once."""
    if not DOCUMENT_TRANSITIONS.allows(document.status, E.REISSUE):
        return DocumentRefused(
            f"{document.reference} is {document.get_status_display().lower()}: only a rejected "
            "document can be issued again."
        )
    replacement = (
        ContractDocument.objects.filter(replaces=document)
        .values_list("reference", flat=True)
        .first()
    )
    if replacement is not None:
        return DocumentRefused(
            f"{document.reference} has already been issued again as {replacement}: "
            "it cannot be issued again."
        )
    return None


@transaction.atomic
@once_per_key(
    "contracts.contract_document_publish",
    find=lambda pk, call: ContractDocument.objects.filter(pk=pk, council=call["council"]).first(),
)
def contract_document_publish(
    *,
    council: Council,
    service: Service,
    service_user: ServiceUser,
    care_package_reference: str,
    lines: list[Line],
    by: User,
    replaces: ContractDocument | None = None,
    idempotency_key: str | None = None,
) -> ContractDocument:
    """Publish an Individual Service Order: the document and its CPLIs, all or nothing. After a
    rejection the council issues a new document (never an amended one) that replaces it. A
    repeat of the form's key (Publish clicked twice) returns the first document."""
    if by.council_id != council.pk or not can_edit(by.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied("Only the council's own staff can publish its contract documents.")
    if replaces is not None:
        replaces = ContractDocument.objects.get(pk=replaces.pk)  # its status as it is now
    errors = _publish_errors(
        council=council,
        service=service,
        service_user=service_user,
        care_package_reference=care_package_reference,
        lines=lines,
        replaces=replaces,
    )
    if errors:
        raise ValidationError(errors)
    moment = now()
    try:
        document = _document_create(
            council=council,
            provider_id=service.provider_id,
            service=service,
            service_user=service_user,
            kind=DocumentKind.ORDER,
            care_package_reference=care_package_reference.strip(),
            replaces=replaces,
            published_at=moment,
            published_by=by,
            changed_at=moment,
        )
    except DocumentRefused as refused:
        raise ValidationError({"replaces": refused.message}) from None
    _create_cplis(document, service, service_user, lines)
    record(
        action="contract_document.published",
        by=by,
        obj=document,
        council=council,
        provider=service.provider_id,
        detail={
            "fingerprint": document_fingerprint(document),
            "replaces": replaces.reference if replaces else None,
        },
    )
    return document


def _publish_errors(
    *,
    council: Council,
    service: Service,
    service_user: ServiceUser,
    care_package_reference: str,
    lines: list[Line],
    replaces: ContractDocument | None,
) -> dict[str, str]:
    """What is wrong with an order the council asks to publish, by field (none: it may)."""
    errors = _check_lines(council, lines)
    if not providers_of_council(council.pk).filter(pk=service.provider_id).exists():
        errors["service"] = "Choose a service of a provider the council holds a contract with"
    if service_user.council_id != council.pk:
        errors["service_user"] = "Choose one of the council's service users"
    if not care_package_reference.strip():
        errors["care_package_reference"] = "Enter the care package reference"
    if replaces is not None:
        refusal = reissue_refusal(replaces)
        if refusal is not None:
            errors["replaces"] = refusal.message
        elif (
            replaces.council_id != council.pk
            or replaces.kind != DocumentKind.ORDER
            or replaces.service_user_id != service_user.pk
        ):
            errors["replaces"] = "Only a rejected order for the same client can be issued again"
    return errors


def _create_cplis(
    document: ContractDocument, service: Service, service_user: ServiceUser, lines: list[Line]
) -> None:
    """One CPLI for each line of a new order, awaiting the provider's agreement."""
    Cpli.objects.bulk_create(
        Cpli(
            council=document.council,
            provider_id=service.provider_id,
            service=service,
            service_user=service_user,
            service_level=line.service_level,
            document=document,
            care_package_reference=document.care_package_reference,
            quantity=line.quantity,
            unit=line.service_level.unit,
            rate=line.rate,
            visits=line.visits,
            yearly_allocation=line.yearly_allocation,
            pricing_basis=line.pricing_basis,
            start_date=line.start_date,
            end_date=line.end_date,
            ordered_end_date=line.end_date,
        )
        for line in lines
    )


def termination_refusal(order: ContractDocument) -> DocumentRefused | None:
    """Why the council cannot terminate this document, or None if it can: only an agreed order
    can be, once. A rejected termination is put right by issuing a corrected one."""
    if order.kind != DocumentKind.ORDER:
        return DocumentRefused("Only an Individual Service Order can be terminated.")
    if order.status == S.TERMINATED:
        return DocumentRefused(
            f"{order.reference} has already been terminated. If the provider rejected the "
            "termination, issue a corrected one from the termination's page."
        )
    if not DOCUMENT_TRANSITIONS.allows(order.status, E.TERMINATE):
        return DocumentRefused(
            f"{order.reference} is {order.get_status_display().lower()}: only an agreed order "
            "can be terminated."
        )
    return None


def _check_termination(cplis: list[Cpli], end_date: date, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Say why the order is terminated"
    if not cplis:
        errors["end_date"] = "This order has no running care package line items to end"
        return errors
    # A line cannot end before it starts, so the order cannot end before its last line begins.
    starts = {cpli.start_date for cpli in cplis}
    if end_date < max(starts):
        when = "the order's care starts" if len(starts) == 1 else "the order's last line starts"
        errors["end_date"] = (
            f"The last day of care must be on or after {guide_date(max(starts))}, when {when}"
        )
    ends = [cpli.ordered_end_date for cpli in cplis]
    if None not in ends:
        last = max(end for end in ends if end is not None)
        if end_date >= last:
            errors["end_date"] = (
                f"The order ends on {guide_date(last)} anyway: the last day of care must be "
                "before that"
            )
    return errors


@transaction.atomic
def contract_document_terminate(
    *,
    document: ContractDocument,
    end_date: date,
    reason: str,
    by: User,
    replaces: ContractDocument | None = None,
) -> ContractDocument:
    """Terminate an agreed order: a termination document for the provider to agree to or reject,
    the order marked terminated, and its lines ended on the last day of care (or their own end, if
    sooner), all or nothing. With `replaces`, a corrected termination after the provider rejected
    one: the lines end again, counted from the end the order gave them."""
    if by.council_id != document.council_id or not can_edit(by.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied("Only the council's own staff can terminate its contract documents.")
    order = ContractDocument.objects.select_related("service").get(pk=document.pk)
    if replaces is not None:
        replaces = ContractDocument.objects.get(pk=replaces.pk)  # its status as it is now
    event = _termination_event(order, replaces)
    cplis = list(order.cplis.filter(status__in=(CpliStatus.ACTIVE, CpliStatus.ENDED)))
    errors = _check_termination(cplis, end_date, reason)
    if errors:
        raise ValidationError(errors)
    moment = now()
    # Compare-and-set: a second termination at the same moment finds the order changed.
    if not DOCUMENT_TRANSITIONS.move(ContractDocument, order.pk, event, changed_at=moment):
        raise DocumentRefused("Someone else changed this order at the same moment: try again.")
    termination = _document_create(
        council_id=order.council_id,
        provider_id=order.provider_id,
        service=order.service,
        service_user_id=order.service_user_id,
        kind=DocumentKind.TERMINATION,
        care_package_reference=order.care_package_reference,
        terminates=order,
        end_date=end_date,
        reason=reason.strip(),
        replaces=replaces,
        published_at=moment,
        published_by=by,
        changed_at=moment,
    )
    before = _end_lines(cplis, end_date)
    # Actuals already entered for the lines follow their new end (or refuse it).
    cpli_dates_changed.send(sender=Cpli, cplis=cplis, by=by)
    _record_termination(termination, order, cplis, before, by=by)
    return termination


def _termination_event(order: ContractDocument, replaces: ContractDocument | None) -> DocumentEvent:
    """What this termination does to the order (terminates it; or, for a corrected one, keeps it
    terminated), or the refusal if it may not be terminated (again)."""
    if replaces is None:
        refusal = termination_refusal(order)
        event = E.TERMINATE
    else:
        refusal = reissue_refusal(replaces)
        if refusal is None and (
            replaces.kind != DocumentKind.TERMINATION or replaces.terminates_id != order.pk
        ):
            refusal = DocumentRefused("A corrected termination must be for the same order.")
        event = E.TERMINATE_AGAIN
    if refusal is not None:
        raise refusal
    return event


def _end_lines(cplis: list[Cpli], end_date: date) -> dict[int, tuple[date | None, str]]:
    """End each line on its last day under the termination (ended if that day is past), and
    return each line's end and status from before, for the audit log."""
    today = calendar.today()
    before = {cpli.pk: (cpli.end_date, cpli.status) for cpli in cplis}
    for cpli in cplis:
        cpli.end_date = cpli.last_day_under(end_date)
        cpli.status = CpliStatus.ENDED if cpli.end_date < today else CpliStatus.ACTIVE
    Cpli.objects.bulk_update(cplis, ["end_date", "status"])
    return before


def _record_termination(
    termination: ContractDocument,
    order: ContractDocument,
    cplis: list[Cpli],
    before: dict[int, tuple[date | None, str]],
    *,
    by: User,
) -> None:
    """Two audit events: the termination published, and the order terminated with each line's
    end and status before and after."""
    assert termination.end_date is not None
    end_date = termination.end_date
    _record_on(
        termination,
        "contract_document.published",
        by=by,
        detail={
            "fingerprint": document_fingerprint(termination),
            "terminates": order.reference,
            "end_date": end_date.isoformat(),
        },
    )
    _record_on(
        order,
        "contract_document.terminated",
        by=by,
        detail={
            "termination": termination.reference,
            "end_date": end_date.isoformat(),
            "reason": termination.reason,
            "cplis": {
                str(cpli.pk): {
                    "end_date": [str(before[cpli.pk][0]), str(cpli.end_date)],
                    "status": [before[cpli.pk][1], cpli.status],
                }
                for cpli in cplis
            },
        },
    )


def answer_refusal(document: ContractDocument) -> AnswerRefused | None:
    """Why the document cannot be answered now, or None if it can. Pages use it before anyone
    fills in the form; the services raise it."""
    if DOCUMENT_TRANSITIONS.allows(document.status, E.AGREE):
        return None
    return AnswerRefused(
        f"This document has already been {document.get_status_display().lower()}: "
        "it cannot be answered again."
    )


def _answer(
    document: ContractDocument,
    answer: DocumentEvent,
    *,
    by: User,
    password: str,
    notes: str,
    ip: str | None,
) -> ContractDocument:
    if by.provider_id != document.provider_id or not can_edit(by.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied("Only the provider's own staff can answer its contract documents.")
    to = DOCUMENT_TRANSITIONS.target(answer)
    # The password is the signature: checked first, and wrong answers count towards the lock.
    if password_confirm(user=by, password=password, ip=ip) != Outcome.OK:
        raise ValidationError({"password": "The password is not right"})
    moment = now()
    with transaction.atomic():
        current = ContractDocument.objects.select_related("council", "service", "service_user").get(
            pk=document.pk
        )
        if current.status == to and current.answered_by_id == by.pk:
            return current  # the same answer again (a double click): nothing more to do
        if not DOCUMENT_TRANSITIONS.allows(current.status, answer):
            refusal = answer_refusal(current)
            assert refusal is not None
            raise refusal
        fingerprint = document_fingerprint(current)
        won = DOCUMENT_TRANSITIONS.move(
            ContractDocument,
            current.pk,
            answer,
            answered_at=moment,
            answered_by=by,
            answer_notes=notes,
            signed_hash=fingerprint if to == S.AGREED else "",
            changed_at=moment,
        )
        if not won:
            raise AnswerRefused("Someone else answered this document at the same moment.")
        cpli_status = CpliStatus.ACTIVE if to == S.AGREED else CpliStatus.REJECTED
        current.cplis.filter(status=CpliStatus.PROPOSED).update(status=cpli_status)
        _record_on(
            current,
            f"contract_document.{to}",
            by=by,
            detail={"fingerprint": fingerprint, "notes": notes},
            ip_address=ip,
        )
    current.refresh_from_db()
    return current


def contract_document_agree(
    *, document: ContractDocument, by: User, password: str, ip: str | None = None
) -> ContractDocument:
    """The provider's signature: who, when, and the hash of what they agreed to."""
    return _answer(document, E.AGREE, by=by, password=password, notes="", ip=ip)


def contract_document_reject(
    *, document: ContractDocument, by: User, password: str, notes: str, ip: str | None = None
) -> ContractDocument:
    if not notes.strip():
        raise ValidationError({"notes": "Say why you are rejecting this document"})
    return _answer(document, E.REJECT, by=by, password=password, notes=notes.strip(), ip=ip)


def contract_document_viewed(
    *, document: ContractDocument, by: User, downloaded: bool = False, ip: str | None = None
) -> None:
    """A contract document names a client and their care: every view and download is audited."""
    _record_on(
        document,
        "contract_document.downloaded" if downloaded else "contract_document.viewed",
        by=by,
        ip_address=ip,
    )


def cplis_exported(*, by: User, cplis: QuerySet[Cpli], fmt: str, ip: str | None = None) -> None:
    """A CPLI export names a client on every row: one event per download (per council whose
    clients it names), with how many rows, whatever the filters chosen."""
    counts = dict(
        cplis.order_by()
        .values_list("council_id")
        .annotate(rows=Count("pk"))
        .values_list("council_id", "rows")
    )
    record_listed(
        action="cplis.exported", by=by, counts=counts, detail={"format": fmt}, ip_address=ip
    )
