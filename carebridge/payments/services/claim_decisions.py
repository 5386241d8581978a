"""The payments team's decision on a submitted one-off claim (approve, or reject with a reason),
told to the provider on an action thread, and the provider's invoice of an approved claim at
contract level: once, as the claim moves to Invoiced in the same transaction. Keyword-only,
`by=` the acting user, one transaction with its audit events; a refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actions.choices import RelatedKind
from carebridge.actions.models import ActionType
from carebridge.actions.services import NewAction, action_create
from carebridge.audit.services import record
from carebridge.core.calendar import now, today
from carebridge.core.formats import money
from carebridge.core.idempotency import once_per_key
from carebridge.payments.choices import CLAIM_TRANSITIONS, ClaimEvent, InvoiceKind
from carebridge.payments.models import Invoice, InvoiceLine, OneOffClaim
from carebridge.payments.selectors.claims import claim_total
from carebridge.payments.services.claims import (
    CLAIM_MOVE_REFUSED,
    claim_move,
    require_claims_officer,
)
from carebridge.payments.services.invoices import (
    REFERENCE_USED,
    PaymentsRefused,
    _check_reference,
    _require_provider_editor,
    _totals,
)

if TYPE_CHECKING:
    from carebridge.accounts.models import User

CLAIM_INVOICE_CREATE = "payments.claim_invoice_create"
NO_ACTION_TYPE = "Choose the type of action that tells the provider"


def _told(by: User, claim: OneOffClaim, action_type: ActionType | None, title: str, text: str):
    """The action thread, assigned to the provider, that tells it the payments team's decision
    (about the claim's service)."""
    if action_type is None:
        raise ValidationError({"action_type": NO_ACTION_TYPE})
    return action_create(
        by=by,
        new=NewAction(
            council=claim.council,
            provider=claim.provider,
            action_type=action_type,
            related_kind=RelatedKind.SERVICE,
            related_id=claim.service_id,
            due_date=today(),
            team=None,
            title=title,
            text=text,
        ),
    )


def _decidable(by: User, claim: OneOffClaim, event: ClaimEvent) -> OneOffClaim:
    """The claim as it is now, its row locked, if the event may happen to it."""
    require_claims_officer(by, claim.council_id)
    claim = (
        OneOffClaim.objects.select_for_update()
        .select_related("council", "provider", "service")
        .get(pk=claim.pk)
    )
    if not CLAIM_TRANSITIONS.allows(claim.status, event):
        raise PaymentsRefused(CLAIM_MOVE_REFUSED[event])
    return claim


def _named(claim: OneOffClaim) -> str:
    return f"one-off claim dated {claim.claim_date:%d/%m/%Y} for {claim.service.name}"


@transaction.atomic
def claim_approve(*, by: User, claim: OneOffClaim, action_type: ActionType | None) -> OneOffClaim:
    """The payments team approves a submitted claim and tells the provider, on an action
    thread, that it may now invoice it at contract level."""
    claim = _decidable(by, claim, ClaimEvent.APPROVE)
    total = claim_total(claim)
    action = _told(
        by,
        claim,
        action_type,
        title=f"One-off claim approved: {claim.claim_date:%d/%m/%Y}",
        text=(
            f"Your {_named(claim)} ({money(total)}) is approved. You can now create an "
            "invoice for it at contract level, from the claim's page."
        ),
    )
    return claim_move(
        by, claim, ClaimEvent.APPROVE, total=total, action=action, decided_at=now(), decided_by=by
    )


@transaction.atomic
def claim_reject(
    *, by: User, claim: OneOffClaim, reason: str, action_type: ActionType | None
) -> OneOffClaim:
    """The payments team rejects a submitted claim with its reason, told to the provider on an
    action thread."""
    claim = _decidable(by, claim, ClaimEvent.REJECT)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason, for the provider to read"})
    action = _told(
        by,
        claim,
        action_type,
        title=f"One-off claim rejected: {claim.claim_date:%d/%m/%Y}",
        text=f"Your {_named(claim)} is rejected. The reason: {reason}",
    )
    return claim_move(
        by,
        claim,
        ClaimEvent.REJECT,
        total=claim_total(claim),
        action=action,
        decided_at=now(),
        decided_by=by,
        rejected_reason=reason,
    )


def _lines(invoice: Invoice, claim: OneOffClaim) -> list[InvoiceLine]:
    """One line for each of the claim's items: a client's hours at their CPLI's rate and VAT,
    a provider item as one of its amount, without VAT."""
    lines = [
        InvoiceLine(
            invoice=invoice,
            kind=invoice.kind,
            description=(
                f"{item.service_user.full_name} ({item.service_user.ss_ref}): unplanned absence "
                f"{item.absence_start:%d/%m/%Y} to {item.absence_end:%d/%m/%Y} after a "
                f"{item.get_stay_display().lower()}"
            )[:200],
            quantity=item.hours,
            rate=item.rate,
            amount=item.amount,
            vat_rate=item.cpli.service_level.vat_rate,
        )
        for item in claim.client_items.select_related("service_user", "cpli__service_level")
    ]
    lines += [
        InvoiceLine(
            invoice=invoice,
            kind=invoice.kind,
            description=item.description,
            quantity=Decimal("1"),
            rate=item.amount,
            amount=item.amount,
            vat_rate=Decimal("0"),
        )
        for item in claim.provider_items.all()
    ]
    return lines


@transaction.atomic
@once_per_key(
    CLAIM_INVOICE_CREATE,
    find=lambda pk, call: Invoice.objects.filter(pk=pk, claim=call["claim"]).first(),
)
def claim_invoice_create(
    *,
    by: User,
    claim: OneOffClaim,
    reference: str,
    invoice_date: date,
    idempotency_key: str | None = None,
) -> Invoice:
    """Invoice an approved claim at contract level: an Unsubmitted invoice of the claim's
    service, period and council with a line for each item, under the provider's own reference.
    The claim moves to Invoiced in the same transaction, so it is invoiced once."""
    _require_provider_editor(by, claim.provider_id)
    reference = _check_reference(claim.provider_id, reference)
    claim = claim_move(by, claim, ClaimEvent.INVOICE, total=claim_total(claim))
    moment = now()
    invoice = Invoice(
        council_id=claim.council_id,
        provider_id=claim.provider_id,
        service_id=claim.service_id,
        period_id=claim.period_id,
        kind=InvoiceKind.INVOICE,
        claim=claim,
        reference=reference,
        invoice_date=invoice_date,
        created_at=moment,
        created_by=by,
        changed_at=moment,
        changed_by=by,
    )
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        # Another invoice took the reference a moment ago (the claim's row is ours, locked).
        raise ValidationError({"reference": REFERENCE_USED}) from None
    lines = _lines(invoice, claim)
    InvoiceLine.objects.bulk_create(lines)
    record(
        action="invoice.created",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        after={"reference": reference, "invoice_date": invoice_date.isoformat()},
        detail={"lines": len(lines), "claim": claim.pk, **_totals(invoice)},
    )
    return invoice
