"""What a contract document says, as its PDF shows it, and the fingerprint of that content: what
the provider's signature is a signature of. (The services re-export both.)"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from carebridge.contracts.choices import DocumentKind
from carebridge.contracts.models import ContractDocument, Cpli


def document_content(document: ContractDocument) -> dict[str, Any]:
    """What the document says, as its PDF shows it: what a signature is a signature of. An order
    says the end each line was ordered with (a later termination does not change what was
    agreed); a termination names the order, its last day of care and each line's last day."""
    if document.kind == DocumentKind.TERMINATION:
        assert document.terminates_id is not None and document.end_date is not None
        cplis = Cpli.objects.filter(document_id=document.terminates_id)
    else:
        cplis = document.cplis.all()
    lines = []
    for cpli in cplis.select_related("service_level").order_by("pk"):
        if document.end_date is not None:
            end: date | None = cpli.last_day_under(document.end_date)
        else:
            end = cpli.ordered_end_date
        line: dict[str, Any] = {
            "service_level": cpli.service_level.name,
            "quantity": str(cpli.quantity),
            "unit": cpli.unit,
            "rate": str(cpli.rate),
            "pricing_basis": cpli.pricing_basis,
            "weekly_cost": str(cpli.weekly_cost),
            "start_date": cpli.start_date.isoformat(),
            "end_date": end.isoformat() if end else None,
        }
        # Only when set: a document agreed before lines had them keeps the content (and so the
        # fingerprint) its provider signed.
        if cpli.visits > 0:
            line["visits"] = cpli.visits
        if cpli.yearly_allocation is not None:
            line["yearly_allocation"] = str(cpli.yearly_allocation)
        lines.append(line)
    content: dict[str, Any] = {
        "reference": document.reference,
        "kind": document.kind,
        "council": document.council.name,
        "client": document.service_user.full_name,
        "ss_ref": document.service_user.ss_ref,
        "care_package_reference": document.care_package_reference,
        "service": document.service.name,
        "lines": lines,
    }
    if document.kind == DocumentKind.TERMINATION:
        assert document.terminates is not None and document.end_date is not None
        content["terminates"] = document.terminates.reference
        content["end_date"] = document.end_date.isoformat()
        content["reason"] = document.reason
    return content


def document_fingerprint(document: ContractDocument) -> str:
    """SHA-256 of the document's content in a canonical form, so it does not depend on how the
    PDF library happens to lay the bytes out."""
    canonical = json.dumps(document_content(document), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
