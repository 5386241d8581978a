"""The demo's payment runs (docs/decisions/0011-payment-runs.md). At each council a second
payments officer prepares the runs and the first approves and finalises them, so every ended
period past its confirmation deadline but the newest, oldest first, is paid and
payment-processed by its run (a period with nothing to pay has none). Northshire pays its 2015
block contract on schedule (actuals_demo's payment rules): its runs pay the provider's lines in
4-week blocks, 2 weeks in arrears and 2 in advance. After its last finalised run the broker
ends one of those orders in the first week of the newest period, whose block that run paid in
advance, so the engine writes a payment exception; the payments team authorises the one-off
claim's invoice; and the newest period's run, carrying the exceptions (and the claim's invoice
when the claim is of its period), is prepared and waits for the first officer to approve it. The councils' service levels get cost centres for the finance
export (the contracts' supplier references are organisations_demo's). All of it through the
services, counted back from today, and told once: a council with any run keeps its runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Period
from carebridge.contracts import services as contracts
from carebridge.contracts.choices import CpliStatus, DocumentKind, DocumentStatus
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.contracts.service_levels import service_level_settings_update
from carebridge.core.calendar import add_working_days, now, today
from carebridge.core.permissions import Role
from carebridge.demo.actuals_demo import CouncilPlan
from carebridge.demo.common import Tally, _login
from carebridge.demo.credentials import DEMO_PASSWORD
from carebridge.demo.organisations_demo import demo_email, second_payments_email
from carebridge.disputes.models import DisputeRow
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Council
from carebridge.payments import services as payments
from carebridge.payments.choices import InvoiceStatus, LineSource, RunStatus
from carebridge.payments.models import Invoice, PaymentException, PaymentLine, PaymentRun
from carebridge.payments.selectors.run_sources import due

# Each council's second payments officer: the one who prepares its runs.
SECOND_OFFICERS: dict[str, tuple[str, str]] = {
    "northshire": ("Bronwen", "Ashcroft"),
    "westbrook": ("Tariq", "Hussain"),
}

# The council whose newest run waits for approval: it pays a block contract on schedule, so its
# run carries the adjustment for an order ended after its block was paid.
WAITING_AT = "northshire"
# Working days from today to the waiting run's payment date.
WAITING_PAYMENT_DAYS = 5

TERMINATION_REASON = (
    "The client moved to live with her son in another county at the end of the week; her new "
    "council has arranged her care there."
)

# Each council's finance codes for the demo's service levels, in its own (invented) style; a
# level that already has one keeps it.
COST_CENTRES: dict[str, dict[str, str]] = {
    "northshire": {
        "Home Care - Single Assist Fixed Rate (Hour)": "ASC4110",
        "Home Care - Double Assist": "ASC4111",
        "Night Sits": "ASC4120",
        "Live in Care": "ASC4130",
        "Short Break - Nightly": "ASC4140",
        "Supported Living - Shared Support (Hour)": "ASC4150",
    },
    "westbrook": {
        "Home Care - Single Assist Fixed Rate (Hour)": "WB/ASC/301",
        "Home Care - Double Assist": "WB/ASC/302",
        "Night Sits": "WB/ASC/310",
        "Live in Care": "WB/ASC/320",
        "Short Break - Nightly": "WB/ASC/330",
        "Supported Living - Shared Support (Hour)": "WB/ASC/340",
    },
}


@dataclass(frozen=True)
class RunsCast:
    """Who acts in a council's runs: the officer who prepares them, the one who approves and
    finalises them (the log-in the demo offers first, so its home page shows the run to
    approve), and the broker who ends an order."""

    council: Council
    preparer: User
    approver: User
    broker: User | None


def demo_runs(tally: Tally, plans: Sequence[CouncilPlan]) -> None:
    """Everything of payment runs the demo shows, council by council."""
    for plan in plans:
        council = Council.objects.filter(slug=plan.slug).first()
        if council is None:
            continue
        _cost_centres(tally, council)
        cast = _cast(tally, council)
        if cast is None:
            continue
        if PaymentRun.objects.filter(council=council).exists():
            tally.found("payment run stories")
            continue
        _council_runs(tally, cast)
        tally.made("payment run stories")


def _cost_centres(tally: Tally, council: Council) -> None:
    """The council's administrator gives each demo service level its cost centre."""
    codes = COST_CENTRES.get(council.slug, {})
    admin = User.objects.filter(
        council=council, role=Role.COUNCIL_ADMINISTRATOR, is_active=True
    ).first()
    if admin is None:
        return
    for level in ServiceLevel.objects.filter(council=council, name__in=codes).order_by("name"):
        if level.cost_centre:
            tally.found("cost centres")
            continue
        service_level_settings_update(
            by=admin,
            level=level,
            hospital_retainer_weeks=level.hospital_retainer_weeks,
            vat_rate=level.vat_rate,
            extras_allowed=level.extras_allowed,
            fixed_hours=level.fixed_hours,
            cost_centre=codes[level.name],
            is_active=level.is_active,
        )
        tally.made("cost centres")


def _cast(tally: Tally, council: Council) -> RunsCast | None:
    """The council's two payments officers (the second made here, as a demo log-in) and its
    broker; None without a first officer."""
    approver = User.objects.filter(
        email=demo_email(Role.PAYMENTS_OFFICER, council.slug), is_active=True
    ).first()
    names = SECOND_OFFICERS.get(council.slug)
    if approver is None or names is None:
        return None
    email = second_payments_email(council.slug)
    first_name, last_name = names
    _login(
        tally,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.PAYMENTS_OFFICER,
        council=council,
    )
    preparer = User.objects.get(email=email)
    broker = User.objects.filter(council=council, role=Role.BROKER, is_active=True).first()
    return RunsCast(council, preparer, approver, broker)


def _council_runs(tally: Tally, cast: RunsCast) -> None:
    """The older periods paid by finalised runs; at the waiting council, an order ended after
    its block was paid and the newest period's run prepared to approve."""
    past = _past_deadline(cast.council)
    if not past:
        return
    newest = past[-1]
    paid = _finalised_runs(tally, cast, past[:-1])
    if cast.council.slug != WAITING_AT:
        return
    if paid:
        _adjustment(tally, cast, newest)
    _authorise_claim_invoices(tally, cast)
    payments.run_prepare(
        by=cast.preparer,
        period=newest,
        payment_date=add_working_days(today(), WAITING_PAYMENT_DAYS),
    )
    tally.made("payment runs waiting for approval")


def _past_deadline(council: Council) -> list[Period]:
    """The council's ended periods past their confirmation deadline and not payment-processed,
    oldest first."""
    book = council.rulebook
    moment = now()
    return [
        period
        for period in Period.objects.filter(
            council=council, end_date__lt=today(), payment_processed_at__isnull=True
        ).order_by("start_date")
        if actuals_confirm_by(book, period.end_date) < moment
    ]


def _finalised_runs(tally: Tally, cast: RunsCast, periods: list[Period]) -> int:
    """A run for each period with something to pay, oldest first (one open run at a time), up
    to the first holding rows in an open dispute: those wait for their dispute. Prepared by the
    second officer, approved and finalised by the first, paid on the next working day (a run
    is never paid on a day gone)."""
    disputed = set(
        DisputeRow.objects.filter(open=True, actual__council=cast.council).values_list(
            "actual__period_id", flat=True
        )
    )
    payment_date = add_working_days(today(), 0)
    made = 0
    for period in periods:
        if period.pk in disputed:
            break
        if not due(period).lines:
            continue
        run = payments.run_prepare(by=cast.preparer, period=period, payment_date=payment_date)
        run = payments.run_approve(by=cast.approver, run=run)
        payments.run_finalise(by=cast.approver, run=run)
        made += 1
    if made:
        tally.made("payment runs finalised", made)
    return made


def _adjustment(tally: Tally, cast: RunsCast, period: Period) -> None:
    """An order paid on schedule ended on the last day of the period's first week, after a
    finalised run paid its block in advance: the engine's receiver writes the exception (the
    block's days after the end, recovered) in the termination's transaction, and the provider
    agrees the termination."""
    last_day = _last_day(period)
    order = _order_to_end(cast.council, period)
    if order is None or cast.broker is None:
        return
    termination = contracts.contract_document_terminate(
        document=order, end_date=last_day, reason=TERMINATION_REASON, by=cast.broker
    )
    tally.made("terminations")
    made = PaymentException.objects.filter(cpli__document=order).count()
    if made:
        tally.made("payment exceptions", made)
    signer = User.objects.filter(
        provider_id=order.provider_id, role=Role.SUPER_USER_SCHEDULED, is_active=True
    ).first()
    if signer is not None:
        contracts.contract_document_agree(document=termination, by=signer, password=DEMO_PASSWORD)


def _last_day(period: Period) -> date:
    """The last day of care of the order the demo ends: the period's first week's last."""
    return period.start_date + timedelta(days=6)


def _order_to_end(council: Council, period: Period) -> ContractDocument | None:
    """The first agreed order (by reference) whose lines a finalised run paid on schedule past
    the last day of care, each begun before the period and running beyond that day, none of
    whose weeks any other story tells (changed with comments, or disputed)."""
    last_day = _last_day(period)
    paid_ahead = PaymentLine.objects.filter(
        run__council=council,
        run__status=RunStatus.FINALISED,
        source=LineSource.SCHEDULE,
        covers_from__lte=last_day,
        covers_to__gt=last_day,
    ).values("cpli_id")
    told_ids = set(Actual.objects.exclude(comments="").values_list("cpli_id", flat=True))
    told_ids |= set(DisputeRow.objects.values_list("actual__cpli_id", flat=True))
    orders = ContractDocument.objects.filter(
        council=council,
        kind=DocumentKind.ORDER,
        status=DocumentStatus.AGREED,
        cplis__in=paid_ahead,
    ).distinct()
    for order in orders.order_by("care_package_reference", "pk"):
        lines = list(order.cplis.filter(status__in=(CpliStatus.ACTIVE, CpliStatus.ENDED)))
        if lines and all(_runs_through(cpli, period, told_ids) for cpli in lines):
            return order
    return None


def _runs_through(cpli: Cpli, period: Period, told_ids: set[int]) -> bool:
    ordered = cpli.ordered_end_date
    return (
        cpli.pk not in told_ids
        and not cpli.is_allocation
        and cpli.start_date < period.start_date
        and (ordered is None or ordered > _last_day(period))
    )


def _authorise_claim_invoices(tally: Tally, cast: RunsCast) -> None:
    """The payments team authorises the one-off claims' submitted invoices: the waiting run pays
    those of its period (a claim of a later period waits for that period's run), and the claims
    become Paid when it is finalised."""
    for invoice in Invoice.objects.filter(
        council=cast.council, status=InvoiceStatus.SUBMITTED, claim__isnull=False
    ).order_by("pk"):
        payments.invoice_authorise(by=cast.approver, invoice=invoice)
        tally.made("invoices authorised")
