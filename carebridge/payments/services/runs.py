"""Every write of payment runs (docs/decisions/0011-payment-runs.md): prepare (and prepare
again), approve by a second officer, finalise (its lines paid, its invoices and claims Paid, its
period payment-processed) and discard. Keyword-only, `by=` the acting payments officer, each one
transaction with one audit event `payment_run.<event>`; a refusal writes nothing. Each status
change is RUN_TRANSITIONS' compare-and-set; the database's constraints decide races."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from carebridge.actuals.models import Period
from carebridge.actuals.services import period_mark_paid
from carebridge.audit.services import record
from carebridge.core.calendar import is_working_day, now, today
from carebridge.core.formats import round_money
from carebridge.payments.choices import (
    CLAIM_TRANSITIONS,
    RUN_TRANSITIONS,
    TRANSITIONS,
    ClaimEvent,
    InvoiceEvent,
    LineSource,
    RunEvent,
    RunStatus,
)
from carebridge.payments.models import Invoice, InvoiceLine, OneOffClaim, PaymentLine, PaymentRun
from carebridge.payments.selectors.run_sources import ZERO, due
from carebridge.payments.services.invoices import PaymentsRefused, _require_payments_officer

if TYPE_CHECKING:
    from carebridge.accounts.models import User

LATEST_PAYMENT_DAYS = 60
NOT_ENDED = "A period's run can be prepared once the period has ended"
PAYMENT_DATE_WORKING = "The payment date must be a working day"
PAYMENT_DATE_RANGE = f"The payment date must be from today to {LATEST_PAYMENT_DAYS} days from now"
SAME_OFFICER = "The officer who prepared a run cannot approve it"
RUN_CHANGED_SINCE_SEEN = "This run changed while you were deciding: look at it again."
RUN_MOVE_REFUSED = {
    RunEvent.APPROVE: "Only a prepared run can be approved.",
    RunEvent.FINALISE: "Only an approved run can be finalised.",
    RunEvent.DISCARD: "Only a prepared or approved run can be discarded.",
}
ALREADY: dict[str, str] = {
    RunStatus.APPROVED: "This period's run has been approved: discard it to prepare it again.",
    RunStatus.FINALISED: "This period's run has been finalised: it cannot be prepared again.",
}
LINES_TAKEN = "Some of these lines were taken by another run a moment ago: prepare the run again."
SHOWN_CHANGES = 10

# Lines whose amount follows from the others (a provider's negative balance), not a source.
_DERIVED = {LineSource.CARRIED_FORWARD}


def _check_payment_date(payment_date: date) -> None:
    if not today() <= payment_date <= today() + timedelta(days=LATEST_PAYMENT_DAYS):
        raise ValidationError({"payment_date": PAYMENT_DATE_RANGE})
    if not is_working_day(payment_date):
        raise ValidationError({"payment_date": PAYMENT_DATE_WORKING})


def _reference(period: Period) -> str:
    """PR + the period's start, with -2, -3... after a discarded run of the period."""
    base = f"PR{period.start_date:%Y%m%d}"
    earlier = PaymentRun.objects.filter(council_id=period.council_id, period=period).count()
    return base if earlier == 0 else f"{base}-{earlier + 1}"


def _totals(lines: Iterable[PaymentLine]) -> dict[str, Any]:
    """A run's counts and totals for its audit event (never a client's name)."""
    excl = vat = ZERO
    providers = set()
    count = 0
    for line in lines:
        count += 1
        excl += line.excl_vat
        vat += line.vat
        providers.add(line.provider_id)
    return {
        "lines": count,
        "providers": len(providers),
        "excl_vat": str(excl),
        "vat": str(vat),
        "total": str(excl + vat),
    }


def _stored_totals(run: PaymentRun) -> dict[str, Any]:
    """`_totals` of the run's stored lines, added up by the database (a county's run has tens
    of thousands: never loaded for an audit event)."""
    found = run.lines.order_by().aggregate(
        count=Count("pk"),
        providers=Count("provider_id", distinct=True),
        excl=Sum("excl_vat"),
        vat=Sum("vat"),
    )
    excl, vat = round_money(found["excl"] or ZERO), round_money(found["vat"] or ZERO)
    return {
        "lines": found["count"],
        "providers": found["providers"],
        "excl_vat": str(excl),
        "vat": str(vat),
        "total": str(excl + vat),
    }


def _write_lines(run: PaymentRun) -> dict[str, Any]:
    """The run's lines, rebuilt from what is due now; refused if another run took one."""
    run.lines.all().delete()
    found = due(run.period)
    for line in found.lines:
        line.run_id = run.pk
    try:
        with transaction.atomic():
            PaymentLine.objects.bulk_create(found.lines, batch_size=2000)
    except IntegrityError:
        raise PaymentsRefused(LINES_TAKEN) from None
    return {**_totals(found.lines), "left_out": len(found.left_out)}


def _open_elsewhere(period: Period) -> PaymentRun | None:
    return (
        PaymentRun.objects.filter(
            council_id=period.council_id,
            status__in=[RunStatus.PREPARED, RunStatus.APPROVED],
        )
        .exclude(period=period)
        .first()
    )


def _refuse_open_elsewhere(period: Period) -> None:
    other = _open_elsewhere(period)
    if other is not None:
        raise PaymentsRefused(
            f"Run {other.reference} is still {other.get_status_display().lower()}: finalise or "
            "discard it before preparing another"
        )


def _live(period: Period, *, lock: bool = False) -> PaymentRun | None:
    runs = PaymentRun.objects.filter(council_id=period.council_id, period=period).exclude(
        status=RunStatus.DISCARDED
    )
    if lock:
        runs = runs.select_for_update()
    return runs.first()


def _create(by: User, period: Period, payment_date: date) -> PaymentRun | None:
    """A new Prepared run, or None if another officer's run for the period won a moment ago
    (the database's one-run-per-period and one-open-per-council constraints decide)."""
    moment = now()
    run = PaymentRun(
        council_id=period.council_id,
        period=period,
        reference=_reference(period),
        payment_date=payment_date,
        prepared_at=moment,
        prepared_by=by,
        changed_at=moment,
    )
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        _refuse_open_elsewhere(period)
        return None
    return run


@transaction.atomic
def run_prepare(*, by: User, period: Period, payment_date: date) -> PaymentRun:
    """Prepare the council's run for an ended period: its lines are what is due now. A
    Prepared run for the period is prepared again (its lines rebuilt, its payment date the one
    given); an approved or finalised one is refused, as is a second open run."""
    _require_payments_officer(by, period.council_id)
    if period.end_date >= today():
        raise PaymentsRefused(NOT_ENDED)
    _check_payment_date(payment_date)
    run = _live(period, lock=True)
    again = run is not None
    if run is None:
        _refuse_open_elsewhere(period)
        run = _create(by, period, payment_date)
        if run is None:
            # Another officer's run for this period was written first: it is the run.
            winner = _live(period)
            if winner is None:
                raise PaymentsRefused(LINES_TAKEN)
            return winner
    elif run.status != RunStatus.PREPARED:
        raise PaymentsRefused(ALREADY[run.status])
    else:
        moment = now()
        run.payment_date, run.prepared_at, run.prepared_by = payment_date, moment, by
        run.changed_at = moment
        run.save(update_fields=["payment_date", "prepared_at", "prepared_by", "changed_at"])
    detail = _write_lines(run)
    record(
        action="payment_run.prepare",
        by=by,
        obj=run,
        council=run.council_id,
        after={
            "reference": run.reference,
            "payment_date": payment_date.isoformat(),
            "status": run.status,
        },
        detail={**detail, "again": again},
    )
    return run


def _status_now(run: PaymentRun) -> str:
    return PaymentRun.objects.filter(pk=run.pk).values_list("status", flat=True).first() or ""


def _move(
    by: User,
    run: PaymentRun,
    event: RunEvent,
    *,
    as_seen: bool = False,
    guard: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    **changes: Any,
) -> PaymentRun:
    """One status change by the table's compare-and-set, with its audit event. `as_seen`: only
    if the run has not changed since the caller read it (its status and `changed_at`)."""
    guard = dict(guard or {})
    if as_seen:
        guard.update(status=run.status, changed_at=run.changed_at)
    before = run.status
    try:
        with transaction.atomic():
            moved = RUN_TRANSITIONS.move(
                PaymentRun, run.pk, event, guard=guard, changed_at=now(), **changes
            )
    except IntegrityError:
        # The database's second-officer check: the approver prepared it again meanwhile.
        raise PaymentsRefused(SAME_OFFICER) from None
    if not moved:
        if guard and RUN_TRANSITIONS.allows(_status_now(run), event):
            raise PaymentsRefused(RUN_CHANGED_SINCE_SEEN)
        raise PaymentsRefused(RUN_MOVE_REFUSED[event])
    run.refresh_from_db()
    _record(by, run, event, before=before, detail=detail)
    return run


def _record(
    by: User, run: PaymentRun, event: str, *, before: str, detail: dict[str, Any] | None = None
) -> None:
    record(
        action=f"payment_run.{event}",
        by=by,
        obj=run,
        council=run.council_id,
        before={"status": before},
        after={"status": run.status},
        detail={**_stored_totals(run), **(detail or {})},
    )


@transaction.atomic
def run_approve(*, by: User, run: PaymentRun, as_seen: bool = False) -> PaymentRun:
    """A second payments officer approves a Prepared run (never the one who prepared it)."""
    _require_payments_officer(by, run.council_id)
    if by.pk == run.prepared_by_id:
        raise PaymentsRefused(SAME_OFFICER)
    # Guarded on its preparer too: preparing it again meanwhile makes its new preparer's.
    return _move(
        by,
        run,
        RunEvent.APPROVE,
        as_seen=as_seen,
        guard={"prepared_by": run.prepared_by_id},
        approved_at=now(),
        approved_by=by,
    )


@transaction.atomic
def run_discard(*, by: User, run: PaymentRun, as_seen: bool = False) -> PaymentRun:
    """Discard a Prepared or Approved run: its lines are deleted, free for the next run."""
    _require_payments_officer(by, run.council_id)
    run = _move(by, run, RunEvent.DISCARD, as_seen=as_seen, discarded_at=now(), discarded_by=by)
    run.lines.all().delete()
    return run


def _key(line: PaymentLine) -> tuple[Any, ...]:
    """What a line pays: its source and the source's row (a CPLI's block by its first day)."""
    return (
        line.source,
        line.invoice_line_id,
        line.actual_id if line.source == LineSource.ACTUAL else None,
        line.claim_id,
        line.exception_id,
        line.brought_forward_from_id,
        line.cpli_id if line.source == LineSource.SCHEDULE else None,
        line.covers_from if line.source == LineSource.SCHEDULE else None,
    )


def _changed(run: PaymentRun) -> list[PaymentLine]:
    """The run's lines that no longer match their source as it now is (amended, disputed, held,
    no longer confirmed...): what is due with the run's own lines set aside, compared."""
    held = list(run.lines.select_related("provider"))
    sid = transaction.savepoint()
    try:
        run.lines.all().delete()
        now_due = {_key(line): (line.excl_vat, line.vat) for line in due(run.period).lines}
    finally:
        transaction.savepoint_rollback(sid)
    return [
        line
        for line in held
        if line.source not in _DERIVED and now_due.get(_key(line)) != (line.excl_vat, line.vat)
    ]


def _refuse_changed(changed: list[PaymentLine]) -> None:
    shown = "; ".join(
        f"{line.provider.name}: {line.description}" for line in changed[:SHOWN_CHANGES]
    )
    more = len(changed) - SHOWN_CHANGES
    raise PaymentsRefused(
        f"{len(changed)} {'line has' if len(changed) == 1 else 'lines have'} changed since "
        f"the run was prepared ({shown}{f' and {more} more' if more > 0 else ''}): discard the "
        "run and prepare it again"
    )


def _pay_invoices(by: User, run: PaymentRun) -> int:
    """Each invoice of the run whose every line is now paid becomes Paid on the payment date."""
    invoice_ids = set(
        run.lines.filter(source=LineSource.INVOICE_LINE).values_list("invoice_id", flat=True)
    )
    if not invoice_ids:
        return 0
    unpaid = set(
        InvoiceLine.objects.filter(invoice_id__in=invoice_ids)
        .exclude(
            pk__in=PaymentLine.objects.filter(
                source=LineSource.INVOICE_LINE,
                invoice_id__in=invoice_ids,
                run__status=RunStatus.FINALISED,
            ).values("invoice_line_id")
        )
        .values_list("invoice_id", flat=True)
    )
    paid = sorted(invoice_ids - unpaid)
    invoices = Invoice.objects.filter(
        pk__in=paid, status__in=TRANSITIONS.sources(InvoiceEvent.PAY)
    ).select_for_update()
    moment = now()
    count = 0
    for invoice in invoices:
        if TRANSITIONS.move(
            Invoice,
            invoice.pk,
            InvoiceEvent.PAY,
            paid_on=run.payment_date,
            changed_at=moment,
            changed_by=by,
        ):
            count += 1
            record(
                action=f"invoice.{InvoiceEvent.PAY}",
                by=by,
                obj=invoice,
                council=invoice.council_id,
                provider=invoice.provider_id,
                before={"status": invoice.status},
                after={"status": TRANSITIONS.target(InvoiceEvent.PAY), "run": run.reference},
            )
    return count


def _pay_claims(by: User, run: PaymentRun) -> int:
    """Claims paid directly by the run, and those whose invoice it has paid, become Paid."""
    direct = run.lines.filter(source=LineSource.CLAIM).values("claim_id")
    invoiced = Invoice.objects.filter(
        pk__in=run.lines.values("invoice_id"), claim__isnull=False, paid_on__isnull=False
    ).values("claim_id")
    claims = OneOffClaim.objects.filter(pk__in=direct) | OneOffClaim.objects.filter(pk__in=invoiced)
    return claims.filter(status__in=CLAIM_TRANSITIONS.sources(ClaimEvent.PAY)).update(
        status=CLAIM_TRANSITIONS.target(ClaimEvent.PAY), changed_at=now(), changed_by=by
    )


@transaction.atomic
def run_finalise(*, by: User, run: PaymentRun, as_seen: bool = False) -> PaymentRun:
    """Finalise an Approved run: refused, naming them, if any line no longer matches its
    source; otherwise its lines are paid, its invoices and claims Paid, and its period
    payment-processed (by actuals' own service)."""
    _require_payments_officer(by, run.council_id)
    locked = PaymentRun.objects.select_for_update().filter(pk=run.pk).first()
    if locked is None or not RUN_TRANSITIONS.allows(locked.status, RunEvent.FINALISE):
        raise PaymentsRefused(RUN_MOVE_REFUSED[RunEvent.FINALISE])
    if as_seen and (locked.status, locked.changed_at) != (run.status, run.changed_at):
        raise PaymentsRefused(RUN_CHANGED_SINCE_SEEN)
    changed = _changed(locked)
    if changed:
        _refuse_changed(changed)
    if not RUN_TRANSITIONS.move(
        PaymentRun,
        locked.pk,
        RunEvent.FINALISE,
        changed_at=now(),
        finalised_at=now(),
        finalised_by=by,
    ):
        raise PaymentsRefused(RUN_MOVE_REFUSED[RunEvent.FINALISE])
    locked.refresh_from_db()
    invoices = _pay_invoices(by, locked)
    claims = _pay_claims(by, locked)
    period_mark_paid(by, locked.period)
    _record(
        by,
        locked,
        RunEvent.FINALISE,
        before=RunStatus.APPROVED,
        detail={"invoices_paid": invoices, "claims_paid": claims},
    )
    return locked
