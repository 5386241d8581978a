"""Reads for the provider's invoice pages: the services and periods it may still invoice (where
the period's council pays it on invoice), and the councils and services its list filters by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from carebridge.actuals.models import Actual, Period
from carebridge.actuals.periods import RuleSource
from carebridge.core.calendar import today
from carebridge.organisations.choices import PaymentMethod
from carebridge.organisations.models import Council, Service
from carebridge.payments.choices import InvoiceKind
from carebridge.payments.models import InvoiceLine
from carebridge.payments.selectors.invoices import _payment_rule

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = ["Invoiceable", "invoiceable", "provider_list_choices", "service_period_of"]


@dataclass(frozen=True)
class Invoiceable:
    """A service's period with actuals not yet on an invoice, whose council pays on invoice."""

    service: Service
    period: Period

    @property
    def value(self) -> str:
        return f"{self.service.pk}-{self.period.pk}"


def invoiceable(user: User) -> list[Invoiceable]:
    """The provider's services and started periods with actuals no invoice holds yet, where the
    period's council pays that provider on invoice (each council's own rule), newest first. Four
    queries, however many periods."""
    if user.provider_id is None:
        return []
    on_invoice = InvoiceLine.objects.filter(actual=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    pairs = set(
        Actual.objects.filter(provider_id=user.provider_id, period__start_date__lte=today())
        .filter(~Exists(on_invoice))
        .order_by()
        .values_list("service_id", "period_id")
        .distinct()
    )
    if not pairs:
        return []
    services = Service.objects.in_bulk({service for service, _period in pairs})
    periods = Period.objects.select_related("council").in_bulk({period for _s, period in pairs})
    source = RuleSource.load({period.council_id for period in periods.values()})
    found = []
    for service_id, period_id in pairs:
        service, period = services[service_id], periods[period_id]
        rule = _payment_rule(source, service, period)
        if rule is not None and rule.payment_method == PaymentMethod.ON_INVOICE:
            found.append(Invoiceable(service, period))
    return sorted(
        found,
        key=lambda each: (
            -each.period.start_date.toordinal(),
            each.period.council.name,
            each.service.name,
        ),
    )


def service_period_of(user: User, service_id: int, period_id: int) -> Invoiceable | None:
    """The provider's own service and a period of a council it works for; None for anything
    else (another provider's service, a council it has no contract with)."""
    if user.provider_id is None:
        return None
    service = Service.objects.filter(pk=service_id, provider_id=user.provider_id).first()
    period = (
        Period.objects.filter(pk=period_id, council__contracts__provider_id=user.provider_id)
        .select_related("council")
        .distinct()
        .first()
    )
    if service is None or period is None:
        return None
    return Invoiceable(service, period)


def provider_list_choices(user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The councils the provider works for and its services: what its invoice list filters by."""
    if user.provider_id is None:
        return [], []
    councils = (
        Council.objects.filter(contracts__provider_id=user.provider_id)
        .distinct()
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    services = (
        Service.objects.filter(provider_id=user.provider_id)
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    return list(councils), list(services)
