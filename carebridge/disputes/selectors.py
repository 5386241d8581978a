"""Reads of disputes, scoped to the acting user's organisation: a council reads its own disputes,
a provider its own at every council it works for (each under that council's reasons), and the
payment run asks which actual rows an open dispute holds."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from carebridge.actuals.models import Actual
from carebridge.core.permissions import (
    COUNCIL_ROLES,
    PROVIDER_ROLES,
    Function,
    can_view,
)
from carebridge.core.related_to import RelatedTo
from carebridge.disputes.choices import DEFAULT_REASONS, OPEN_STATUSES
from carebridge.disputes.models import Dispute, DisputeReason, DisputeRow
from carebridge.organisations.models import Council

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def _may_read(user: User) -> bool:
    if user.role in PROVIDER_ROLES:
        return user.provider_id is not None and can_view(user.role, Function.ACTUALS)
    if user.role in COUNCIL_ROLES:
        return user.council_id is not None and (
            can_view(user.role, Function.ACTUALS)
            or can_view(user.role, Function.CONTRACT_DOCUMENTS)
        )
    return False


def disputes_for(
    user: User, *, council: Council | None = None, open_only: bool = False
) -> QuerySet[Dispute]:
    """The disputes `user` may see, newest first: a council's own; a provider's own at each of
    its councils (`council`: one of them)."""
    disputes = Dispute.objects.select_related("council", "provider", "reason")
    if not _may_read(user):
        return disputes.none()
    if user.role in COUNCIL_ROLES and user.council_id is not None:
        disputes = disputes.filter(council_id=user.council_id)
    elif user.provider_id is not None:
        disputes = disputes.filter(provider_id=user.provider_id)
    else:
        return disputes.none()
    if council is not None:
        disputes = disputes.filter(council=council)
    if open_only:
        disputes = disputes.filter(status__in=OPEN_STATUSES)
    return disputes


def dispute_rows(dispute: Dispute) -> QuerySet[DisputeRow]:
    """A dispute's rows with what a page shows of each (client, CPLI, service level, week), in
    client and week order; a fixed number of queries however many rows."""
    return (
        DisputeRow.objects.filter(dispute=dispute)
        .select_related(
            "actual",
            "actual__period",
            "actual__service",
            "actual__service_user",
            "actual__cpli__service_level",
        )
        .order_by("actual__service_user__last_name", "actual__week_start", "actual__cpli_id")
    )


def dispute_reasons_for(council: Council, *, include_inactive: bool = False) -> QuerySet:
    """The council's catalogue of reasons, in its order (inactive ones too, for its settings)."""
    reasons = DisputeReason.objects.filter(council=council)
    return reasons if include_inactive else reasons.filter(active=True)


def dispute_catalogue_for(
    council: Council, *, include_inactive: bool = False
) -> list[DisputeReason]:
    """The reasons the council's officers choose from: its own, or, while it keeps none, the
    guide's default list, not saved. Reading writes nothing; the first change that needs them
    (raising a dispute, adding or stopping a reason) saves them (`dispute_reasons_ensure`)."""
    reasons = list(dispute_reasons_for(council, include_inactive=include_inactive))
    if reasons or DisputeReason.objects.filter(council=council).exists():
        return reasons
    return [
        DisputeReason(council=council, label=label, order=n)
        for n, label in enumerate(DEFAULT_REASONS, start=1)
    ]


def open_disputed_actual_ids(
    *,
    council_id: int,
    provider_id: int | None = None,
    actual_ids: Iterable[int] | None = None,
) -> set[int]:
    """The council's actual rows held by an open dispute (of one provider; among `actual_ids`):
    the payment run pays them only once their dispute is resolved."""
    rows = DisputeRow.objects.filter(open=True, dispute__council_id=council_id)
    if provider_id is not None:
        rows = rows.filter(dispute__provider_id=provider_id)
    if actual_ids is not None:
        rows = rows.filter(actual_id__in=list(actual_ids))
    return set(rows.values_list("actual_id", flat=True))


def held_for_amending(actual_ids: Collection[int]) -> set[int]:
    """Of these actual rows (any council's), those in an open dispute: core.holds' source, so
    the provider may still amend them after their period's payment has been processed."""
    return set(
        DisputeRow.objects.filter(open=True, actual_id__in=list(actual_ids)).values_list(
            "actual_id", flat=True
        )
    )


def rows_to_dispute(user: User, *, period_id: int, provider_id: int) -> list[Actual]:
    """A provider's actual rows in one of the user's council's periods, for the raise page, in
    client and week order with what the page shows of each (a fixed number of queries); none
    for another council's period, or a provider with no rows in it."""
    if user.role not in COUNCIL_ROLES or user.council_id is None or not _may_read(user):
        return []
    return list(
        Actual.objects.filter(
            council_id=user.council_id, period_id=period_id, provider_id=provider_id
        )
        .select_related(
            "council", "period", "provider", "service", "service_user", "cpli__service_level"
        )
        .order_by("service_user__last_name", "service_user__first_name", "week_start", "cpli_id")
    )


def open_disputes_of(council_id: int, actual_ids: Iterable[int]) -> dict[int, int]:
    """The open dispute (its id) that holds each of these actual rows of the council, if any."""
    return dict(
        DisputeRow.objects.filter(
            open=True, dispute__council_id=council_id, actual_id__in=list(actual_ids)
        ).values_list("actual_id", "dispute_id")
    )


def dispute_providers(user: User) -> list[tuple[int, str]]:
    """The providers of the council's disputes, for its list's filter."""
    return list(
        disputes_for(user)
        .order_by("provider__name")
        .values_list("provider_id", "provider__name")
        .distinct()
    )


def dispute_page_for(user: User, dispute: Dispute) -> str:
    """The dispute's page for `user`: the council's or the provider's; empty for one who may not
    see the dispute (as disputes_for decides, without a query)."""
    if not _may_read(user):
        return ""
    if user.role in COUNCIL_ROLES and user.council_id == dispute.council_id:
        return reverse("disputes:council_detail", args=[dispute.pk])
    if user.role in PROVIDER_ROLES and user.provider_id == dispute.provider_id:
        return reverse("disputes:dispute_detail", args=[dispute.pk])
    return ""


def related_to_actions(user: User, action_ids: Collection[int]) -> dict[int, RelatedTo]:
    """core.related_to's source for actions about a dispute: "Dispute 12: <reason>, <the other
    side>" (the provider for the council's users, the council for the provider's), linking to
    the dispute's page for whoever may see it; one query for all the actions shown."""
    disputes = (
        Dispute.objects.filter(action_id__in=list(action_ids))
        .select_related("reason", "council", "provider")
        .order_by("pk")
    )
    found: dict[int, RelatedTo] = {}
    for dispute in disputes:
        if dispute.action_id is None or dispute.action_id in found:
            continue
        other = dispute.council if user.provider_id is not None else dispute.provider
        found[dispute.action_id] = RelatedTo(
            label=f"Dispute {dispute.pk}: {dispute.reason.label}, {other.name}",
            url=dispute_page_for(user, dispute),
        )
    return found
