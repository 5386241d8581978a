"""Spend to date for the purchase order pages (core.spend's source, registered by payments'
AppConfig): what finalised runs paid for a client from a provider in a financial year."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from django.db.models import QuerySet, Sum

from carebridge.contracts.commitment import financial_year_bounds
from carebridge.core.spend import Pair
from carebridge.payments.choices import RunStatus
from carebridge.payments.models import PaymentLine


def finalised_lines_in(year: int) -> QuerySet[PaymentLine]:
    """The lines finalised runs paid whose days start in the financial year (a line counts in
    the year its days start, so a block across 31 March counts once): the spend to date of the
    purchase orders and of the council's spend against commitment report."""
    first, last = financial_year_bounds(year)
    return PaymentLine.objects.filter(
        run__status=RunStatus.FINALISED, covers_from__gte=first, covers_from__lte=last
    )


def finalised_spend(
    pairs: Collection[Pair], year: int, service_id: int | None = None
) -> dict[Pair, Decimal]:
    """The total of the finalised lines for each (client, provider) whose days start in the
    financial year (a line counts in the year its days start, so a block across 31 March counts
    once), in one query. Exceptions count with the client's other lines, so an amended week's
    recovery lowers the spend; a provider's balance carried or brought forward names no client
    and counts for no purchase order."""
    if not pairs:
        return {}
    lines = finalised_lines_in(year).filter(
        service_user_id__in={pair[0] for pair in pairs},
        provider_id__in={pair[1] for pair in pairs},
    )
    if service_id is not None:
        lines = lines.filter(service_id=service_id)
    totals = (
        lines.order_by().values_list("service_user_id", "provider_id").annotate(spent=Sum("total"))
    )
    wanted = set(pairs)
    return {
        (client, provider): spent
        for client, provider, spent in totals
        if (client, provider) in wanted
    }
