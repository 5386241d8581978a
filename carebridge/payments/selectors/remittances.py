"""Reads of remittance advice: what each finalised payment run paid one provider, per client and
CPLI (docs/decisions/0011-payment-runs.md), and, for the self-billed periods it paid, how long
the payment took (prompt payment).

A provider sees the remittances of every council that pays it, each in its own council's name;
a council's payments officer opens any remittance of its own runs. Anything else is None here
and 404 on the page. Every read is a fixed number of queries, whatever the number of lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Max, QuerySet, Sum

from carebridge.actuals.models import Confirmation
from carebridge.contracts.commitment import financial_year_of
from carebridge.core.calendar import today
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.models import Council, Provider
from carebridge.payments.choices import LineSource, RunStatus
from carebridge.payments.models import PaymentLine, PaymentRun
from carebridge.payments.prompt_payment import PromptPayment, prompt_payment

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "NO_CLIENT",
    "Remittance",
    "RemittanceClient",
    "SelfBilledPeriod",
    "may_see_remittances",
    "remittance_choices",
    "remittance_lines",
    "remittance_of",
    "remittance_runs",
    "self_billed_periods",
]

ZERO = Decimal("0.00")
# The heading of the lines that pay no one client: a balance carried or brought forward.
NO_CLIENT = "Not for one client"


def may_see_remittances(user: User) -> bool:
    """A provider's roles that see its invoices or its scheduled payments, and the council's
    payments officers (the roles with invoices), see remittance advice."""
    if user.provider_id is None and user.council_id is None:
        return False
    return can_view(user.role, Function.INVOICES) or can_view(
        user.role, Function.SCHEDULED_PAYMENTS
    )


def remittance_runs(user: User) -> QuerySet[PaymentRun]:
    """The finalised runs that paid the provider anything, newest payment first, each with the
    provider's own Excl VAT, VAT and Total (`paid_excl_vat`, `paid_vat`, `paid_total`): one
    query for a page, whatever its lines. Nothing for a council's user (its runs have pages of
    their own) or a role without remittances."""
    if user.provider_id is None or not may_see_remittances(user):
        return PaymentRun.objects.none()
    # Filtering on the lines before annotating sums only this provider's lines of each run.
    return (
        PaymentRun.objects.filter(status=RunStatus.FINALISED, lines__provider_id=user.provider_id)
        .select_related("council", "period")
        .annotate(
            paid_excl_vat=Sum("lines__excl_vat"),
            paid_vat=Sum("lines__vat"),
            paid_total=Sum("lines__total"),
            line_count=Count("lines"),
        )
        .order_by("-payment_date", "council__name", "-pk")
    )


def remittance_choices(user: User) -> tuple[list[tuple[int, str]], list[int]]:
    """The councils whose runs paid the provider and the financial years of their payment
    dates (this year too, newest first): what the remittance list filters by."""
    if user.provider_id is None:
        return [], [financial_year_of(today())]
    runs = PaymentRun.objects.filter(
        status=RunStatus.FINALISED, lines__provider_id=user.provider_id
    ).order_by()
    councils = (
        Council.objects.filter(pk__in=runs.values("council_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    days = runs.values_list("payment_date", flat=True).distinct()
    years = {financial_year_of(day) for day in days}
    years.add(financial_year_of(today()))
    return list(councils), sorted(years, reverse=True)


@dataclass(frozen=True)
class SelfBilledPeriod:
    """A self-billed period a run paid: the provider's confirmation it paid on (received) and
    the run's payment date (paid on), for prompt payment."""

    start: date
    end: date
    facts: PromptPayment | None


def _latest_confirmations(provider_id: int, period_ids: set[int]) -> dict[int, list[datetime]]:
    moments: dict[int, list[datetime]] = defaultdict(list)
    rows = Confirmation.objects.filter(provider_id=provider_id, period_id__in=period_ids)
    for period_id, at in rows.values_list("period_id", "confirmed_at"):
        moments[period_id].append(at)
    return moments


def self_billed_periods(user: User, runs: list[PaymentRun]) -> dict[int, list[SelfBilledPeriod]]:
    """Per run, the self-billed periods it paid the provider (their confirmed actuals), each
    with its prompt-payment facts. "Received" is the provider's latest confirmation of the
    period before the run was finalised (the one the run paid on; a confirmation after payment
    is for a later run). Two queries, whatever the number of runs."""
    if user.provider_id is None or not runs:
        return {}
    by_run = {run.pk: run for run in runs}
    paid = (
        PaymentLine.objects.filter(
            run_id__in=by_run, provider_id=user.provider_id, source=LineSource.ACTUAL
        )
        .order_by()
        .values_list("run_id", "actual__period_id", "actual__period__start_date")
        .annotate(end=Max("actual__period__end_date"))
    )
    found = list(paid)
    moments = _latest_confirmations(user.provider_id, {row[1] for row in found})
    periods: dict[int, list[SelfBilledPeriod]] = defaultdict(list)
    for run_id, period_id, start, end in sorted(found, key=lambda row: (row[0], row[2])):
        run = by_run[run_id]
        before = [
            at
            for at in moments.get(period_id, [])
            if run.finalised_at is None or at <= run.finalised_at
        ]
        received = max(before) if before else None
        periods[run_id].append(
            SelfBilledPeriod(start=start, end=end, facts=prompt_payment(received, run.payment_date))
        )
    return periods


@dataclass
class RemittanceClient:
    """One client's lines of a remittance (or the lines for no one client), with its totals."""

    label: str
    ss_ref: str
    lines: list[PaymentLine] = field(default_factory=list)
    excl_vat: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO


@dataclass
class Remittance:
    """What one finalised run paid one provider: its lines per client and CPLI, and totals."""

    run: PaymentRun
    provider: Provider
    clients: list[RemittanceClient]
    excl_vat: Decimal = ZERO
    vat: Decimal = ZERO
    total: Decimal = ZERO

    @property
    def lines(self) -> list[PaymentLine]:
        return [line for client in self.clients for line in client.lines]


# A remittance's lines in order: by client (the lines for no one client last), CPLI and days.
_LINE_ORDER = (
    F("service_user__last_name").asc(nulls_last=True),
    F("service_user__first_name").asc(nulls_last=True),
    F("service_user_id").asc(nulls_last=True),
    F("cpli_id").asc(nulls_last=True),
    "covers_from",
    "pk",
)


def _lines(run: PaymentRun, provider_id: int) -> list[PaymentLine]:
    return list(
        PaymentLine.objects.filter(run=run, provider_id=provider_id)
        .select_related("service_user", "cpli__service_level", "contract", "service")
        .order_by(*_LINE_ORDER)
    )


def remittance_lines(user: User) -> QuerySet[PaymentLine]:
    """Every line of every finalised run that paid the provider: its remittances' lines, the
    newest payment first, then by council and run, each run's in a remittance's order. Nothing
    for a council's user or a role without remittances (as `remittance_runs`)."""
    if user.provider_id is None or not may_see_remittances(user):
        return PaymentLine.objects.none()
    return PaymentLine.objects.filter(
        provider_id=user.provider_id, run__status=RunStatus.FINALISED
    ).order_by("-run__payment_date", "run__council__name", "run_id", *_LINE_ORDER)


def _by_client(lines: list[PaymentLine]) -> list[RemittanceClient]:
    clients: dict[int | None, RemittanceClient] = {}
    for line in lines:
        person = line.service_user
        group = clients.get(line.service_user_id)
        if group is None:
            group = clients[line.service_user_id] = RemittanceClient(
                label=person.full_name if person is not None else NO_CLIENT,
                ss_ref=person.ss_ref if person is not None else "",
            )
        group.lines.append(line)
        group.excl_vat += line.excl_vat
        group.vat += line.vat
        group.total += line.total
    return list(clients.values())


def _run_for(user: User, run_pk: int, provider_pk: int) -> PaymentRun | None:
    runs = PaymentRun.objects.filter(pk=run_pk, status=RunStatus.FINALISED).select_related(
        "council", "period"
    )
    if user.provider_id is not None:
        # A provider's own remittances only: another provider's id is not found.
        if provider_pk != user.provider_id:
            return None
    elif user.council_id is not None:
        runs = runs.filter(council_id=user.council_id)
    else:
        return None
    return runs.first()


def remittance_of(user: User, run_pk: int, provider_pk: int) -> Remittance | None:
    """The remittance of a finalised run for a provider, if the user may see it: the provider's
    own, or any of its council's runs for a payments officer; None for anything else (another
    provider's or council's, a run not finalised, a provider the run did not pay). Three
    queries, whatever the number of lines."""
    if not may_see_remittances(user):
        return None
    run = _run_for(user, run_pk, provider_pk)
    if run is None:
        return None
    lines = _lines(run, provider_pk)
    if not lines:
        return None
    provider = Provider.objects.get(pk=provider_pk)
    clients = _by_client(lines)
    return Remittance(
        run=run,
        provider=provider,
        clients=clients,
        excl_vat=sum((c.excl_vat for c in clients), ZERO),
        vat=sum((c.vat for c in clients), ZERO),
        total=sum((c.total for c in clients), ZERO),
    )
