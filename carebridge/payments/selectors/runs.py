"""Reads of payment runs for the council's payments team: its runs (newest first, each with its
totals), the periods it may prepare a run for, and one run's page: totals per provider and per
contract reckoned in the database, its lines with where each comes from (a page at a time,
whatever the run's size), what the finance export would miss, and what is left out while the
run is open (docs/decisions/0011-payment-runs.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from carebridge.actuals.models import Period
from carebridge.core.calendar import today
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.selectors.run_sources import LeftOut, due

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "LEFT_OUT_REASONS",
    "OPEN_STATUSES",
    "ContractTotals",
    "MissingCodes",
    "RunTotals",
    "SourceLink",
    "line_source",
    "missing_finance_codes",
    "periods_to_prepare",
    "run_contract_totals",
    "run_left_out",
    "run_lines",
    "run_lines_shown",
    "run_provider_totals",
    "runs_for",
    "total_of",
]

OPEN_STATUSES = (RunStatus.PREPARED, RunStatus.APPROVED)
ZERO = Decimal("0.00")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
# How many ended periods the prepare page offers, newest first: a run is due each period, so an
# older one is a mistake to correct, not a choice to make.
PERIODS_OFFERED = 26


def runs_for(user: User) -> QuerySet[PaymentRun]:
    """The runs of the user's council (newest period first), each with its line count (`lines_n`)
    and Total (`total_sum`); none for a provider's user."""
    if user.council_id is None:
        return PaymentRun.objects.none()
    per_run = PaymentLine.objects.filter(run=OuterRef("pk")).order_by().values("run")
    return (
        PaymentRun.objects.filter(council_id=user.council_id)
        .select_related("period")
        .annotate(
            lines_n=Coalesce(Subquery(per_run.annotate(n=Count("pk")).values("n")), 0),
            total_sum=Coalesce(
                Subquery(per_run.annotate(t=Sum("total")).values("t")),
                Value(ZERO),
                output_field=_MONEY,
            ),
        )
        .order_by("-period__start_date", "-pk")
    )


def periods_to_prepare(user: User) -> list[Period]:
    """The council's periods a run may be prepared for: ended, not payment-processed, and
    without a live (not discarded) run; newest first."""
    if user.council_id is None:
        return []
    live = PaymentRun.objects.filter(council_id=user.council_id).exclude(status=RunStatus.DISCARDED)
    return list(
        Period.objects.filter(
            council_id=user.council_id,
            end_date__lt=today(),
            payment_processed_at__isnull=True,
        )
        .exclude(pk__in=live.values("period_id"))
        .order_by("-start_date")[:PERIODS_OFFERED]
    )


@dataclass(frozen=True)
class RunTotals:
    """Excl VAT, VAT and Total of some of a run's lines, and how many lines."""

    excl_vat: Decimal
    vat: Decimal
    total: Decimal
    lines: int


_SUMS: dict[str, Any] = {
    "excl": Coalesce(Sum("excl_vat"), Value(ZERO), output_field=_MONEY),
    "vat_sum": Coalesce(Sum("vat"), Value(ZERO), output_field=_MONEY),
    "total_sum": Coalesce(Sum("total"), Value(ZERO), output_field=_MONEY),
    "lines_n": Count("pk"),
}


def _totals(row: dict[str, Any]) -> RunTotals:
    return RunTotals(row["excl"], row["vat_sum"], row["total_sum"], row["lines_n"])


def total_of(parts: Iterable[RunTotals]) -> RunTotals:
    """The sum of some totals (a run's, from its providers': no query of its own)."""
    excl = vat = total = ZERO
    lines = 0
    for part in parts:
        excl, vat, total = excl + part.excl_vat, vat + part.vat, total + part.total
        lines += part.lines
    return RunTotals(excl, vat, total, lines)


def run_provider_totals(run: PaymentRun) -> list[tuple[int, str, RunTotals]]:
    """Per provider (by name): its id, its name and its totals, in one query."""
    rows = (
        PaymentLine.objects.filter(run=run)
        .order_by()
        .values("provider_id", "provider__name")
        .annotate(**_SUMS)
        .order_by("provider__name", "provider_id")
    )
    return [(row["provider_id"], row["provider__name"], _totals(row)) for row in rows]


@dataclass(frozen=True)
class ContractTotals:
    """A run's lines for one provider and contract (none for a balance carried or brought
    forward, or a claim paid without one)."""

    provider: str
    contract: str
    supplier_reference: str
    totals: RunTotals


def run_contract_totals(run: PaymentRun) -> list[ContractTotals]:
    """Per provider and contract: the contract's reference and supplier reference (empty where
    the council has not given one), in one query."""
    rows = (
        PaymentLine.objects.filter(run=run)
        .order_by()
        .values(
            "provider_id",
            "provider__name",
            "contract_id",
            "contract__reference",
            "contract__supplier_reference",
        )
        .annotate(**_SUMS)
        .order_by("provider__name", "provider_id", "contract__reference", "contract_id")
    )
    return [
        ContractTotals(
            row["provider__name"],
            row["contract__reference"] or "",
            row["contract__supplier_reference"] or "",
            _totals(row),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class MissingCodes:
    """What the finance export of a run would leave empty: contracts with no supplier
    reference, and service levels with no cost centre."""

    contracts: list[tuple[str, str]]  # (provider, contract reference)
    service_levels: list[str]

    def __bool__(self) -> bool:
        return bool(self.contracts or self.service_levels)


def missing_finance_codes(run: PaymentRun) -> MissingCodes:
    """The contracts and service levels of a run's lines missing their finance codes, in two
    queries."""
    lines = PaymentLine.objects.filter(run=run).order_by()
    contracts = (
        lines.filter(contract__isnull=False, contract__supplier_reference="")
        .values_list("provider__name", "contract__reference")
        .distinct()
        .order_by("provider__name", "contract__reference")
    )
    levels = (
        lines.filter(cpli__isnull=False, cpli__service_level__cost_centre="")
        .values_list("cpli__service_level__name", flat=True)
        .distinct()
        .order_by("cpli__service_level__name")
    )
    return MissingCodes(list(contracts), list(levels))


_LINE_ORDER = (
    "provider__name",
    "provider_id",
    "contract__reference",
    "service_user__last_name",
    "service_user__first_name",
    "service_user_id",
    "covers_from",
    "pk",
)


def run_lines(run: PaymentRun, *, provider_id: int | None = None) -> QuerySet[PaymentLine, int]:
    """A run's lines (one provider's, when given) by provider, contract, client and days, as
    ids: what the page's pages are cut from. Sorting a county's run with every table a row
    shows joined cost the database most of a second; the order needs three of them."""
    lines = PaymentLine.objects.filter(run=run)
    if provider_id is not None:
        lines = lines.filter(provider_id=provider_id)
    return lines.order_by(*_LINE_ORDER).values_list("pk", flat=True)


def run_lines_shown(ids: Sequence[int]) -> list[PaymentLine]:
    """The lines of a page of `run_lines`, in its order, with everything each line's row and
    its source link need, in one query."""
    lines = (
        PaymentLine.objects.filter(pk__in=list(ids))
        .order_by()
        .select_related(
            "provider",
            "contract",
            "service",
            "service_user",
            "cpli__service_level",
            "invoice",
            "actual",
            "claim",
            "exception__actual",
            "brought_forward_from__run",
        )
    )
    by_id = {line.pk: line for line in lines}
    return [by_id[pk] for pk in ids]


@dataclass(frozen=True)
class SourceLink:
    """Where a line's amount comes from: a URL name and its arguments (none where no page
    shows the source), and the words of the link."""

    text: str
    url_name: str = ""
    args: tuple[int, ...] = ()


def line_source(line: PaymentLine) -> SourceLink:
    """The page of a line's source, from the line's own columns (no query beyond `run_lines`):
    the invoice, the provider's actuals for the week's period, the claim, the contract document
    of a scheduled CPLI, the exception's actual, or the earlier run a balance comes from."""
    kind = line.source
    if kind == LineSource.INVOICE_LINE and line.invoice is not None:
        return SourceLink(
            f"Invoice {line.invoice.reference}",
            "payments:council_invoice_detail",
            (line.invoice.pk,),
        )
    if kind == LineSource.ACTUAL and line.actual is not None:
        return SourceLink(
            "Actuals for the week",
            "actuals:council_review",
            (line.actual.period_id, line.provider_id),
        )
    if kind == LineSource.CLAIM and line.claim is not None:
        return SourceLink(
            f"One-off claim {line.claim.pk}", "payments:claim_detail", (line.claim.pk,)
        )
    if kind == LineSource.SCHEDULE and line.cpli is not None:
        return SourceLink(
            "Scheduled payment of the contract document",
            "contracts:document_detail",
            (line.cpli.document_id,),
        )
    if kind == LineSource.EXCEPTION and line.exception is not None:
        corrected = line.exception.actual
        if corrected is not None:
            return SourceLink(
                f"Payment exception: {line.exception.reason}",
                "actuals:council_review",
                (corrected.period_id, line.provider_id),
            )
        return SourceLink(f"Payment exception: {line.exception.reason}")
    if kind == LineSource.BROUGHT_FORWARD and line.brought_forward_from is not None:
        earlier = line.brought_forward_from.run
        return SourceLink(
            f"Balance brought forward from {earlier.reference}",
            "payments:run_detail",
            (earlier.pk,),
        )
    if kind == LineSource.CARRIED_FORWARD:
        return SourceLink("Recovered from the provider's next run")
    return SourceLink(line.get_source_display())


# Why something is left out of a run, in the payments team's words.
LEFT_OUT_REASONS = {
    "disputed": "In an open dispute",
    "held_invoice": "Invoice held",
    "unauthorised_invoice": "Invoice not yet authorised",
    "not_confirmed": "Period not confirmed, or changed since it was confirmed",
}


def run_left_out(run: PaymentRun) -> list[tuple[LeftOut, str, SourceLink]] | None:
    """What the run does not pay, each with why and a link to it, while the run is open (what
    is due now, asked of the sources); None once it is finalised or discarded, as what was
    left out then is not recorded."""
    if run.status not in OPEN_STATUSES:
        return None
    return [
        (item, LEFT_OUT_REASONS.get(item.kind, item.kind), _left_out_link(item))
        for item in due(run.period).left_out
    ]


def _left_out_link(item: LeftOut) -> SourceLink:
    if item.dispute_id is not None:
        return SourceLink("The dispute", "disputes:council_detail", (item.dispute_id,))
    if item.invoice_id is not None:
        return SourceLink("The invoice", "payments:council_invoice_detail", (item.invoice_id,))
    if item.period_id is not None:
        return SourceLink(
            "The provider's actuals", "actuals:council_review", (item.period_id, item.provider_id)
        )
    return SourceLink("")
