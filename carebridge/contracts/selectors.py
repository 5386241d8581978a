"""Reads of contracts, scoped to what the acting user's organisation may see."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models

from carebridge.accounts.roles import Function, can_view
from carebridge.contracts.choices import CpliStatus
from carebridge.contracts.commitment import commitment
from carebridge.contracts.models import ContractDocument, Cpli

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def _scoped(user: User, queryset: models.QuerySet, function: Function) -> models.QuerySet:
    if not can_view(user.role, function):
        return queryset.none()
    if user.council_id is not None:
        return queryset.filter(council_id=user.council_id)
    if user.provider_id is not None:
        return queryset.filter(provider_id=user.provider_id)
    return queryset.none()


def contract_documents_visible_to(user: User) -> models.QuerySet[ContractDocument]:
    """A council sees the documents it published; a provider those addressed to it."""
    return _scoped(user, ContractDocument.objects.all(), Function.CONTRACT_DOCUMENTS)


def cplis_visible_to(user: User) -> models.QuerySet[Cpli]:
    return _scoped(user, Cpli.objects.all(), Function.CPLIS)


def purchase_order_value(cplis: Iterable[Cpli], *, year: int, week_start: int) -> Decimal:
    """A client's purchase order for a financial year: the commitment of each active or ended
    CPLI in that year, each the sum of its weekly costs."""
    return sum(
        (
            commitment(
                cpli.weekly_cost, cpli.start_date, cpli.end_date, year=year, week_start=week_start
            )
            for cpli in cplis
            if cpli.status in (CpliStatus.ACTIVE, CpliStatus.ENDED)
        ),
        start=Decimal("0.00"),
    )
