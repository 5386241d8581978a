"""Reads behind the purchase orders: a client's purchase order for a financial year (the
commitment of the CPLIs running in it).

Each page fetches its rows in a fixed number of queries and computes the money in Python, with
the same functions the actuals use, so the values agree to the penny.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Max, Min, Q

from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.commitment import (
    financial_year_bounds,
    financial_year_label,
    financial_year_of,
)
from carebridge.contracts.models import Cpli
from carebridge.contracts.selectors import purchase_order_value
from carebridge.core import spend
from carebridge.core.calendar import to_london
from carebridge.core.permissions import Function, can_view

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# What a purchase order is made of: CPLIs the provider agreed to.
COMMITTED = (CpliStatus.ACTIVE, CpliStatus.ENDED)
ZERO = Decimal("0.00")


def purchase_order_cplis(user: User) -> models.QuerySet[Cpli]:
    """The CPLIs a user's purchase orders are made of: their organisation's, agreed."""
    if not can_view(user.role, Function.PURCHASE_ORDERS):
        return Cpli.objects.none()
    if user.council_id is not None:
        cplis = Cpli.objects.filter(council_id=user.council_id)
    elif user.provider_id is not None:
        cplis = Cpli.objects.filter(provider_id=user.provider_id)
    else:
        return Cpli.objects.none()
    return cplis.filter(status__in=COMMITTED)


def running_in(year: int) -> Q:
    """Lines running at some time in the financial year."""
    first, last = financial_year_bounds(year)
    return Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))


def purchase_order_years(user: User, *, today_year: int) -> list[int]:
    """The financial years the user's purchase orders can be looked at for, newest first: from
    the first CPLI's start to the later of this year and the last CPLI's start."""
    span = purchase_order_cplis(user).aggregate(first=Min("start_date"), last=Max("start_date"))
    first = min(today_year, financial_year_of(span["first"]) if span["first"] else today_year)
    last = max(today_year, financial_year_of(span["last"]) if span["last"] else today_year)
    return list(range(last, first - 1, -1))


@dataclass
class PurchaseOrderLine:
    cpli: Cpli
    value: Decimal


@dataclass
class PurchaseOrder:
    """A client's purchase order from one provider for one financial year."""

    year: int
    service_user_id: int
    provider_id: int
    lines: list[PurchaseOrderLine] = field(default_factory=list)
    value: Decimal = ZERO
    issued_at: datetime | None = None
    # What finalised payment runs paid for the client's days in the year (core.spend).
    spend_to_date: Decimal = ZERO

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def remaining(self) -> Decimal:
        """What is left of the value; negative when more has been paid than it holds."""
        return self.value - self.spend_to_date

    @property
    def first(self) -> Cpli:
        return self.lines[0].cpli


def _issued_at(cplis: list[Cpli], year: int) -> datetime | None:
    """When the year's purchase order was issued: the first agreement in the year, or (for a
    package carried into the year) the agreement it carries on from."""
    first, last = financial_year_bounds(year)
    moments = sorted(
        cpli.document.answered_at for cpli in cplis if cpli.document.answered_at is not None
    )
    in_year = [m for m in moments if first <= to_london(m).date() <= last]
    if in_year:
        return in_year[0]
    return moments[0] if moments else None


def _purchase_order(year: int, key: tuple[int, int], cplis: list[Cpli]) -> PurchaseOrder:
    week_start = cplis[0].council.rulebook.actuals_week_start
    order = PurchaseOrder(year=year, service_user_id=key[0], provider_id=key[1])
    for cpli in cplis:
        value = cpli.commitment_in(year=year, week_start=week_start)
        order.lines.append(PurchaseOrderLine(cpli=cpli, value=value))
    order.value = purchase_order_value(cplis, year=year, week_start=week_start)
    order.issued_at = _issued_at(cplis, year)
    return order


def _with_spend(
    orders: list[PurchaseOrder], *, year: int, service: int | None = None
) -> list[PurchaseOrder]:
    """The orders with their spend to date, read for the whole page at once (payments fills
    the registry; a page showing one service counts only what was paid for it)."""
    spent = spend.spend_to_date(
        [(order.service_user_id, order.provider_id) for order in orders],
        year=year,
        service_id=service,
    )
    for order in orders:
        order.spend_to_date = spent[(order.service_user_id, order.provider_id)]
    return orders


def _with_details(cplis: models.QuerySet[Cpli]) -> models.QuerySet[Cpli]:
    return cplis.select_related(
        "service_user",
        "provider",
        "service",
        "service_level",
        "document",
        "council__rulebook",
    ).order_by("start_date", "pk")


def purchase_order_groups(cplis: models.QuerySet[Cpli]) -> models.QuerySet:
    """One row per client and provider of these CPLIs (the user's purchase_order_cplis, as the
    list's filters (contracts.filters.PurchaseOrderFilters) leave them: running in the year
    chosen): what the list pages over. The rows are dicts of service_user_id and provider_id."""
    return (
        cplis.values("service_user_id", "provider_id")
        .distinct()
        .order_by(
            "service_user__last_name",
            "service_user__first_name",
            "service_user_id",
            "provider__name",
            "provider_id",
        )
    )


def purchase_orders_for(
    user: User, groups: list[dict[str, int]], *, year: int, service: int | None = None
) -> list[PurchaseOrder]:
    """The purchase orders of a page's clients, from one query for all their CPLIs."""
    if not groups:
        return []
    keys = [(g["service_user_id"], g["provider_id"]) for g in groups]
    cplis = purchase_order_cplis(user).filter(
        running_in(year),
        service_user_id__in={k[0] for k in keys},
        provider_id__in={k[1] for k in keys},
    )
    if service is not None:
        cplis = cplis.filter(service_id=service)
    grouped: dict[tuple[int, int], list[Cpli]] = defaultdict(list)
    for cpli in _with_details(cplis):
        grouped[(cpli.service_user_id, cpli.provider_id)].append(cpli)
    orders = [_purchase_order(year, key, grouped[key]) for key in keys if grouped.get(key)]
    return _with_spend(orders, year=year, service=service)


def purchase_orders_of_client(
    user: User, service_user_id: int, *, year: int
) -> list[PurchaseOrder]:
    """A client's purchase orders for a year (one per provider; a provider sees its own only).
    Empty when the user may not see the client or nothing ran in the year."""
    cplis = purchase_order_cplis(user).filter(running_in(year), service_user_id=service_user_id)
    grouped: dict[tuple[int, int], list[Cpli]] = defaultdict(list)
    for cpli in _with_details(cplis).order_by("provider__name", "provider_id", "start_date", "pk"):
        grouped[(cpli.service_user_id, cpli.provider_id)].append(cpli)
    orders = [_purchase_order(year, key, lines) for key, lines in grouped.items()]
    return _with_spend(orders, year=year)
