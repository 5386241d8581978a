"""Every write to contracts: publishing a contract document with its CPLIs, and the provider's
signature (agree or reject, each with the password re-entered). Documents are kept for ever."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from carebridge.accounts.models import User
from carebridge.accounts.roles import Function, can_edit
from carebridge.accounts.services import Outcome, password_confirm
from carebridge.audit.services import record
from carebridge.contracts.choices import CpliStatus, DocumentKind, DocumentStatus
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core.calendar import now
from carebridge.organisations.models import Council, Service
from carebridge.organisations.selectors import providers_of_council
from carebridge.people.models import ServiceUser

S = DocumentStatus

# Which answers a document may still take: once agreed or rejected, never again.
ANSWERS: dict[DocumentStatus, tuple[frozenset[DocumentStatus], DocumentStatus]] = {
    S.AGREED: (frozenset({S.PUBLISHED}), S.AGREED),
    S.REJECTED: (frozenset({S.PUBLISHED}), S.REJECTED),
}


class AnswerRefused(Exception):
    """The document cannot take this answer (it has been answered already)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Line:
    """One service level a document commissions: it becomes one CPLI."""

    service_level: ServiceLevel
    quantity: Decimal
    rate: Decimal
    pricing_basis: str
    start_date: date
    end_date: date | None = None


@transaction.atomic
def service_level_create(
    *, council: Council, name: str, unit: str, by: User | None
) -> ServiceLevel:
    level = ServiceLevel(council=council, name=name, unit=unit)
    level.full_clean()
    level.save()
    record(action="service_level.created", by=by, obj=level, council=council)
    return level


def _check_lines(council: Council, lines: list[Line]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not lines:
        errors["lines"] = "Add at least one service level to the document"
    for number, line in enumerate(lines, start=1):
        if line.service_level.council_id != council.pk or not line.service_level.is_active:
            errors[f"lines.{number}.service_level"] = "Choose one of the council's service levels"
        if line.quantity <= 0:
            errors[f"lines.{number}.quantity"] = "The quantity a week must be more than 0"
        if line.rate < 0:
            errors[f"lines.{number}.rate"] = "The rate cannot be negative"
        if line.end_date is not None and line.end_date < line.start_date:
            errors[f"lines.{number}.end_date"] = "The end date must be on or after the start date"
    return errors


@transaction.atomic
def contract_document_publish(
    *,
    council: Council,
    service: Service,
    service_user: ServiceUser,
    care_package_reference: str,
    lines: list[Line],
    by: User,
    replaces: ContractDocument | None = None,
) -> ContractDocument:
    """Publish an Individual Service Order: the document and its CPLIs, all or nothing. After a
    rejection the council issues a new document (never an amended one) that replaces it."""
    if by.council_id != council.pk or not can_edit(by.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied("Only the council's own staff can publish its contract documents.")
    errors = _check_lines(council, lines)
    if not providers_of_council(council.pk).filter(pk=service.provider_id).exists():
        errors["service"] = "Choose a service of a provider the council holds a contract with"
    if service_user.council_id != council.pk:
        errors["service_user"] = "Choose one of the council's service users"
    if not care_package_reference.strip():
        errors["care_package_reference"] = "Enter the care package reference"
    if replaces is not None:
        replaces = ContractDocument.objects.get(pk=replaces.pk)  # its status as it is now
    if replaces is not None and (
        replaces.council_id != council.pk
        or replaces.status != S.REJECTED
        or replaces.service_user_id != service_user.pk
    ):
        errors["replaces"] = "Only a rejected document for the same client can be replaced"
    if errors:
        raise ValidationError(errors)
    moment = now()
    document = ContractDocument.objects.create(
        council=council,
        provider_id=service.provider_id,
        service=service,
        service_user=service_user,
        # Numbered from the row's own id below: unique without a counter to race on.
        reference="",
        kind=DocumentKind.ORDER,
        care_package_reference=care_package_reference.strip(),
        replaces=replaces,
        published_at=moment,
        published_by=by,
        changed_at=moment,
    )
    document.reference = f"ISO-{document.pk:07d}"
    document.save(update_fields=["reference"])
    Cpli.objects.bulk_create(
        Cpli(
            council=council,
            provider_id=service.provider_id,
            service=service,
            service_user=service_user,
            service_level=line.service_level,
            document=document,
            care_package_reference=document.care_package_reference,
            quantity=line.quantity,
            unit=line.service_level.unit,
            rate=line.rate,
            pricing_basis=line.pricing_basis,
            start_date=line.start_date,
            end_date=line.end_date,
        )
        for line in lines
    )
    record(
        action="contract_document.published",
        by=by,
        obj=document,
        council=council,
        provider=service.provider_id,
        detail={"fingerprint": document_fingerprint(document)},
    )
    return document


def document_content(document: ContractDocument) -> dict[str, Any]:
    """What the document says, as its PDF shows it: what a signature is a signature of."""
    cplis = document.cplis.select_related("service_level").order_by("pk")
    return {
        "reference": document.reference,
        "kind": document.kind,
        "council": document.council.name,
        "client": document.service_user.full_name,
        "ss_ref": document.service_user.ss_ref,
        "care_package_reference": document.care_package_reference,
        "service": document.service.name,
        "lines": [
            {
                "service_level": cpli.service_level.name,
                "quantity": str(cpli.quantity),
                "unit": cpli.unit,
                "rate": str(cpli.rate),
                "pricing_basis": cpli.pricing_basis,
                "weekly_cost": str(cpli.weekly_cost),
                "start_date": cpli.start_date.isoformat(),
                "end_date": cpli.end_date.isoformat() if cpli.end_date else None,
            }
            for cpli in cplis
        ],
    }


def document_fingerprint(document: ContractDocument) -> str:
    """SHA-256 of the document's content in a canonical form, so it does not depend on how the
    PDF library happens to lay the bytes out."""
    canonical = json.dumps(document_content(document), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer_refusal(document: ContractDocument) -> AnswerRefused | None:
    """Why the document cannot be answered now, or None if it can. Pages use it before anyone
    fills in the form; the services raise it."""
    if document.status == S.PUBLISHED:
        return None
    return AnswerRefused(
        f"This document has already been {document.get_status_display().lower()}: "
        "it cannot be answered again."
    )


def _answer(
    document: ContractDocument,
    answer: DocumentStatus,
    *,
    by: User,
    password: str,
    notes: str,
    ip: str | None,
) -> ContractDocument:
    if by.provider_id != document.provider_id or not can_edit(by.role, Function.CONTRACT_DOCUMENTS):
        raise PermissionDenied("Only the provider's own staff can answer its contract documents.")
    allowed, to = ANSWERS[answer]
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
        if current.status not in allowed:
            refusal = answer_refusal(current)
            assert refusal is not None
            raise refusal
        fingerprint = document_fingerprint(current)
        won = ContractDocument.objects.filter(pk=current.pk, status=current.status).update(
            status=to,
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
        record(
            action=f"contract_document.{to}",
            by=by,
            obj=current,
            council=current.council_id,
            provider=current.provider_id,
            detail={"fingerprint": fingerprint, "notes": notes},
            ip_address=ip,
        )
    current.refresh_from_db()
    return current


def contract_document_agree(
    *, document: ContractDocument, by: User, password: str, ip: str | None = None
) -> ContractDocument:
    """The provider's signature: who, when, and the hash of what they agreed to."""
    return _answer(document, S.AGREED, by=by, password=password, notes="", ip=ip)


def contract_document_reject(
    *, document: ContractDocument, by: User, password: str, notes: str, ip: str | None = None
) -> ContractDocument:
    if not notes.strip():
        raise ValidationError({"notes": "Say why you are rejecting this document"})
    return _answer(document, S.REJECTED, by=by, password=password, notes=notes.strip(), ip=ip)


def contract_document_viewed(
    *, document: ContractDocument, by: User, downloaded: bool = False, ip: str | None = None
) -> None:
    """A contract document names a client and their care: every view and download is audited."""
    record(
        action="contract_document.downloaded" if downloaded else "contract_document.viewed",
        by=by,
        obj=document,
        council=document.council_id,
        provider=document.provider_id,
        ip_address=ip,
    )
