"""Reads of invoices, scoped to the acting user's organisation: the pre-invoice of a service's
period (what it may still invoice) and the invoices a user may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import RuleSource
from carebridge.actuals.rules import Entry, payable_quantity
from carebridge.contracts.models import Cpli
from carebridge.core.formats import round_money
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import PaymentRule, Service
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice, InvoiceLine

if TYPE_CHECKING:
    from carebridge.accounts.models import User


@dataclass(frozen=True)
class PreInvoiceLine:
    """One CPLI's week the provider may put on an invoice, as the actuals priced it."""

    actual_id: int
    cpli_id: int
    client: str
    ss_ref: str
    service_level: str
    week_start: date
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    vat_rate: Decimal
    over_exception: bool


def _payment_rule(source: RuleSource, service: Service, period: Period) -> PaymentRule | None:
    """The payment rule of the contract in force when the period starts (None: no rule)."""
    kind = source.contract_type(period.council_id, service.provider_id, period.start_date)
    return source.payment_rules.get((period.council_id, kind))


def payment_method_of(service: Service, period: Period) -> str:
    """How the period's council pays the service's provider under the contract in force when
    the period starts (its payment rule's method; self-billing without a rule)."""
    source = RuleSource.load([period.council_id])
    return payment_method_on(source, period.council_id, service.provider_id, period.start_date)


def payment_method_on(source: RuleSource, council_id: int, provider_id: int, day: date) -> str:
    """How the council pays the provider under the contract in force on the day, from rules
    loaded once (the payment run asks this of every row)."""
    rule = source.payment_rules.get(
        (council_id, source.contract_type(council_id, provider_id, day))
    )
    return rule.payment_method if rule is not None else PaymentMethod.SELF_BILLING


def _may_see(user: User, service: Service) -> bool:
    return user.provider_id is not None and user.provider_id == service.provider_id


def _uninvoiced(service: Service, period: Period) -> QuerySet[Actual]:
    on_invoice = InvoiceLine.objects.filter(actual=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    return Actual.objects.filter(
        period=period, service=service, provider_id=service.provider_id
    ).filter(~Exists(on_invoice))


# What a pre-invoice line needs of its actual, read as values: a model instance per actual,
# CPLI, client and service level cost most of the wizard's time at a large service's size.
_ROW = (
    "pk",
    "cpli_id",
    "week_start",
    "actual",
    "frustrated",
    "frustrated_reason",
    "missed",
    "missed_reason",
    "planned",
    "cost",
    "over_threshold",
    "service_user__title",
    "service_user__first_name",
    "service_user__last_name",
    "service_user__ss_ref",
)


def pre_invoice(user: User, service: Service, period: Period) -> list[PreInvoiceLine]:
    """Every CPLI week of the service with actuals in the period and not yet on an invoice, as
    the invoice's lines would be: empty for a user of another organisation, or where the
    council does not pay this provider on invoice. A fixed number of queries, whatever its size."""
    if not _may_see(user, service):
        return []
    source = RuleSource.load([period.council_id])
    rule = _payment_rule(source, service, period)
    if rule is None or rule.payment_method != PaymentMethod.ON_INVOICE:
        return []
    uninvoiced = _uninvoiced(service, period)
    prices = {
        pk: (rate, level, vat_rate)
        for pk, rate, level, vat_rate in Cpli.objects.filter(
            pk__in=uninvoiced.values("cpli_id")
        ).values_list("pk", "rate", "service_level__name", "service_level__vat_rate")
    }
    # Only a frustrated or missed quantity with its reason is paid in part, by its CPLI's rules:
    # those few CPLIs are read whole, the others as values.
    partly_paid = uninvoiced.filter(
        Q(frustrated__gt=0, frustrated_reason__gt="") | Q(missed__gt=0, missed_reason__gt="")
    )
    ruled = Cpli.objects.filter(pk__in=partly_paid.values("cpli_id")).select_related(
        "service_level"
    )
    cplis = {cpli.pk: cpli for cpli in ruled}
    rows = uninvoiced.order_by(
        "service_user__last_name", "service_user__first_name", "cpli_id", "week_start"
    ).values_list(*_ROW)
    lines = []
    for (
        pk,
        cpli_id,
        week,
        actual,
        frustrated,
        reason,
        missed,
        why,
        planned,
        cost,
        over,
        *name,
        ss_ref,
    ) in rows:
        rate, level, vat_rate = prices[cpli_id]
        entry = Entry(
            actual=actual,
            frustrated=frustrated,
            frustrated_reason=reason,
            missed=missed,
            missed_reason=why,
        )
        quantity = (
            payable_quantity(entry, source.rules(cplis[cpli_id], week), planned)
            if cpli_id in cplis
            else actual
        )
        lines.append(
            PreInvoiceLine(
                actual_id=pk,
                cpli_id=cpli_id,
                # As ServiceUser.full_name puts it: title, first name, last name.
                client=" ".join(part for part in name if part),
                ss_ref=ss_ref,
                service_level=level,
                week_start=week,
                quantity=quantity,
                rate=rate,
                amount=cost,
                vat_rate=vat_rate,
                over_exception=over,
            )
        )
    return lines


def invoices_for(user: User) -> QuerySet[Invoice]:
    """The invoices a user may see: a provider's own (of every council it works for, each under
    that council's rules), a council officer's council's; nobody else's."""
    invoices = Invoice.objects.select_related("council", "provider", "service", "period")
    if user.provider_id is not None:
        return invoices.filter(provider_id=user.provider_id)
    if user.council_id is not None:
        # An Unsubmitted invoice is the provider's draft, still its to change or delete: the
        # council sees an invoice once it is submitted.
        return invoices.filter(council_id=user.council_id).exclude(status=InvoiceStatus.UNSUBMITTED)
    return invoices.none()


def invoice_totals(invoice: Invoice) -> tuple[Decimal, Decimal, Decimal]:
    """Excl VAT, VAT and Total: the sum of the lines to the penny, and each line's VAT rounded
    once."""
    return lines_totals(invoice.lines.values_list("amount", "vat_rate"))


def lines_totals(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal, Decimal]:
    """Excl VAT, VAT and Total of lines given as (amount, VAT rate), as invoice_totals sums an
    invoice's."""
    excl = Decimal("0.00")
    vat = Decimal("0.00")
    for amount, rate in lines:
        excl += amount
        vat += round_money(amount * rate / 100)
    return excl, vat, excl + vat
