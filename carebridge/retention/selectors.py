"""Reads of retention: who is on legal hold, what an open payment still needs, and the runs'
reports, each scoped to one council."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from carebridge.payments.choices import ClaimStatus, InvoiceStatus, RunStatus, VariationStatus
from carebridge.payments.models import InvoiceLine, OneOffClaim, PaymentLine, VariationRequest
from carebridge.retention.access import council_id_of
from carebridge.retention.models import LegalHold, RetentionRun

if TYPE_CHECKING:
    from carebridge.accounts.models import User
    from carebridge.organisations.models import Council

_OPEN_RUNS = (RunStatus.PREPARED, RunStatus.APPROVED)
_CLOSED_CLAIMS = (ClaimStatus.PAID, ClaimStatus.REJECTED)


def held_service_user_ids(council: Council) -> set[int]:
    """Service users under an open legal hold."""
    return set(
        LegalHold.objects.filter(
            council=council, released_at__isnull=True, service_user__isnull=False
        ).values_list("service_user_id", flat=True)
    )


def held_request_ids(council: Council) -> set[int]:
    """Front-door requests whose person is under an open legal hold (held directly, or as the
    service user the request became)."""
    from carebridge.frontdoor.models import FrontDoorRequest

    direct = LegalHold.objects.filter(
        council=council, released_at__isnull=True, request__isnull=False
    ).values_list("request_id", flat=True)
    by_person = FrontDoorRequest.objects.filter(
        council=council, service_user_id__in=held_service_user_ids(council)
    ).values_list("pk", flat=True)
    return set(direct) | set(by_person)


def open_payment_service_user_ids(council: Council) -> set[int]:
    """Service users an unpaid invoice, an open variation or a payment run not yet finalised
    still pays for: their records stay until the money is settled."""
    in_runs = PaymentLine.objects.filter(
        council=council, run__status__in=_OPEN_RUNS, service_user__isnull=False
    ).values_list("service_user_id", flat=True)
    on_invoices = (
        InvoiceLine.objects.filter(invoice__council=council, cpli__isnull=False)
        .exclude(invoice__status=InvoiceStatus.PAID)
        .values_list("cpli__service_user_id", flat=True)
    )
    in_variations = VariationRequest.objects.filter(
        council=council, status=VariationStatus.REQUESTED
    ).values_list("service_user_id", flat=True)
    return {pk for pk in [*in_runs, *on_invoices, *in_variations] if pk is not None}


def open_payment_action_ids(council: Council) -> set[int]:
    """Actions that carry an open claim's or variation's dialogue."""
    claims = (
        OneOffClaim.objects.filter(council=council, action__isnull=False)
        .exclude(status__in=_CLOSED_CLAIMS)
        .values_list("action_id", flat=True)
    )
    variations = VariationRequest.objects.filter(
        council=council, status=VariationStatus.REQUESTED, action__isnull=False
    ).values_list("action_id", flat=True)
    return {pk for pk in [*claims, *variations] if pk is not None}


def holds_for(user: User, *, open_only: bool = True) -> QuerySet[LegalHold]:
    """The acting council's legal holds, the open ones by default."""
    holds = LegalHold.objects.filter(council_id=council_id_of(user)).select_related(
        "service_user", "request", "placed_by"
    )
    return holds.filter(released_at__isnull=True) if open_only else holds


def runs_for(user: User, *, limit: int = 30) -> list[RetentionRun]:
    """The acting council's latest retention runs with their counts."""
    return list(
        RetentionRun.objects.filter(council_id=council_id_of(user)).prefetch_related("counts")[
            :limit
        ]
    )
