"""Reads of variation requests, scoped to the acting user's organisation: the requests a
provider or council user may see, and what a new request is raised from (one of the provider's
actuals rows or invoice lines)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from carebridge.actuals.models import Actual
from carebridge.contracts.models import Cpli
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.models import Council, Provider
from carebridge.payments.choices import InvoiceKind, VariationStatus
from carebridge.payments.models import InvoiceLine, VariationRequest

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "VariationSource",
    "open_variation_weeks",
    "variation_choices",
    "variation_requests_for",
    "variation_source",
]


def variation_requests_for(user: User) -> QuerySet[VariationRequest]:
    """The variation requests a user may see: a provider's own (of every council it works for),
    with the invoices function; a council's, for its staff who see invoices or contract
    documents; nobody else's."""
    requests = VariationRequest.objects.select_related(
        "council", "provider", "service", "service_user", "cpli__service_level", "document"
    )
    if user.provider_id is not None and can_view(user.role, Function.INVOICES):
        return requests.filter(provider_id=user.provider_id)
    if user.council_id is not None and (
        can_view(user.role, Function.CONTRACT_DOCUMENTS) or can_view(user.role, Function.INVOICES)
    ):
        return requests.filter(council_id=user.council_id)
    return requests.none()


@dataclass(frozen=True)
class VariationSource:
    """What a new variation request is raised from: the CPLI, the week its actual is for, the
    extra over plan that week (nothing when the actual is not over plan), and the invoice line
    that holds the week, if any."""

    cpli: Cpli
    week: date
    extra: Decimal | None
    invoice_line: InvoiceLine | None


def variation_source(user: User, actual_id: int) -> VariationSource | None:
    """The provider's own actuals row `actual_id` as a new request's starting point, with the
    invoice line that holds its week if it is invoiced; None for another provider's row or a
    row that does not exist."""
    if user.provider_id is None:
        return None
    actual = (
        Actual.objects.select_related("cpli__service_level", "cpli__service_user", "cpli__council")
        .filter(pk=actual_id, provider_id=user.provider_id)
        .first()
    )
    if actual is None:
        return None
    line = InvoiceLine.objects.filter(actual=actual, kind=InvoiceKind.INVOICE).first()
    over = actual.actual - actual.planned
    return VariationSource(
        cpli=actual.cpli,
        week=actual.week_start,
        extra=over if over > 0 else None,
        invoice_line=line,
    )


def variation_choices(user: User) -> list[tuple[int, str]]:
    """The organisations a list of variation requests may be filtered by: the provider's
    councils, or the council's providers, each with a request the user sees."""
    requests = variation_requests_for(user)
    if user.provider_id is not None:
        councils = Council.objects.filter(pk__in=requests.values("council_id"))
        return list(councils.order_by("name").values_list("pk", "name"))
    providers = Provider.objects.filter(pk__in=requests.values("provider_id"))
    return list(providers.order_by("name").values_list("pk", "name"))


def open_variation_weeks(
    client_ids: Collection[int], first: date, last: date
) -> dict[int, list[tuple[date, date]]]:
    """Each client's open variation requests (first and last week) that touch the weeks from
    `first` to `last`, in one query: while one is open, another for those weeks is refused
    (variation_request_create), whichever provider asked."""
    found: dict[int, list[tuple[date, date]]] = {}
    requests = VariationRequest.objects.filter(
        service_user_id__in=client_ids,
        status=VariationStatus.REQUESTED,
        first_week__lte=last,
        last_week__gte=first,
    ).values_list("service_user_id", "first_week", "last_week")
    for client_id, first_week, last_week in requests:
        found.setdefault(client_id, []).append((first_week, last_week))
    return found
