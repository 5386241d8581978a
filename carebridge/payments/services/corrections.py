"""An invoiced week amended: its invoice follows it. While the invoice is still the provider's
to correct (Unsubmitted, or Returned with no correction of that week yet) its line is changed in
place; once the council has it, the difference becomes a credit note (a fall) or a supplementary
invoice (a rise), referenced to the original and submitted, never a change to the original
(docs/decisions/0009-invoices.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Count

from carebridge.actuals.models import Actual
from carebridge.actuals.periods import RuleSource
from carebridge.actuals.rules import payable_quantity, shown
from carebridge.audit.services import record
from carebridge.core.calendar import now, today
from carebridge.core.formats import guide_date, money
from carebridge.payments.choices import TRANSITIONS, InvoiceEvent, InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine
from carebridge.payments.selectors.corrections import Invoiced, invoiced_net
from carebridge.payments.selectors.invoices import invoice_totals
from carebridge.payments.services.invoices import PaymentsRefused

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = ["CORRECTION_SUFFIX", "REFERENCES_USED", "invoices_follow_actuals"]

# Still the provider's to correct: the council has not got it (Unsubmitted) or gave it back.
_IN_PLACE = {InvoiceStatus.UNSUBMITTED, InvoiceStatus.RETURNED}
CORRECTION_SUFFIX = {InvoiceKind.CREDIT_NOTE: "CN", InvoiceKind.SUPPLEMENTARY: "SUP"}
_REFERENCE_LENGTH = Invoice._meta.get_field("reference").max_length or 50
# How many numbers to try past the original's corrections of a kind: the provider's own
# references could take a few of them, never this many.
_TRIES = 50
REFERENCES_USED = (
    "The references for this invoice's credit note or supplementary invoice are all in use: "
    "ask support"
)
_CHUNK = 900


@dataclass(frozen=True)
class _Week:
    """An amended CPLI week on an invoice: its invoice line, the actual as now saved and its
    quantity now (Actual + payable Frstd)."""

    line: InvoiceLine
    actual: Actual
    quantity: Decimal


def _original_lines(provider_id: int, actual_ids: list[int]) -> dict[int, InvoiceLine]:
    """Each of these actuals' line of kind invoice (one at most, by the database), read with the
    actual as just saved."""
    lines: dict[int, InvoiceLine] = {}
    for start in range(0, len(actual_ids), _CHUNK):
        for line in InvoiceLine.objects.filter(
            actual_id__in=actual_ids[start : start + _CHUNK],
            kind=InvoiceKind.INVOICE,
            invoice__provider_id=provider_id,
        ).select_related("actual__cpli"):
            assert line.actual_id is not None
            lines[line.actual_id] = line
    return lines


def _corrected_weeks(actual_ids: list[int]) -> set[int]:
    """The actuals already on a credit note or supplementary invoice."""
    found: set[int] = set()
    for start in range(0, len(actual_ids), _CHUNK):
        found.update(
            InvoiceLine.objects.filter(actual_id__in=actual_ids[start : start + _CHUNK])
            .exclude(kind=InvoiceKind.INVOICE)
            .values_list("actual_id", flat=True)
        )
    return found


def _weeks(lines: dict[int, InvoiceLine]) -> list[_Week]:
    source = RuleSource.load({line.actual.council_id for line in lines.values() if line.actual})
    weeks = []
    for line in lines.values():
        actual = line.actual
        assert actual is not None
        rules = source.rules(actual.cpli, actual.week_start)
        quantity = payable_quantity(actual.entry(), rules, actual.planned)
        weeks.append(_Week(line=line, actual=actual, quantity=quantity))
    return weeks


def _follow_in_place(by: User, invoice: Invoice, weeks: list[_Week]) -> None:
    """Change the lines of an invoice still the provider's to what the weeks are now, audited."""
    changes = []
    for week in weeks:
        line = week.line
        changes.append(
            {"actual": week.actual.pk, "before": str(line.amount), "after": str(week.actual.cost)}
        )
        line.quantity = week.quantity
        line.amount = week.actual.cost
        line.over_exception = week.actual.over_threshold
    InvoiceLine.objects.bulk_update(
        [week.line for week in weeks], ["quantity", "amount", "over_exception"]
    )
    invoice.changed_at, invoice.changed_by = now(), by
    invoice.save(update_fields=["changed_at", "changed_by"])
    excl, vat, total = invoice_totals(invoice)
    record(
        action="invoice.lines_amended",
        by=by,
        obj=invoice,
        council=invoice.council_id,
        provider=invoice.provider_id,
        detail={"lines": changes, "excl_vat": str(excl), "vat": str(vat), "total": str(total)},
    )


def _correction_line(kind: str, week: _Week, invoiced: Invoiced) -> InvoiceLine:
    actual = week.actual
    unit = actual.cpli.get_unit_display().lower()
    return InvoiceLine(
        kind=kind,
        cpli_id=actual.cpli_id,
        actual_id=actual.pk,
        description=(
            f"Week beginning {guide_date(actual.week_start)} amended: {shown(invoiced.quantity)} "
            f"{unit} invoiced, now {shown(week.quantity)} ({money(invoiced.amount)} to "
            f"{money(actual.cost)})"
        )[:200],
        # Positive, as every line is: the kind says whether it credits or adds.
        quantity=abs(week.quantity - invoiced.quantity),
        rate=actual.cpli.rate,
        amount=abs(actual.cost - invoiced.amount),
        # VAT as the week was invoiced.
        vat_rate=week.line.vat_rate,
        # A rise past the exception is shown to the payments team, who decide on it.
        over_exception=kind == InvoiceKind.SUPPLEMENTARY and actual.over_threshold,
    )


def _suffixed(reference: str, suffix: str) -> str:
    return reference[: _REFERENCE_LENGTH - len(suffix)] + suffix


def _candidates(original: Invoice, kind: str, made: int) -> list[str]:
    """The references the original's next correction of this kind may take, in order: its own
    with -CN or -SUP and the next number, cut to fit; those the provider has used are left out."""
    label = CORRECTION_SUFFIX[InvoiceKind(kind)]
    wanted = [
        _suffixed(original.reference, f"-{label}{n}") for n in range(made + 1, made + 1 + _TRIES)
    ]
    used = set(
        Invoice.objects.filter(provider_id=original.provider_id, reference__in=wanted).values_list(
            "reference", flat=True
        )
    )
    return [reference for reference in wanted if reference not in used]


def _insert(document: Invoice, lines: list[InvoiceLine], candidates: list[str]) -> None:
    """Write the document under the first free reference; one the provider took a moment ago
    (the database's constraint decides) passes to the next."""
    for reference in candidates:
        document.reference = reference
        try:
            with transaction.atomic():
                document.save()
                for line in lines:
                    line.invoice = document
                InvoiceLine.objects.bulk_create(lines)
        except IntegrityError:
            document.pk = None
            continue
        return
    raise PaymentsRefused(REFERENCES_USED)


def _raise_correction(
    by: User, original: Invoice, kind: str, lines: list[InvoiceLine], made: int
) -> Invoice:
    """A credit note or supplementary invoice of the original for these lines, submitted: the
    provider's amendment is its claim, which the payments team decides on as on any invoice."""
    moment = now()
    document = Invoice(
        council_id=original.council_id,
        provider_id=original.provider_id,
        service_id=original.service_id,
        period_id=original.period_id,
        kind=kind,
        corrects=original,
        invoice_date=today(),
        created_at=moment,
        created_by=by,
        changed_at=moment,
        changed_by=by,
    )
    _insert(document, lines, _candidates(original, kind, made))
    excl, vat, total = invoice_totals(document)
    record(
        action="invoice.corrected",
        by=by,
        obj=document,
        council=document.council_id,
        provider=document.provider_id,
        after={"reference": document.reference, "kind": kind},
        detail={
            "corrects": original.reference,
            "lines": len(lines),
            "excl_vat": str(excl),
            "vat": str(vat),
            "total": str(total),
        },
    )
    # Submitted by the table's own step, so the payments team's queue dates it like any other.
    if not TRANSITIONS.move(
        Invoice,
        document.pk,
        InvoiceEvent.SUBMIT,
        changed_at=now(),
        changed_by=by,
        submitted_at=now(),
    ):
        raise PaymentsRefused("This credit note or supplementary invoice could not be submitted.")
    document.refresh_from_db()
    record(
        action=f"invoice.{InvoiceEvent.SUBMIT}",
        by=by,
        obj=document,
        council=document.council_id,
        provider=document.provider_id,
        before={"status": InvoiceStatus.UNSUBMITTED},
        after={"status": document.status},
    )
    return document


def _made_so_far(originals: Iterable[int]) -> dict[tuple[int, str], int]:
    """How many corrections of each kind each original has."""
    counts = (
        Invoice.objects.filter(corrects_id__in=list(originals))
        .order_by()
        .values("corrects_id", "kind")
        .annotate(n=Count("pk"))
    )
    return {(row["corrects_id"], row["kind"]): row["n"] for row in counts}


@transaction.atomic
def invoices_follow_actuals(
    *, by: User, actual_ids: Iterable[int], provider_id: int | None = None
) -> list[Invoice]:
    """The provider's invoices follow its amended weeks (the actuals saved by `by`): each
    invoiced week's line changes in place while its invoice is still the provider's to correct;
    otherwise the difference between its cost now and what is invoiced net for it becomes a
    credit note or supplementary invoice line, one document per original invoice and kind.
    Returns the documents raised. Called inside the actuals' save, so all or nothing. The
    provider is `by`'s own, or `provider_id` when a council's act (a termination re-planning its
    weeks) amended them."""
    provider_id = provider_id or by.provider_id
    if provider_id is None:
        return []
    ids = sorted(set(actual_ids))
    lines = _original_lines(provider_id, ids)
    if not lines:
        return []
    # Locked until the save ends: a status change (a Submit, a Return) waits for us, and two
    # saves raising corrections of one invoice number them one after the other.
    invoices = Invoice.objects.select_for_update().in_bulk(
        {line.invoice_id for line in lines.values()}
    )
    invoiced = list(lines)
    corrected = _corrected_weeks(invoiced)
    net = invoiced_net(by, invoiced)
    in_place: dict[int, list[_Week]] = defaultdict(list)
    raised: dict[tuple[int, str], list[InvoiceLine]] = defaultdict(list)
    for week in _weeks(lines):
        invoice = invoices[week.line.invoice_id]
        if invoice.status in _IN_PLACE and week.actual.pk not in corrected:
            in_place[invoice.pk].append(week)
            continue
        was = net[week.actual.pk]
        if week.actual.cost == was.amount:
            continue
        kind = (
            InvoiceKind.SUPPLEMENTARY if week.actual.cost > was.amount else InvoiceKind.CREDIT_NOTE
        )
        raised[(invoice.pk, kind)].append(_correction_line(kind, week, was))
    for pk, weeks in sorted(in_place.items()):
        _follow_in_place(by, invoices[pk], weeks)
    made = _made_so_far({pk for pk, _kind in raised})
    return [
        _raise_correction(by, invoices[pk], kind, raised[(pk, kind)], made.get((pk, kind), 0))
        for pk, kind in sorted(raised)
    ]
