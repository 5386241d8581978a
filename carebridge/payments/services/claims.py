"""Every write of one-off claims: the provider creates a claim for one of its services, dated the
end of one of the council's periods, adds and removes client items (an unplanned absence, priced
at the client's CPLI rate), provider items and files, and updates, submits or deletes it while
Unsubmitted; the payments team approves or rejects it, telling the provider on an action thread;
the provider invoices an approved claim once, at contract level. Keyword-only, `by=` the acting
user, one transaction with its audit event; a refusal writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from carebridge.actuals.models import Period
from carebridge.actuals.periods import RuleSource
from carebridge.audit.services import record
from carebridge.core import uploads
from carebridge.core.calendar import now
from carebridge.core.formats import round_money
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Function, can_edit
from carebridge.organisations.models import Service
from carebridge.payments.choices import CLAIM_TRANSITIONS, AbsenceStay, ClaimEvent, ClaimStatus
from carebridge.payments.models import (
    ClaimAttachment,
    ClaimClientItem,
    ClaimProviderItem,
    OneOffClaim,
)
from carebridge.payments.selectors.claims import (
    claim_allowed,
    claim_cpli,
    claim_dates_for,
    claim_total,
)
from carebridge.payments.services.invoices import PaymentsRefused

if TYPE_CHECKING:
    from carebridge.accounts.models import User

CLAIM_CREATE = "payments.claim_create"
CLIENT_ITEM_ADD = "payments.claim_client_item_add"
PROVIDER_ITEM_ADD = "payments.claim_provider_item_add"
ATTACHMENT_ADD = "payments.claim_attachment_add"

NOT_A_CLAIMANT = "Only the provider's users who may edit one-off claims can do this."
NOT_CLAIMS_ALLOWED = (
    "Your contract with this council does not allow one-off claims: its payment rule pays "
    "no unplanned absences."
)
NOT_A_CLAIM_DATE = "Choose the Date of Claim: the end date of one of the council's periods"
CLAIM_NOT_UNSUBMITTED = "This claim has been submitted, so it can no longer be changed or deleted."
NO_ITEMS = "Add at least one client item or provider item before you submit the claim"
CLIENT_NOT_FOUND = (
    "Enter the SS Ref of a service user with an agreed care package at this service on the "
    "first day of the absence"
)
NEEDS_AGREEMENT = (
    "More than 7 days of absence needs the council's agreement first: ask the council, then "
    "claim the days it agreed"
)
NEEDS_WORKER = "Enter the name of the locality worker who authorised 4 to 7 days of absence"
# A day has 24 hours: more than that for each day of absence is a mistake.
HOURS_A_DAY = 24
# Most days of absence a claim may hold without the council's agreement first.
MOST_DAYS = 7
# Days of absence from which the authorising locality worker is named.
WORKER_FROM_DAYS = 4
# What the amount columns hold (10 digits, 2 after the point).
MOST_AMOUNT = Decimal("99999999.99")
CLAIM_MOVE_REFUSED = {
    ClaimEvent.SUBMIT: "This claim has been submitted already.",
    ClaimEvent.APPROVE: "Only a submitted claim can be approved.",
    ClaimEvent.REJECT: "Only a submitted claim can be rejected.",
    ClaimEvent.INVOICE: "Only an approved claim can be invoiced, once.",
    ClaimEvent.INVOICE_DELETED: "Only an invoiced claim's invoice can be deleted.",
}


def require_claimant(by: User, provider_id: int) -> None:
    """Refuse anyone but the provider's users whose role edits one-off claims."""
    if not (
        by.role in PROVIDER_ROLES
        and by.provider_id == provider_id
        and can_edit(by.role, Function.ONE_OFF_CLAIMS)
    ):
        raise PaymentsRefused(NOT_A_CLAIMANT)


def require_claims_officer(by: User, council_id: int) -> None:
    """Refuse anyone but the council's users whose role edits one-off claims (payments)."""
    if not (
        by.role in COUNCIL_ROLES
        and by.council_id == council_id
        and can_edit(by.role, Function.ONE_OFF_CLAIMS)
    ):
        raise PaymentsRefused("Only the council's payments team can do this.")


def _claim_period(by: User, service: Service, period: Period) -> Period:
    """The period whose end dates the claim: refused where the contract's payment rule allows
    no claims, an error where it is not one of the dates offered."""
    source = RuleSource.load([period.council_id])
    if not claim_allowed(source, period.council_id, service.provider_id, period.start_date):
        raise PaymentsRefused(NOT_CLAIMS_ALLOWED)
    offered = {p.pk for p in claim_dates_for(by, council_id=period.council_id).periods}
    if period.pk not in offered:
        raise ValidationError({"period": NOT_A_CLAIM_DATE})
    return period


def _snapshot(claim: OneOffClaim) -> dict[str, Any]:
    return {"claim_date": claim.claim_date.isoformat(), "notes": claim.notes}


def _record(event: str, by: User | None, claim: OneOffClaim, **extra: Any) -> None:
    """An audit event on the claim, in its council's and its provider's log."""
    record(
        action=f"claim.{event}",
        by=by,
        obj=claim,
        council=claim.council_id,
        provider=claim.provider_id,
        **extra,
    )


@transaction.atomic
@once_per_key(
    CLAIM_CREATE,
    find=lambda pk, call: OneOffClaim.objects.filter(
        pk=pk, provider_id=call["by"].provider_id
    ).first(),
)
def claim_create(
    *,
    by: User,
    service: Service,
    period: Period,
    notes: str = "",
    idempotency_key: str | None = None,
) -> OneOffClaim:
    """An Unsubmitted one-off claim of the service to the period's council, dated the period's
    end, with no items yet."""
    require_claimant(by, service.provider_id)
    _claim_period(by, service, period)
    moment = now()
    claim = OneOffClaim.objects.create(
        council_id=period.council_id,
        provider_id=service.provider_id,
        service=service,
        period=period,
        claim_date=period.end_date,
        notes=notes.strip(),
        created_at=moment,
        created_by=by,
        changed_at=moment,
        changed_by=by,
    )
    _record("created", by, claim, after=_snapshot(claim))
    return claim


def unsubmitted(claim: OneOffClaim) -> OneOffClaim:
    """The claim, its row locked for this change, while it is still Unsubmitted."""
    locked = OneOffClaim.objects.select_for_update().filter(pk=claim.pk).first()
    if locked is None or locked.status != ClaimStatus.UNSUBMITTED:
        raise PaymentsRefused(CLAIM_NOT_UNSUBMITTED)
    return locked


def _changed(claim: OneOffClaim, by: User) -> None:
    OneOffClaim.objects.filter(pk=claim.pk).update(changed_at=now(), changed_by=by)


@transaction.atomic
def claim_update(*, by: User, claim: OneOffClaim, period: Period, notes: str) -> OneOffClaim:
    """Change an Unsubmitted claim's Date of Claim (another period of the same council) and
    notes."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    if period.council_id != claim.council_id:
        raise ValidationError({"period": NOT_A_CLAIM_DATE})
    _claim_period(by, claim.service, period)
    before = _snapshot(claim)
    claim.period, claim.claim_date, claim.notes = period, period.end_date, notes.strip()
    claim.changed_at, claim.changed_by = now(), by
    claim.save()
    _record("updated", by, claim, before=before, after=_snapshot(claim))
    return claim


@transaction.atomic
def claim_delete(*, by: User, claim: OneOffClaim) -> None:
    """Delete an Unsubmitted claim with its items and files."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    files = [a.file.name for a in claim.attachments.all()]
    _record("deleted", by, claim, before={**_snapshot(claim), "total": str(claim_total(claim))})
    claim.delete()
    # The files go once the rows are gone for good: a rolled-back delete keeps them.
    transaction.on_commit(lambda: _delete_files(files), robust=True)


def _delete_files(names: list[str]) -> None:
    storage = ClaimAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _absence_errors(
    claim: OneOffClaim, start: date, end: date, authorised_by: str
) -> dict[str, str]:
    """What is wrong with the absence's days: their order, more than 7 of them (the council
    agrees those first), 4 to 7 without the authorising worker, or ending after the claim's date."""
    days = (end - start).days + 1
    if end < start:
        return {"absence_end": "The absence must end on or after the day it starts"}
    if days > MOST_DAYS:
        return {"absence_end": NEEDS_AGREEMENT}
    if end > claim.claim_date:
        return {"absence_end": "The absence must end by the Date of Claim"}
    if days >= WORKER_FROM_DAYS and not authorised_by:
        return {"authorised_by": NEEDS_WORKER}
    return {}


def _overlapping(claim: OneOffClaim, person_id: int, start: date, end: date) -> str | None:
    """Why the absence cannot be claimed: this client's days are claimed already, on this
    claim or another that is not rejected (a day is paid once)."""
    taken = (
        ClaimClientItem.objects.filter(
            service_user_id=person_id,
            claim__provider_id=claim.provider_id,
            absence_start__lte=end,
            absence_end__gte=start,
        )
        .exclude(claim__status=ClaimStatus.REJECTED)
        .select_related("claim")
        .first()
    )
    if taken is None:
        return None
    if taken.claim_id == claim.pk:
        return "This claim already holds an absence of this client on some of these days"
    return (
        f"Some of these days are claimed already on the one-off claim dated "
        f"{taken.claim.claim_date:%d/%m/%Y}"
    )


def _client_item(claim: OneOffClaim, fields: dict[str, Any]) -> ClaimClientItem:
    """The client item these fields make, or ValidationError naming each wrong field."""
    start, end = fields["absence_start"], fields["absence_end"]
    hours: Decimal = fields["hours"]
    authorised_by = fields["authorised_by"].strip()
    errors = _absence_errors(claim, start, end, authorised_by)
    days = (end - start).days + 1
    if fields["stay"] not in AbsenceStay.values:
        errors["stay"] = "Choose the stay before the absence: hospital or emergency respite"
    if hours <= 0 or hours != hours.quantize(Decimal("0.01")):
        errors["hours"] = "Hours claimed must be more than 0, to 2 decimal places"
    elif not errors and hours > HOURS_A_DAY * days:
        errors["hours"] = (
            f"Hours claimed must be {HOURS_A_DAY * days} or fewer for "
            f"{days} day{'s' if days > 1 else ''} of absence"
        )
    cpli = claim_cpli(claim, fields["ss_ref"].strip(), start)
    if cpli is None:
        errors["ss_ref"] = CLIENT_NOT_FOUND
    elif not errors:
        overlap = _overlapping(claim, cpli.service_user_id, start, end)
        if overlap:
            errors["absence_start"] = overlap
    if errors:
        raise ValidationError(errors)
    assert cpli is not None
    amount = round_money(hours * cpli.rate)
    if amount > MOST_AMOUNT:
        raise ValidationError({"hours": "The amount of these hours is too large to claim"})
    return ClaimClientItem(
        claim=claim,
        service_user_id=cpli.service_user_id,
        cpli=cpli,
        absence_start=start,
        absence_end=end,
        stay=fields["stay"],
        hours=hours,
        rate=cpli.rate,
        amount=amount,
        authorised_by=authorised_by,
    )


@transaction.atomic
@once_per_key(
    CLIENT_ITEM_ADD,
    find=lambda pk, call: ClaimClientItem.objects.filter(pk=pk, claim=call["claim"]).first(),
)
def claim_client_item_add(
    *,
    by: User,
    claim: OneOffClaim,
    ss_ref: str,
    absence_start: date,
    absence_end: date,
    stay: str,
    hours: Decimal,
    authorised_by: str = "",
    idempotency_key: str | None = None,
) -> ClaimClientItem:
    """Add a client's unplanned absence to an Unsubmitted claim: hours at the rate of the
    client's CPLI, the amount rounded once to the penny. 4 to 7 days (counting both ends)
    name the authorising locality worker; more than 7 need the council's agreement first."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    item = _client_item(
        claim,
        {
            "ss_ref": ss_ref,
            "absence_start": absence_start,
            "absence_end": absence_end,
            "stay": stay,
            "hours": hours,
            "authorised_by": authorised_by,
        },
    )
    item.save()
    _changed(claim, by)
    _record(
        "client_item_added",
        by,
        claim,
        detail={
            "item": item.pk,
            "days": (absence_end - absence_start).days + 1,
            "hours": str(item.hours),
            "amount": str(item.amount),
            "total": str(claim_total(claim)),
        },
    )
    return item


@transaction.atomic
@once_per_key(
    PROVIDER_ITEM_ADD,
    find=lambda pk, call: ClaimProviderItem.objects.filter(pk=pk, claim=call["claim"]).first(),
)
def claim_provider_item_add(
    *,
    by: User,
    claim: OneOffClaim,
    description: str,
    amount: Decimal,
    idempotency_key: str | None = None,
) -> ClaimProviderItem:
    """Add a cost of the provider's own to an Unsubmitted claim, to the penny."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    description = description.strip()
    errors = {}
    if not description:
        errors["description"] = "Enter a description of the cost"
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = "Amount must be more than £0, in pounds and pence"
    elif amount > MOST_AMOUNT:
        errors["amount"] = f"Amount must be £{MOST_AMOUNT:,} or less"
    if errors:
        raise ValidationError(errors)
    item = ClaimProviderItem.objects.create(claim=claim, description=description, amount=amount)
    _changed(claim, by)
    _record(
        "provider_item_added",
        by,
        claim,
        detail={"item": item.pk, "amount": str(amount), "total": str(claim_total(claim))},
    )
    return item


@transaction.atomic
@once_per_key(
    ATTACHMENT_ADD,
    find=lambda pk, call: ClaimAttachment.objects.filter(pk=pk, claim=call["claim"]).first(),
)
def claim_attachment_add(
    *,
    by: User,
    claim: OneOffClaim,
    upload: UploadedFile,
    idempotency_key: str | None = None,
) -> ClaimAttachment:
    """Attach a file to an Unsubmitted claim (the details of several clients, say), checked as
    an action's files are: a type we accept, recognised by its content, within the size limit."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    try:
        checked = uploads.check(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages[0]}) from None
    attachment = ClaimAttachment(
        claim=claim,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_at=now(),
        uploaded_by=by,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    _changed(claim, by)
    _record(
        "attachment_added", by, claim, detail={"attachment": attachment.pk, "size": checked.size}
    )
    return attachment


# What a claim holds that the provider may remove while it is Unsubmitted.
REMOVABLE: dict[str, type[ClaimClientItem] | type[ClaimProviderItem] | type[ClaimAttachment]] = {
    "client": ClaimClientItem,
    "provider": ClaimProviderItem,
    "file": ClaimAttachment,
}


@transaction.atomic
def claim_part_remove(*, by: User, claim: OneOffClaim, kind: str, pk: int) -> None:
    """Remove a client item, provider item or file (`kind`) from an Unsubmitted claim; one that
    is not the claim's is refused as not there."""
    require_claimant(by, claim.provider_id)
    claim = unsubmitted(claim)
    model = REMOVABLE.get(kind)
    part = model.objects.filter(pk=pk, claim=claim).first() if model is not None else None
    if part is None:
        raise PaymentsRefused("That is not on this claim any more.")
    files = [part.file.name] if isinstance(part, ClaimAttachment) else []
    part.delete()
    if files:
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    _changed(claim, by)
    _record("part_removed", by, claim, detail={"kind": kind, "part": pk})


@transaction.atomic
def claim_submit(*, by: User, claim: OneOffClaim) -> OneOffClaim:
    """Submit an Unsubmitted claim with at least one item to the council's payments team."""
    require_claimant(by, claim.provider_id)
    locked = OneOffClaim.objects.select_for_update().filter(pk=claim.pk).first()
    if locked is None or not CLAIM_TRANSITIONS.allows(locked.status, ClaimEvent.SUBMIT):
        raise PaymentsRefused(CLAIM_MOVE_REFUSED[ClaimEvent.SUBMIT])
    if not (locked.client_items.exists() or locked.provider_items.exists()):
        raise PaymentsRefused(NO_ITEMS)
    return claim_move(by, locked, ClaimEvent.SUBMIT, total=claim_total(locked))


def claim_move(
    by: User, claim: OneOffClaim, event: ClaimEvent, *, total: Decimal | None = None, **changes: Any
) -> OneOffClaim:
    """One status change by the table's compare-and-set, with its audit event."""
    if not CLAIM_TRANSITIONS.move(
        OneOffClaim, claim.pk, event, changed_at=now(), changed_by=by, **changes
    ):
        raise PaymentsRefused(CLAIM_MOVE_REFUSED[event])
    before = claim.status
    claim.refresh_from_db()
    detail = {"total": str(total)} if total is not None else None
    after = {"status": claim.status}
    if "rejected_reason" in changes:
        after["rejected_reason"] = changes["rejected_reason"]
    _record(str(event), by, claim, before={"status": before}, after=after, detail=detail)
    return claim


def claim_invoice_deleted(*, by: User, claim_id: int) -> None:
    """The provider deleted the claim's Unsubmitted invoice (invoice_delete, in its transaction):
    the claim is Approved again, to invoice anew."""
    claim = OneOffClaim.objects.get(pk=claim_id)
    claim_move(by, claim, ClaimEvent.INVOICE_DELETED)


def claim_viewed(*, by: User, claim: OneOffClaim, ip: str | None = None) -> None:
    """A claim's client items name the provider's clients: every view is audited."""
    _record("viewed", by, claim, ip_address=ip)


def claim_attachment_downloaded(
    *, by: User, attachment: ClaimAttachment, ip: str | None = None
) -> None:
    """Every download of a claim's file is audited, in the claim's council's and provider's log."""
    _record(
        "attachment_downloaded",
        by,
        attachment.claim,
        detail={"attachment": attachment.pk},
        ip_address=ip,
    )
