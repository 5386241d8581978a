"""The filters of the payments lists: the council's invoice queue and the provider's invoices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from carebridge.accounts.models import User
from carebridge.core.lists import ChoiceFilter, IdChoiceFilter, ListFilterSet, SearchFilter
from carebridge.payments.choices import InvoiceKind, InvoiceStatus
from carebridge.payments.models import Invoice
from carebridge.payments.selectors import queue_choices

# The payments team's work: what the queue shows before anyone filters it, and whenever a filter
# is not valid.
WAITING = "waiting"
QUEUE_DEFAULTS: dict[str, Any] = {"status": WAITING, "provider": None, "service": None, "q": ""}
QUEUE_STATUSES = [
    (WAITING, "Submitted and held"),
    *[(s.value, s.label) for s in InvoiceStatus if s != InvoiceStatus.UNSUBMITTED],
    ("all", "Any status"),
]


class CouncilQueueFilters(ListFilterSet):
    """The council's invoice queue by status (submitted and held until chosen otherwise),
    provider, service, and the provider's invoice reference."""

    status = ChoiceFilter(label="Status", choices=QUEUE_STATUSES, method="filter_status")
    provider = IdChoiceFilter(label="Provider", field_name="provider_id")
    service = IdChoiceFilter(label="Service", field_name="service_id")
    q = SearchFilter(
        label="Invoice reference",
        help_text="All or part of the provider's reference",
        max_length=50,
        method="filter_q",
    )

    defaults = QUEUE_DEFAULTS

    def __init__(self, data: Any, queryset: QuerySet[Invoice], *, user: User) -> None:
        super().__init__(data, queryset)
        providers, services = queue_choices(user)
        self.set_choices("provider", [("", "All providers"), *providers])
        self.set_choices("service", [("", "All services"), *services])

    def filter_status(
        self, invoices: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        if value == WAITING:
            return invoices.filter(status__in=[InvoiceStatus.SUBMITTED, InvoiceStatus.HELD])
        if value in InvoiceStatus.values:
            return invoices.filter(status=value)
        return invoices

    def filter_q(self, invoices: QuerySet[Invoice], name: str, value: str) -> QuerySet[Invoice]:
        term = value.strip()
        return invoices.filter(reference__icontains=term) if term else invoices


class ProviderInvoiceFilters(ListFilterSet):
    """The provider's invoices, of every council it works for: by council, status, kind,
    service, and its own invoice reference."""

    council = IdChoiceFilter(label="Council", field_name="council_id")
    status = ChoiceFilter(
        label="Status", choices=[("", "Any status"), *InvoiceStatus.choices], field_name="status"
    )
    kind = ChoiceFilter(
        label="Kind", choices=[("", "Invoices and credit notes"), *InvoiceKind.choices]
    )
    service = IdChoiceFilter(label="Service", field_name="service_id")
    reference = SearchFilter(
        label="Invoice reference",
        help_text="All or part of your reference",
        max_length=50,
        method="filter_reference",
    )

    def __init__(
        self,
        data: Any,
        queryset: QuerySet[Invoice],
        *,
        councils: list[tuple[int, str]],
        services: list[tuple[int, str]],
    ) -> None:
        super().__init__(data, queryset)
        self.set_choices("council", [("", "All councils"), *councils])
        self.set_choices("service", [("", "All services"), *services])

    def filter_reference(
        self, invoices: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        term = value.strip()
        return invoices.filter(reference__icontains=term) if term else invoices
