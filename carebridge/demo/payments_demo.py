"""The demo's payments. Northshire pays its framework home support on invoice, so its framework
provider raises invoices from its confirmed actuals of Northshire's past periods: one in every
status (Unsubmitted, Submitted, Authorised, Held and Returned with the payments team's reasons,
Paid), and a Submitted one whose pre-invoice kept back a line more than the allowed percentage
over plan. Westbrook self-bills from confirmed actuals, so it has no invoices. All of it through
the services (actuals, then payments), and told once: a council with any invoice keeps its
invoices as they are.

`demo_payments` is the run order; each part of payments the demo shows (invoices here; credit
notes, variation requests and one-off claims later) is one function called from it, in a
module of its own when it grows, taking the council's `PaymentsCast` and the `InvoicesTold`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal

from carebridge.accounts.models import User
from carebridge.actuals import services as actuals
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.rules import Entry
from carebridge.contracts.choices import Unit
from carebridge.core.calendar import today
from carebridge.core.permissions import Role
from carebridge.demo.actuals_demo import CouncilPlan
from carebridge.demo.claims_demo import demo_claims
from carebridge.demo.common import Tally
from carebridge.demo.corrections_demo import demo_corrections
from carebridge.demo.variations_demo import demo_variations
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import Council, Provider, Service
from carebridge.organisations.selectors import providers_of_council
from carebridge.payments import services as payments
from carebridge.payments.choices import InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import PreInvoiceLine, payment_method_of, pre_invoice

S = InvoiceStatus
QUARTER = Decimal("0.25")

HELD_REASON = (
    "Two clients' hours are higher than their purchase orders for the second week: we are "
    "checking them with the locality team before we pay"
)
RETURNED_REASON = (
    "One client's hours in the third week do not match the visits our monitoring system "
    "recorded: correct the actuals and submit the invoice again"
)
OVER_COMMENT = (
    "Extra evening calls while the client's daughter was in hospital; a temporary CPLI has "
    "been asked for"
)

# The statuses the demo tells, by period: the older confirmed period's invoices have been
# through the payments team (the latest paid), the latest confirmed period's are on their way.
OLDER_STORIES = (S.PAID, S.AUTHORISED)
LATEST_STORIES = (S.SUBMITTED, S.HELD, S.RETURNED, S.UNSUBMITTED)


@dataclass(frozen=True)
class PaymentsCast:
    """Who acts in a council's payments story: its payments officer, and per on-invoice
    provider the user who raises its invoices and the one who enters its actuals."""

    council: Council
    payer: User
    invoicers: dict[int, User]  # provider id: its Payments user (or Super User)
    actuals_users: dict[int, User]  # provider id: its Super User (Actuals) (or Super User)


@dataclass
class InvoicesTold:
    """What the invoices part made, for the parts after it (credit notes, variation requests):
    the invoices by status, and the over-exception lines left off an invoice."""

    by_status: dict[str, list[Invoice]] = field(default_factory=dict)
    left_out: list[PreInvoiceLine] = field(default_factory=list)


def demo_payments(tally: Tally, plans: Sequence[CouncilPlan]) -> None:
    """Everything of payments the demo shows, council by council."""
    for plan in plans:
        council = Council.objects.filter(slug=plan.slug).first()
        if council is None:
            continue
        if Invoice.objects.filter(council=council).exists():
            tally.found("invoice stories")
            continue
        cast = _cast(council)
        if cast is None:
            continue
        told = demo_invoices(tally, cast)
        demo_corrections(tally, cast, told)
        demo_variations(tally, cast, told)
        demo_claims(tally, cast, told)


def _first_user(provider: Provider, roles: Sequence[Role]) -> User | None:
    for role in roles:
        user = User.objects.filter(provider=provider, role=role, is_active=True).first()
        if user is not None:
            return user
    return None


def _cast(council: Council) -> PaymentsCast | None:
    """The council's payments officer and its on-invoice providers' users; None when it pays
    nobody on invoice (or has no payments officer)."""
    payer = User.objects.filter(council=council, role=Role.PAYMENTS_OFFICER, is_active=True).first()
    if payer is None:
        return None
    invoicers: dict[int, User] = {}
    actuals_users: dict[int, User] = {}
    for provider in providers_of_council(council.pk).order_by("name"):
        invoicer = _first_user(provider, (Role.PAYMENTS, Role.SUPER_USER_SCHEDULED))
        enterer = _first_user(provider, (Role.SUPER_USER_ACTUALS, Role.SUPER_USER_SCHEDULED))
        if invoicer is not None and enterer is not None:
            invoicers[provider.pk] = invoicer
            actuals_users[provider.pk] = enterer
    if not invoicers:
        return None
    return PaymentsCast(council, payer, invoicers, actuals_users)


# --- Invoices -----------------------------------------------------------------------------------


def demo_invoices(tally: Tally, cast: PaymentsCast) -> InvoicesTold:
    """Invoices in every status from the two newest periods the providers have confirmed: the
    older one's paid and authorised, the newer one's submitted (an over-exception line kept
    back), held, returned and not yet submitted."""
    told = InvoicesTold()
    periods = _confirmed_periods(cast, newest=2)
    if len(periods) < 2:
        return told
    latest, older = periods[0], periods[1]
    _over_exception(tally, cast, latest)
    for period, stories in ((older, OLDER_STORIES), (latest, LATEST_STORIES)):
        for status, (service, lines) in _batches(cast, period, stories):
            invoice = _raise(cast, service, period, lines, status)
            told.by_status.setdefault(status, []).append(invoice)
            tally.made("invoices")
            if status == S.SUBMITTED:
                offered = pre_invoice(cast.invoicers[service.provider_id], service, period)
                told.left_out += [line for line in offered if line.over_exception]
    return told


def _on_invoice_services(cast: PaymentsCast, period: Period) -> list[Service]:
    """The services the council pays on invoice in the period, by name."""
    services = Service.objects.filter(provider_id__in=cast.invoicers).order_by("name")
    return [
        service
        for service in services
        if payment_method_of(service, period) == PaymentMethod.ON_INVOICE
    ]


def _confirmed_periods(cast: PaymentsCast, *, newest: int) -> list[Period]:
    """The council's `newest` ended periods with services paid on invoice, each of whose
    providers has confirmed its actuals, newest first."""
    confirmed = []
    for period in Period.objects.filter(council=cast.council, end_date__lt=today()).order_by(
        "-start_date"
    ):
        providers = {service.provider_id for service in _on_invoice_services(cast, period)}
        if providers and all(
            Confirmation.objects.filter(period=period, provider_id=pk).exists() for pk in providers
        ):
            confirmed.append(period)
            if len(confirmed) == newest:
                break
    return confirmed


def _batches(
    cast: PaymentsCast, period: Period, stories: Sequence[str]
) -> list[tuple[str, tuple[Service, list[PreInvoiceLine]]]]:
    """Each story's service and lines: the stories dealt in turn to the services with lines
    to invoice, a service's lines shared between its stories (over-exception lines on none)."""
    offers = []
    for service in _on_invoice_services(cast, period):
        lines = [
            line
            for line in pre_invoice(cast.invoicers[service.provider_id], service, period)
            if not line.over_exception
        ]
        if lines:
            offers.append((service, lines))
    if not offers:
        return []
    dealt: dict[int, list[str]] = {}
    for number, status in enumerate(stories):
        dealt.setdefault(number % len(offers), []).append(status)
    batches = []
    for index, statuses in sorted(dealt.items()):
        service, lines = offers[index]
        share = -(-len(lines) // len(statuses))  # ceiling: every line on one of them
        for number, status in enumerate(statuses):
            chunk = lines[number * share : (number + 1) * share]
            if chunk:
                batches.append((status, (service, chunk)))
    return batches


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[0].isalpha()).upper()


def _reference(cast: PaymentsCast, provider_id: int) -> str:
    """The provider's next invoice reference in its own style: its initials, the council's,
    a number (LHC-NCC-0001)."""
    provider = Provider.objects.get(pk=provider_id)
    number = Invoice.objects.filter(provider_id=provider_id).count() + 1
    return f"{_initials(provider.name)}-{_initials(cast.council.name)}-{number:04d}"


def _raise(
    cast: PaymentsCast,
    service: Service,
    period: Period,
    lines: list[PreInvoiceLine],
    status: str,
) -> Invoice:
    """An invoice of these lines, dated a few days after the period ends, moved on to the
    status as the provider and the payments team would."""
    invoicer = cast.invoicers[service.provider_id]
    invoice = payments.invoice_create(
        by=invoicer,
        service=service,
        period=period,
        reference=_reference(cast, service.provider_id),
        invoice_date=min(period.end_date + timedelta(days=3), today()),
        actual_ids=[line.actual_id for line in lines],
    )
    if status == S.UNSUBMITTED:
        return invoice
    invoice = payments.invoice_submit(by=invoicer, invoice=invoice)
    if status == S.HELD:
        invoice = payments.invoice_hold(by=cast.payer, invoice=invoice, reason=HELD_REASON)
    elif status == S.RETURNED:
        invoice = payments.invoice_return(by=cast.payer, invoice=invoice, reason=RETURNED_REASON)
    elif status in (S.AUTHORISED, S.PAID):
        invoice = payments.invoice_authorise(by=cast.payer, invoice=invoice)
        if status == S.PAID:
            invoice = payments.invoice_pay(by=cast.payer, invoice=invoice)
    return invoice


def _over_exception(tally: Tally, cast: PaymentsCast, period: Period) -> None:
    """One week of the period's first on-invoice service more than the allowed percentage
    over plan (extra calls with the social worker's variation code), and the period
    confirmed again, as a provider does after changing its actuals."""
    services = _on_invoice_services(cast, period)
    if not services:
        return
    book = cast.council.rulebook
    row = (
        Actual.objects.filter(
            period=period,
            service=services[0],
            cpli__unit=Unit.HOURS,
            cpli__yearly_allocation__isnull=True,
            planned__gte=Decimal("3.5"),
            extra=0,
            missed=0,
            frustrated=0,
            comments="",
        )
        .order_by("-week_start", "service_user__ss_ref", "cpli_id")
        .first()
    )
    if row is None:
        return
    # Half as much again: well over the rulebook's percentage (a fifth, in the guides).
    least = row.planned * Decimal(book.actuals_over_plan_percent + 1) / 100
    extra = max(least, row.planned / 2)
    extra = (extra / QUARTER).quantize(Decimal("1"), rounding=ROUND_CEILING) * QUARTER
    user = cast.actuals_users[row.provider_id]
    entry = Entry(
        actual=row.planned + extra,
        extra=extra,
        variation_code="VAR-20488",
        comments=OVER_COMMENT,
    )
    item = actuals.Item(cpli_id=row.cpli_id, week_start=row.week_start, entry=entry, ref=row.pk)
    actuals.actuals_save(user, [item])
    actuals.actuals_confirm(user, period)
    tally.made("actuals changed")
    tally.made("actuals confirmations")
