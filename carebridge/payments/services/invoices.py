"""Every write of invoices: create, change and delete while Unsubmitted, and each status change
by the TRANSITIONS table's one compare-and-set. Keyword-only, `by=` the acting user, in one
transaction with its audit event; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.actuals.models import Period
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.core.errors import Refused
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Function, can_edit
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import Service
from carebridge.payments.choices import TRANSITIONS, InvoiceEvent, InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors.invoices import (
    PreInvoiceLine,
    invoice_totals,
    lines_totals,
    payment_method_of,
    pre_invoice,
)
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.accounts.models import User

INVOICE_CREATE = "payments.invoice_create"

NOT_AN_EDITOR = "Only the provider's users who may edit invoices can do this."
NOT_A_PAYMENTS_OFFICER = "Only the council's payments team can do this."
NOT_ON_INVOICE = "This council does not pay this service's care on invoice."
NOT_IN_PRE_INVOICE = (
    "Some of the lines ticked are not in this period's pre-invoice: they may be on another "
    "invoice already. Open the pre-invoice again."
)
NOT_UNSUBMITTED = "This invoice has been submitted, so it can no longer be changed or deleted."
REFERENCE_USED = "You have used this invoice reference already: enter a new one"
NO_LINES = "Tick at least one line to invoice"
MOVE_REFUSED = {
    InvoiceEvent.SUBMIT: "This invoice has been submitted already.",
    InvoiceEvent.AUTHORISE: "Only a submitted or held invoice can be authorised.",
    InvoiceEvent.HOLD: "Only a submitted invoice can be held.",
    InvoiceEvent.RETURN: "Only a submitted or held invoice can be returned.",
    InvoiceEvent.RESUBMIT: "Only a returned invoice can be submitted again.",
    InvoiceEvent.PAY: "Only an authorised invoice can be paid.",
}
CHANGED_SINCE_SEEN = "This invoice changed while you were deciding: look at it again."


class PaymentsRefused(Refused):
    """An invoice the payments rules will not make or change; the message says why."""


def _require_provider_editor(by: User, provider_id: int) -> None:
    if not (
        by.role in PROVIDER_ROLES
        and by.provider_id == provider_id
        and can_edit(by.role, Function.INVOICES)
    ):
        raise PaymentsRefused(NOT_AN_EDITOR)


def _require_payments_officer(by: User, council_id: int) -> None:
    if not (
        by.role in COUNCIL_ROLES
        and by.council_id == council_id
        and can_edit(by.role, Function.INVOICES)
    ):
        raise PaymentsRefused(NOT_A_PAYMENTS_OFFICER)


def _check_reference(provider_id: int, reference: str, *, excluding: int | None = None) -> str:
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Enter your invoice reference"})
    used = Invoice.objects.filter(provider_id=provider_id, reference=reference)
    if excluding is not None:
        used = used.exclude(pk=excluding)
    if used.exists():
        raise ValidationError({"reference": REFERENCE_USED})
    return reference


def _chosen(offered: Iterable[PreInvoiceLine], actual_ids: Iterable[int]) -> list[PreInvoiceLine]:
    """The ticked lines, each one the pre-invoice offers; refused if any is not."""
    wanted = set(actual_ids)
    if not wanted:
        raise ValidationError({"lines": NO_LINES})
    by_actual = {line.actual_id: line for line in offered}
    if not wanted <= by_actual.keys():
        raise PaymentsRefused(NOT_IN_PRE_INVOICE)
    return [by_actual[pk] for pk in sorted(wanted)]


def _line(invoice: Invoice, line: PreInvoiceLine) -> InvoiceLine:
    # By id: setting the invoice object on thousands of lines costs more than writing them.
    return InvoiceLine(
        invoice_id=invoice.pk,
        kind=invoice.kind,
        cpli_id=line.cpli_id,
        actual_id=line.actual_id,
        quantity=line.quantity,
        rate=line.rate,
        amount=line.amount,
        vat_rate=line.vat_rate,
        over_exception=line.over_exception,
    )


def _insert(invoice: Invoice, lines: Sequence[PreInvoiceLine], *, new: bool) -> None:
    """Write the invoice (if new) and its lines; a reference or CPLI week taken by another
    invoice a moment ago (the database's constraints decide) is refused."""
    try:
        with transaction.atomic():
            if new:
                invoice.save()
            InvoiceLine.objects.bulk_create([_line(invoice, line) for line in lines])
    except IntegrityError:
        if (
            Invoice.objects.filter(provider_id=invoice.provider_id, reference=invoice.reference)
            .exclude(pk=invoice.pk)
            .exists()
        ):
            raise ValidationError({"reference": REFERENCE_USED}) from None
        raise PaymentsRefused(NOT_IN_PRE_INVOICE) from None


def _totals(invoice: Invoice, written: Sequence[PreInvoiceLine] | None = None) -> dict[str, str]:
    """The invoice's totals for its audit event: of the lines just written when given, rather
    than reading thousands of them back."""
    if written is None:
        excl, vat, total = invoice_totals(invoice)
    else:
        excl, vat, total = lines_totals((line.amount, line.vat_rate) for line in written)
    return {"excl_vat": str(excl), "vat": str(vat), "total": str(total)}


@transaction.atomic
@once_per_key(
    INVOICE_CREATE,
    find=lambda pk, call: Invoice.objects.filter(pk=pk, service=call["service"]).first(),
)
def invoice_create(
    *,
    by: User,
    service: Service,
    period: Period,
    reference: str,
    invoice_date: date,
    actual_ids: Iterable[int],
    idempotency_key: str | None = None,
) -> Invoice:
    """Raise an Unsubmitted invoice for the ticked lines of the service's pre-invoice for the
    period: each line the actual's cost, the total their sum to the penny."""
    _require_provider_editor(by, service.provider_id)
    if payment_method_of(service, period) != PaymentMethod.ON_INVOICE:
        raise PaymentsRefused(NOT_ON_INVOICE)
    reference = _check_reference(service.provider_id, reference)
    lines = _chosen(pre_invoice(by, service, period), actual_ids)
    moment = now()
    invoice = Invoice(
        council_id=period.council_id,
        provider_id=service.provider_id,
        service=service,
        period=period,
        kind=InvoiceKind.INVOICE,
        reference=reference,
        invoice_date=invoice_date,
        created_at=moment,
        created_by=by,
        changed_at=moment,
        changed_by=by,
    )
    _insert(invoice, lines, new=True)
    record(
        action="invoice.created",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        after={"reference": reference, "invoice_date": invoice_date.isoformat()},
        detail={"lines": len(lines), **_totals(invoice, lines)},
    )
    return invoice


def _unsubmitted(invoice: Invoice) -> Invoice:
    """The invoice, locked for this change, while it is still Unsubmitted."""
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None or locked.status != InvoiceStatus.UNSUBMITTED:
        raise PaymentsRefused(NOT_UNSUBMITTED)
    return locked


@transaction.atomic
def invoice_update(
    *,
    by: User,
    invoice: Invoice,
    reference: str | None = None,
    invoice_date: date | None = None,
    actual_ids: Iterable[int] | None = None,
) -> Invoice:
    """Change an Unsubmitted invoice's reference, date or lines (any line of its own, and any
    line still on the period's pre-invoice)."""
    _require_provider_editor(by, invoice.provider_id)
    invoice = _unsubmitted(invoice)
    before = {"reference": invoice.reference, "invoice_date": invoice.invoice_date.isoformat()}
    if reference is not None:
        invoice.reference = _check_reference(invoice.provider_id, reference, excluding=invoice.pk)
    if invoice_date is not None:
        invoice.invoice_date = invoice_date
    invoice.changed_at, invoice.changed_by = now(), by
    invoice.save()
    if actual_ids is not None:
        _replace_lines(by, invoice, set(actual_ids))
    record(
        action="invoice.updated",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        before=before,
        after={"reference": invoice.reference, "invoice_date": invoice.invoice_date.isoformat()},
        detail={"lines": invoice.lines.count(), **_totals(invoice)},
    )
    return invoice


def _replace_lines(by: User, invoice: Invoice, wanted: set[int]) -> None:
    """Keep the invoice's lines still ticked, drop the others, add the newly ticked ones from the
    pre-invoice."""
    if not wanted:
        raise ValidationError({"lines": NO_LINES})
    held = set(invoice.lines.values_list("actual_id", flat=True))
    added = wanted - held
    offered = pre_invoice(by, invoice.service, invoice.period) if added else []
    new_lines = _chosen(offered, added) if added else []
    invoice.lines.exclude(actual_id__in=wanted).delete()
    if new_lines:
        _insert(invoice, new_lines, new=False)


@transaction.atomic
def invoice_delete(*, by: User, invoice: Invoice) -> None:
    """Delete an Unsubmitted invoice and its lines: its CPLI weeks are on the pre-invoice again,
    and a contract-level invoice's claim is Approved again, to invoice anew."""
    _require_provider_editor(by, invoice.provider_id)
    invoice = _unsubmitted(invoice)
    record(
        action="invoice.deleted",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        before={"reference": invoice.reference, **_totals(invoice)},
    )
    invoice.lines.all().delete()
    invoice.delete()
    if invoice.claim_id is not None:
        # Imported here: the claims' services import this module.
        from carebridge.payments.services.claims import claim_invoice_deleted

        claim_invoice_deleted(by=by, claim_id=invoice.claim_id)


def _status_now(invoice: Invoice) -> str:
    return Invoice.objects.filter(pk=invoice.pk).values_list("status", flat=True).first() or ""


def _move(
    by: User | None,
    invoice: Invoice,
    event: InvoiceEvent,
    *,
    as_seen: bool = False,
    **changes: Any,
) -> Invoice:
    """One status change by the table's compare-and-set, with its audit event. `as_seen`: only
    if the invoice has not changed since the caller read it (its status and `changed_at`)."""
    moment = now()
    guard = {"status": invoice.status, "changed_at": invoice.changed_at} if as_seen else None
    if not TRANSITIONS.move(
        Invoice, invoice.pk, event, guard=guard, changed_at=moment, changed_by=by, **changes
    ):
        if as_seen and TRANSITIONS.allows(_status_now(invoice), event):
            raise PaymentsRefused(CHANGED_SINCE_SEEN)
        raise PaymentsRefused(MOVE_REFUSED[event])
    before = invoice.status
    invoice.refresh_from_db()
    record(
        action=f"invoice.{event}",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        before={"status": before},
        after={"status": invoice.status, **{k: str(v) for k, v in changes.items()}},
    )
    return invoice


def _locked(invoice: Invoice) -> Invoice:
    """The invoice, its row locked until the transaction ends, so a change to its lines cannot
    slip between checking them and submitting (SQLite serialises writes anyway)."""
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def over_exception_refusal(invoice: Invoice) -> str | None:
    """Why the invoice cannot be submitted yet: the clients of its over-exception lines."""
    # Only CPLI weeks are over the exception (a claim's lines have no actual).
    over = ServiceUser.objects.filter(
        pk__in=invoice.lines.filter(over_exception=True).values("actual__service_user")
    )
    clients = sorted(person.full_name for person in over)
    if not clients:
        return None
    return (
        f"Remove the lines more than the allowed percentage over plan ({', '.join(clients)}) "
        "or ask for a temporary CPLI"
    )


@transaction.atomic
def invoice_submit(*, by: User, invoice: Invoice) -> Invoice:
    """Submit an Unsubmitted invoice to the council's payments team; refused while any line is
    over the exception."""
    _require_provider_editor(by, invoice.provider_id)
    invoice = _locked(invoice)
    refusal = over_exception_refusal(invoice)
    if refusal:
        raise PaymentsRefused(refusal)
    return _move(by, invoice, InvoiceEvent.SUBMIT, submitted_at=now())


@transaction.atomic
def invoice_resubmit(*, by: User, invoice: Invoice) -> Invoice:
    """Submit a returned invoice again, once the provider has corrected it."""
    _require_provider_editor(by, invoice.provider_id)
    invoice = _locked(invoice)
    refusal = over_exception_refusal(invoice)
    if refusal:
        raise PaymentsRefused(refusal)
    # A returned invoice was not valid: the prompt-payment clock starts again from now.
    return _move(by, invoice, InvoiceEvent.RESUBMIT, submitted_at=now())


# `as_seen`: the payments team decides on the invoice as its page showed it (the `invoice` given,
# as read), so two officers deciding at once make one decision, never a hold and then an
# authorisation its officer did not see held. The council's pages always ask for it.
@transaction.atomic
def invoice_authorise(*, by: User, invoice: Invoice, as_seen: bool = False) -> Invoice:
    """The payments team authorises a submitted or held invoice for payment."""
    _require_payments_officer(by, invoice.council_id)
    return _move(by, invoice, InvoiceEvent.AUTHORISE, as_seen=as_seen)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason, for the provider to read"})
    return reason


@transaction.atomic
def invoice_hold(*, by: User, invoice: Invoice, reason: str, as_seen: bool = False) -> Invoice:
    """The payments team holds a submitted invoice, saying why."""
    _require_payments_officer(by, invoice.council_id)
    return _move(by, invoice, InvoiceEvent.HOLD, as_seen=as_seen, held_reason=_reason(reason))


@transaction.atomic
def invoice_return(*, by: User, invoice: Invoice, reason: str, as_seen: bool = False) -> Invoice:
    """The payments team returns a submitted or held invoice to the provider, saying why."""
    _require_payments_officer(by, invoice.council_id)
    return _move(by, invoice, InvoiceEvent.RETURN, as_seen=as_seen, returned_reason=_reason(reason))


@transaction.atomic
def invoice_pay(*, by: User | None, invoice: Invoice) -> Invoice:
    """A payment run has paid an authorised invoice (called by the next issue's payment run)."""
    if by is not None:
        _require_payments_officer(by, invoice.council_id)
    return _move(by, invoice, InvoiceEvent.PAY)


def invoice_viewed(
    *, invoice: Invoice, by: User, downloaded: str = "", ip: str | None = None
) -> None:
    """An invoice's lines name the provider's clients: every view and download (`downloaded`:
    its format, "pdf" or "csv") is audited, in the log of its council and its provider."""
    record(
        action="invoice.downloaded" if downloaded else "invoice.viewed",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        detail={"format": downloaded} if downloaded else None,
        ip_address=ip,
    )
