"""What a council's payment run for one billing period pays, and what it leaves out and why
(docs/decisions/0011-payment-runs.md): authorised invoices' lines, confirmed self-billed actuals,
scheduled blocks of CPLIs, approved one-off claims paid directly, payment exceptions and balances
brought forward, each not yet on a line. Read in a fixed number of queries whatever the council's
size (values, computed here), so a county's run is a few reads and one insert."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, Sum

from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import RuleSource
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.models import Cpli
from carebridge.disputes.selectors import open_disputed_actual_ids, open_disputes_of
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import Contract, Provider
from carebridge.payments.choices import (
    ClaimStatus,
    InvoiceKind,
    InvoiceStatus,
    LineSource,
    RunStatus,
)
from carebridge.payments.models import (
    ClaimClientItem,
    ClaimProviderItem,
    InvoiceLine,
    OneOffClaim,
    PaymentException,
    PaymentLine,
)
from carebridge.payments.selectors.invoices import payment_method_on
from carebridge.payments.selectors.schedule import (
    DAY,
    ZERO,
    arrears_days,
    block_of,
    line_vat,
    schedule_blocks,
    scheduled_amount,
)

# The order a provider's lines are listed in, within a client and a start date.
_SOURCE_ORDER = {source: n for n, source in enumerate(LineSource.values)}


@dataclass(frozen=True)
class LeftOut:
    """Something the run does not pay, and why: rows in an open dispute, a held invoice, an
    invoice not yet authorised, a period not confirmed (or changed since)."""

    kind: str  # "disputed", "held_invoice", "unauthorised_invoice", "not_confirmed"
    provider_id: int
    provider_name: str
    description: str
    total: Decimal
    dispute_id: int | None = None
    invoice_id: int | None = None
    period_id: int | None = None


@dataclass
class Due:
    """A run's lines (unsaved, no run yet, in a stable order) and what it leaves out."""

    lines: list[PaymentLine] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass(frozen=True)
class _Cpli:
    pk: int
    provider_id: int
    service_id: int
    service_user_id: int
    quantity: Decimal
    rate: Decimal
    start_date: date
    end_date: date | None
    vat_rate: Decimal


def _contract_on(source: RuleSource, council_id: int, provider_id: int, day: date) -> int | None:
    """The contract in force for the council and provider on the day (the latest started)."""
    contracts: list[Contract] = source.contracts.get((council_id, provider_id), [])
    for contract in contracts:
        if contract.start_date <= day and (contract.end_date is None or contract.end_date >= day):
            return contract.pk
    return None


# A line's columns (attnames: `provider_id`…) in the model's order, and the field names that
# `add` is given (`service_id=`, or `invoice_line_id=`) mapped to them.
_COLUMN_ORDER = [f.attname for f in PaymentLine._meta.concrete_fields]
_COLUMNS = frozenset(_COLUMN_ORDER)
_ATTNAME = {f.name: f.attname for f in PaymentLine._meta.concrete_fields}


class _Builder:
    """Collects a run's lines and left-outs from rules and disputes loaded once."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.council_id = period.council_id
        self.source = RuleSource.load([period.council_id])
        self.rulebook = self.source.rulebooks[period.council_id]
        self.disputed = open_disputed_actual_ids(council_id=period.council_id)
        self.lines: list[PaymentLine] = []
        self.disputed_totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        self.disputed_rows: dict[int, int] = {}
        self.left_out: list[tuple[str, int, str, Decimal, dict[str, Any]]] = []
        self._methods: dict[tuple[int, date], str] = {}

    def method(self, provider_id: int, day: date) -> str:
        key = (provider_id, day)
        if key not in self._methods:
            self._methods[key] = payment_method_on(self.source, self.council_id, provider_id, day)
        return self._methods[key]

    def add(self, provider_id: int, covers_from: date, amount: Decimal, vat: Decimal, **fields):
        values = {
            "council_id": self.council_id,
            "provider_id": provider_id,
            "contract_id": _contract_on(self.source, self.council_id, provider_id, covers_from),
            "covers_from": covers_from,
            "excl_vat": amount,
            "vat": vat,
            "total": amount + vat,
            **{_ATTNAME.get(name, name): value for name, value in fields.items()},
        }
        unknown = values.keys() - _COLUMNS
        if unknown:
            raise TypeError(f"PaymentLine has no field {sorted(unknown)}")
        # Positionally, in the model's column order, as Django builds rows it reads: a county's
        # run makes tens of thousands, and keyword arguments cost a third more each.
        self.lines.append(PaymentLine(*[values.get(column) for column in _COLUMN_ORDER]))

    def dispute(self, provider_id: int, actual_id: int, total: Decimal) -> None:
        self.disputed_rows[actual_id] = provider_id
        self.disputed_totals[(provider_id, actual_id)] += total


def _not_on_a_line(source: str, column: str) -> Exists:
    return Exists(PaymentLine.objects.filter(source=source, **{column: OuterRef("pk")}))


_SHOWN_INVOICES = [InvoiceStatus.AUTHORISED, InvoiceStatus.HELD, InvoiceStatus.SUBMITTED]


def _invoice_lines(b: _Builder) -> None:
    """1. On invoice: every line of an authorised invoice of a period ending by the run's, but
    a disputed week's; held and submitted invoices are left out, said so."""
    rows = (
        InvoiceLine.objects.filter(
            invoice__council_id=b.council_id,
            invoice__status__in=_SHOWN_INVOICES,
            invoice__period__end_date__lte=b.period.end_date,
        )
        .filter(~_not_on_a_line(LineSource.INVOICE_LINE, "invoice_line"))
        .order_by("invoice_id", "pk")
        .values(
            "pk",
            "invoice_id",
            "invoice__status",
            "invoice__reference",
            "invoice__kind",
            "invoice__held_reason",
            "invoice__provider_id",
            "invoice__service_id",
            "invoice__period__start_date",
            "invoice__period__end_date",
            "cpli_id",
            "actual_id",
            "actual__week_start",
            "actual__service_user_id",
            "amount",
            "vat_rate",
        )
    )
    waiting: dict[int, list[Any]] = {}
    for row in rows:
        vat = line_vat(row["amount"], row["vat_rate"])
        provider_id = row["invoice__provider_id"]
        if row["invoice__status"] != InvoiceStatus.AUTHORISED:
            entry = waiting.setdefault(row["invoice_id"], [row, ZERO])
            entry[1] += row["amount"] + vat
            continue
        if row["actual_id"] in b.disputed:
            b.dispute(provider_id, row["actual_id"], row["amount"] + vat)
            continue
        week = row["actual__week_start"]
        kind = InvoiceKind(row["invoice__kind"]).label
        b.add(
            provider_id,
            week or row["invoice__period__start_date"],
            row["amount"],
            vat,
            source=LineSource.INVOICE_LINE,
            service_id=row["invoice__service_id"],
            service_user_id=row["actual__service_user_id"],
            cpli_id=row["cpli_id"],
            invoice_id=row["invoice_id"],
            invoice_line_id=row["pk"],
            actual_id=row["actual_id"],
            covers_to=week + 6 * DAY if week else row["invoice__period__end_date"],
            description=f"{kind} {row['invoice__reference']}"[:200],
        )
    for invoice_id, (row, total) in waiting.items():
        held = row["invoice__status"] == InvoiceStatus.HELD
        why = f"held: {row['invoice__held_reason']}" if held else "submitted, not yet authorised"
        b.left_out.append(
            (
                "held_invoice" if held else "unauthorised_invoice",
                row["invoice__provider_id"],
                f"Invoice {row['invoice__reference']} {why}",
                total,
                {"invoice_id": invoice_id},
            )
        )


def _latest_confirmations(b: _Builder) -> dict[tuple[int, int], Any]:
    return {
        (period_id, provider_id): at
        for period_id, provider_id, at in Confirmation.objects.filter(
            period__council_id=b.council_id, period__end_date__lte=b.period.end_date
        )
        .values("period_id", "provider_id")
        .annotate(at=Max("confirmed_at"))
        .values_list("period_id", "provider_id", "at")
    }


def _actuals(b: _Builder) -> None:
    """2. Self-billing: every confirmed actual with a cost, of a period ending by the run's,
    under a self-billing contract when its period starts, not in an open dispute."""
    confirmed = _latest_confirmations(b)
    rows = (
        Actual.objects.filter(council_id=b.council_id, period__end_date__lte=b.period.end_date)
        .exclude(cost=0)
        .filter(~_not_on_a_line(LineSource.ACTUAL, "actual"))
        .order_by("pk")
        .values_list(
            "pk",
            "period_id",
            "period__start_date",
            "period__end_date",
            "provider_id",
            "service_id",
            "service_user_id",
            "cpli_id",
            "week_start",
            "cost",
            "changed_at",
            "cpli__service_level__vat_rate",
            "period__payment_processed_at",
        )
    )
    unconfirmed: dict[tuple[int, int], list[Any]] = {}
    row: Any
    for row in rows:
        pk, period_id, starts, ends, provider_id, *rest = row
        service_id, person_id, cpli_id, week, cost, changed_at, vat_rate, processed = rest
        if b.method(provider_id, starts) != PaymentMethod.SELF_BILLING:
            continue
        vat = line_vat(cost, vat_rate)
        if pk in b.disputed:
            b.dispute(provider_id, pk, cost + vat)
            continue
        at = confirmed.get((period_id, provider_id))
        # A processed period cannot be confirmed again: a row amended since (held by a dispute
        # meanwhile, 0011) is paid at its final value.
        if at is None or (changed_at > at and processed is None):
            entry = unconfirmed.setdefault((period_id, provider_id), [starts, ends, ZERO, at])
            entry[2] += cost + vat
            continue
        b.add(
            provider_id,
            week,
            cost,
            vat,
            source=LineSource.ACTUAL,
            service_id=service_id,
            service_user_id=person_id,
            cpli_id=cpli_id,
            actual_id=pk,
            covers_to=week + 6 * DAY,
            description=f"Actuals, week of {week:%d/%m/%Y}",
        )
    for (period_id, provider_id), (starts, ends, total, at) in unconfirmed.items():
        why = "not confirmed" if at is None else "changed since they were confirmed"
        b.left_out.append(
            (
                "not_confirmed",
                provider_id,
                f"Actuals {starts:%d/%m/%Y} to {ends:%d/%m/%Y} {why}",
                total,
                {"period_id": period_id},
            )
        )


def _schedule_cplis(b: _Builder, first: date, last: date) -> list[_Cpli]:
    rows = (
        Cpli.objects.filter(
            council_id=b.council_id,
            status__in=[CpliStatus.ACTIVE, CpliStatus.ENDED],
            yearly_allocation__isnull=True,
            start_date__lte=last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by("pk")
        .values_list(
            "pk",
            "provider_id",
            "service_id",
            "service_user_id",
            "quantity",
            "rate",
            "start_date",
            "end_date",
            "service_level__vat_rate",
        )
    )
    return [_Cpli(*row) for row in rows]


def _blocks_due(b: _Builder, cpli: _Cpli, first: date, last: date) -> Iterator[tuple[date, date]]:
    """The CPLI's blocks due by the run (never one ending before the council's first period)."""
    start = max(cpli.start_date, first)
    end = last if cpli.end_date is None else min(cpli.end_date, last)
    if start <= end:
        yield from schedule_blocks(b.rulebook, start, end)


def _schedule(b: _Builder) -> None:
    """3. On schedule: each CPLI's blocks due by the run's period and not yet paid for it."""
    rulebook = b.rulebook
    if not any(
        rule.payment_method == PaymentMethod.ON_SCHEDULE for rule in b.source.payment_rules.values()
    ):
        return
    first = block_of(rulebook, rulebook.actuals_periods_from)
    # The last block due: the one whose weeks in arrears end by the period's end.
    arrears = timedelta(days=arrears_days(rulebook))
    last_start = block_of(rulebook, b.period.end_date + DAY - arrears)
    last = last_start + timedelta(days=rulebook.scheduled_payment_weeks * 7) - DAY
    paid = {
        (cpli_id, block_of(rulebook, day))
        for cpli_id, day in PaymentLine.objects.filter(
            council_id=b.council_id, source=LineSource.SCHEDULE
        ).values_list("cpli_id", "covers_from")
    }
    week_start = rulebook.actuals_week_start
    for cpli in _schedule_cplis(b, first, last):
        for block_start, block_end in _blocks_due(b, cpli, first, last):
            if (cpli.pk, block_start) in paid:
                continue
            starts = max(block_start, cpli.start_date)
            if b.method(cpli.provider_id, starts) != PaymentMethod.ON_SCHEDULE:
                continue
            amount = scheduled_amount(cpli, block_start, block_end, week_start)
            ends = block_end if cpli.end_date is None else min(block_end, cpli.end_date)
            b.add(
                cpli.provider_id,
                starts,
                amount,
                line_vat(amount, cpli.vat_rate),
                source=LineSource.SCHEDULE,
                service_id=cpli.service_id,
                service_user_id=cpli.service_user_id,
                cpli_id=cpli.pk,
                covers_to=ends,
                description=f"Scheduled payment {starts:%d/%m/%Y} to {ends:%d/%m/%Y}",
            )


def _claims(b: _Builder) -> None:
    """4. One-off claims: an approved claim whose contract does not pay on invoice, paid
    directly (its items' total, no VAT)."""
    claims = list(
        OneOffClaim.objects.filter(
            council_id=b.council_id,
            status=ClaimStatus.APPROVED,
            period__end_date__lte=b.period.end_date,
        )
        .filter(~_not_on_a_line(LineSource.CLAIM, "claim"))
        .order_by("pk")
        .values_list("pk", "provider_id", "service_id", "period__start_date", "period__end_date")
    )
    if not claims:
        return
    ids = [row[0] for row in claims]
    sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for model in (ClaimClientItem, ClaimProviderItem):
        for claim_id, amount in (
            model.objects.filter(claim_id__in=ids)
            .values("claim_id")
            .annotate(amount=Sum("amount"))
            .values_list("claim_id", "amount")
        ):
            sums[claim_id] += amount
    for pk, provider_id, service_id, starts, ends in claims:
        if b.method(provider_id, starts) == PaymentMethod.ON_INVOICE or not sums[pk]:
            continue
        b.add(
            provider_id,
            starts,
            sums[pk],
            ZERO,
            source=LineSource.CLAIM,
            service_id=service_id,
            claim_id=pk,
            covers_to=ends,
            description=f"One-off claim {pk}",
        )


def _exceptions(b: _Builder) -> None:
    """5. Payment exceptions not yet on a line."""
    rows = (
        PaymentException.objects.filter(council_id=b.council_id)
        .filter(~_not_on_a_line(LineSource.EXCEPTION, "exception"))
        .order_by("pk")
        .values_list(
            "pk",
            "provider_id",
            "service_id",
            "service_user_id",
            "cpli_id",
            "actual_id",
            "covers_from",
            "covers_to",
            "reason",
            "excl_vat",
            "vat",
        )
    )
    for pk, provider_id, service_id, person_id, cpli_id, actual_id, starts, *rest in rows:
        ends, reason, excl, vat = rest
        b.add(
            provider_id,
            starts,
            excl,
            vat,
            source=LineSource.EXCEPTION,
            service_id=service_id,
            service_user_id=person_id,
            cpli_id=cpli_id,
            actual_id=actual_id,
            exception_id=pk,
            covers_to=ends,
            description=f"Payment exception: {reason}"[:200],
        )


def _brought_forward(b: _Builder) -> None:
    """6. Each balance a finalised run carried forward and no run has brought forward yet."""
    rows = (
        PaymentLine.objects.filter(
            council_id=b.council_id,
            source=LineSource.CARRIED_FORWARD,
            run__status=RunStatus.FINALISED,
        )
        .filter(~_not_on_a_line(LineSource.BROUGHT_FORWARD, "brought_forward_from"))
        .order_by("pk")
        .values_list("pk", "provider_id", "excl_vat", "vat", "run__reference")
    )
    for pk, provider_id, excl, vat, reference in rows:
        b.add(
            provider_id,
            b.period.start_date,
            -excl,
            -vat,
            source=LineSource.BROUGHT_FORWARD,
            brought_forward_from_id=pk,
            covers_to=b.period.end_date,
            description=f"Balance brought forward from {reference}",
        )


def _carry_negative_balances(b: _Builder) -> None:
    """A provider's negative net is never paid out: a carried-forward line brings it to zero,
    and the next run brings the balance forward."""
    nets: dict[int, list[Decimal]] = {}
    for line in b.lines:
        net = nets.setdefault(line.provider_id, [ZERO, ZERO])
        net[0] += line.excl_vat
        net[1] += line.vat
    for provider_id, (excl, vat) in nets.items():
        if excl + vat < 0:
            b.add(
                provider_id,
                b.period.start_date,
                -excl,
                -vat,
                source=LineSource.CARRIED_FORWARD,
                covers_to=b.period.end_date,
                description="Balance carried forward to the next run",
            )


def _disputed(b: _Builder) -> None:
    disputes = open_disputes_of(b.council_id, b.disputed_rows)
    totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows: dict[tuple[int, int], int] = defaultdict(int)
    for (provider_id, actual_id), total in b.disputed_totals.items():
        key = (provider_id, disputes[actual_id])
        totals[key] += total
        rows[key] += 1
    for (provider_id, dispute_id), total in totals.items():
        count = rows[(provider_id, dispute_id)]
        b.left_out.append(
            (
                "disputed",
                provider_id,
                f"{count} {'row' if count == 1 else 'rows'} in dispute {dispute_id}",
                total,
                {"dispute_id": dispute_id},
            )
        )


def _names(provider_ids: Iterable[int]) -> dict[int, str]:
    return dict(Provider.objects.filter(pk__in=set(provider_ids)).values_list("pk", "name"))


def due(period: Period) -> Due:
    """What the council's run for the period pays (lines not yet on any other run's) and what
    it leaves out, per provider in name order, each provider's lines by contract, client and
    date. A fixed number of queries whatever the council's size."""
    b = _Builder(period)
    _invoice_lines(b)
    _actuals(b)
    _schedule(b)
    _claims(b)
    _exceptions(b)
    _brought_forward(b)
    _carry_negative_balances(b)
    if b.disputed_rows:
        _disputed(b)
    names = _names([line.provider_id for line in b.lines] + [row[1] for row in b.left_out])
    b.lines.sort(
        key=lambda line: (
            names[line.provider_id],
            line.provider_id,
            # A balance carried forward follows the lines it balances.
            line.source == LineSource.CARRIED_FORWARD,
            line.contract_id or 0,
            line.service_user_id or 0,
            line.covers_from,
            _SOURCE_ORDER[line.source],
            line.invoice_line_id or line.actual_id or line.claim_id or line.exception_id or 0,
            line.cpli_id or 0,
        )
    )
    left_out = [
        LeftOut(kind, provider_id, names[provider_id], description, total, **ids)
        for kind, provider_id, description, total, ids in b.left_out
    ]
    left_out.sort(key=lambda item: (item.provider_name, item.provider_id, item.kind))
    return Due(lines=b.lines, left_out=left_out)


def schedule_change_refusal(council_id: int) -> str | None:
    """Why the council may not re-cut its scheduled blocks now: a paid block (or one on an open
    run) is recorded by its first day, so blocks cut differently would pay some of its days
    again (organisations.services.payment_settings asks, through SCHEDULE_LOCKS)."""
    taken = PaymentLine.objects.filter(council_id=council_id, source=LineSource.SCHEDULE)
    if taken.exists():
        return (
            "Scheduled payments have already been paid (or are on a payment run) in blocks of "
            "the current length: changing the weeks would pay some days twice"
        )
    return None
