"""Reads of contracts, scoped to what the acting user's organisation may see: the documents, the
CPLI list and its filters, and what the council's publish form offers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.urls import reverse

from carebridge.contracts.choices import CpliStatus, DocumentStatus
from carebridge.contracts.models import ContractDocument, Cpli, ServiceLevel
from carebridge.core import calendar
from carebridge.core.attention import AttentionItem
from carebridge.core.labels import council_labelled
from carebridge.core.permissions import Function, can_edit, can_view
from carebridge.organisations.models import Service
from carebridge.organisations.selectors import providers_of_council

if TYPE_CHECKING:
    from carebridge.accounts.models import User

# What the CPLI list shows by default: lines running (or awaiting agreement) today. A line whose
# end date has passed is historical even while its status still says active.
CURRENT = (CpliStatus.ACTIVE, CpliStatus.PROPOSED)
HISTORICAL = (CpliStatus.ENDED,)


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
    CPLI in that year, each the sum of its weekly costs (a short break's, its allocation)."""
    return sum(
        (
            cpli.commitment_in(year=year, week_start=week_start)
            for cpli in cplis
            if cpli.status in (CpliStatus.ACTIVE, CpliStatus.ENDED)
        ),
        start=Decimal("0.00"),
    )


def client_matches(text: str, prefix: str = "service_user__") -> Q:
    """Every word typed must match the first name, last name or SS Ref."""
    condition = Q()
    for word in text.split():
        condition &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}ss_ref__icontains": word})
        )
    return condition


def current_on(day: date) -> Q:
    """Lines running on `day`: active or awaiting agreement, with no end date or one from `day`
    on."""
    return Q(status__in=CURRENT) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def cplis_listed_for(
    user: User, *, include_historical: bool = False, today: date | None = None
) -> models.QuerySet[Cpli]:
    """The CPLI list and its exports: the same rows, with what each row shows joined in. Current
    lines are active or awaiting agreement with no end date or one from today (London) on;
    historical ones have ended, by their status or by their date. The list's filters
    (contracts.filters.CpliFilters) narrow these rows."""
    cplis = cplis_visible_to(user)
    if include_historical:
        cplis = cplis.filter(status__in=CURRENT + HISTORICAL)
    else:
        cplis = cplis.filter(current_on(today if today is not None else calendar.today()))
    return cplis.select_related("service_user", "service__provider", "service_level").order_by(
        "service_user__last_name", "service_user__first_name", "service_user_id", "start_date", "pk"
    )


def cpli_filter_options(
    user: User, *, council_id: int | None = None
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The services and service levels the user's CPLIs use (of one council, when a provider
    of several chose it), in two queries. A council sees several providers' services, so each
    is named with its provider."""
    visible = cplis_visible_to(user)
    if council_id is not None:
        visible = visible.filter(council_id=council_id)
    services = (
        Service.objects.filter(pk__in=visible.values("service_id"))
        .order_by("provider__name", "name")
        .values_list("pk", "name", "provider__name")
    )
    by_council = user.council_id is not None
    service_choices = [
        (pk, f"{provider} – {name}" if by_council else name) for pk, name, provider in services
    ]
    levels = ServiceLevel.objects.filter(pk__in=visible.values("service_level_id")).values_list(
        "pk", "name", "council__name"
    )
    # A provider of several councils sees each council's levels, often named alike.
    return service_choices, council_labelled(levels)


def services_to_commission(council_id: int) -> list[Service]:
    """The services a council may publish a contract document for: the active services of the
    providers it holds a contract with, by provider."""
    return list(
        Service.objects.filter(provider__in=providers_of_council(council_id), is_active=True)
        .select_related("provider")
        .order_by("name", "provider__name", "pk")
    )


def catalogue_of(council_id: int) -> list[ServiceLevel]:
    """The council's active service levels: what a new contract document can buy."""
    return list(ServiceLevel.objects.filter(council_id=council_id, is_active=True).order_by("name"))


def document_lines(document: ContractDocument) -> list[tuple[Cpli, date | None]]:
    """The lines a document is about, each with its last day: an order's own CPLIs (None: as
    they stand), or for a termination the order's CPLIs and the day each ends under it."""
    if document.terminates_id is None or document.end_date is None:
        cplis = document.cplis.select_related("service_level").order_by("pk")
        return [(cpli, None) for cpli in cplis]
    end = document.end_date
    cplis = Cpli.objects.filter(document_id=document.terminates_id)
    return [
        (cpli, cpli.last_day_under(end))
        for cpli in cplis.select_related("service_level").order_by("pk")
    ]


def contract_attention_for(user: User, *, council_id: int | None = None) -> list[AttentionItem]:
    """Home-page counts: for a provider, documents waiting for its answer (of one council,
    when it chose one); for the council, rejected documents not yet issued again."""

    if not can_edit(user.role, Function.CONTRACT_DOCUMENTS):
        return []
    documents = contract_documents_visible_to(user)
    if council_id is not None:
        documents = documents.filter(council_id=council_id)
    url = reverse("contracts:document_list")
    if user.provider_id is not None:
        waiting = documents.filter(status=DocumentStatus.PUBLISHED).count()
        label, status = "Contract documents waiting for your answer", DocumentStatus.PUBLISHED
        hint = "Agree to each one, or reject it saying what is wrong."
    else:
        waiting = documents.filter(status=DocumentStatus.REJECTED, replaced_by__isnull=True).count()
        label, status = "Contract documents rejected by the provider", DocumentStatus.REJECTED
        hint = "Issue a new document in place of each one, putting right what the provider says."
    if not waiting:
        return []
    return [AttentionItem(label, waiting, f"{url}?status={status}", hint)]
