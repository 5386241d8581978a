"""Reads of one-off claims, scoped to the acting user's organisation: the claims a user may see,
the payments team's queue, a claim's total payable, the periods whose end a provider may date a
claim (only where the contract's payment rule allows one-off claims), the CPLI a client item is
priced from, and the action types the payments team tells the provider its decision with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from carebridge.actions.models import ActionType
from carebridge.actuals.models import Period
from carebridge.actuals.periods import RuleSource
from carebridge.contracts.choices import CpliStatus, Unit
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import today
from carebridge.organisations.choices import TeamKind
from carebridge.organisations.models import Contract, Service
from carebridge.payments.choices import ClaimStatus
from carebridge.payments.models import ClaimClientItem, ClaimProviderItem, OneOffClaim
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.accounts.models import User

__all__ = [
    "CLAIM_DATES_OFFERED",
    "ClaimDates",
    "claim_action_types",
    "claim_allowed",
    "claim_cpli",
    "claim_dates_for",
    "claim_queue",
    "claim_services_for",
    "claim_total",
    "claim_totals_of",
    "claims_for",
]

# How many of each council's latest periods a provider may date a claim by: a year of
# four-weekly periods, or a quarter of weekly ones.
CLAIM_DATES_OFFERED = 13

# A CPLI agreed by the provider: running now, or ended since (an absence may be in the past).
AGREED = (CpliStatus.ACTIVE, CpliStatus.ENDED)

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)


def claims_for(user: User) -> QuerySet[OneOffClaim]:
    """The claims a user may see: a provider's own (with every council it works for), a council
    officer's council's once submitted (an Unsubmitted claim is the provider's draft)."""
    claims = OneOffClaim.objects.select_related("council", "provider", "service", "period")
    if user.provider_id is not None:
        return claims.filter(provider_id=user.provider_id)
    if user.council_id is not None:
        return claims.filter(council_id=user.council_id).exclude(status=ClaimStatus.UNSUBMITTED)
    return claims.none()


def claim_queue(user: User) -> QuerySet[OneOffClaim]:
    """The council's submitted claims for its payments team to approve or reject, oldest
    first (a claim's last change before its decision is its submission)."""
    if user.council_id is None:
        return OneOffClaim.objects.none()
    return claims_for(user).filter(status=ClaimStatus.SUBMITTED).order_by("changed_at", "pk")


def _sum_of(model: type[ClaimClientItem] | type[ClaimProviderItem]) -> Subquery:
    return Subquery(
        model.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=_MONEY,
    )


def claim_totals_of(claim_ids: Iterable[int]) -> dict[int, Decimal]:
    """Each claim's total payable (its items' amounts, each to the penny), in one query."""
    zero = Value(Decimal("0.00"), output_field=_MONEY)
    rows = (
        OneOffClaim.objects.filter(pk__in=list(claim_ids))
        .annotate(
            clients=Coalesce(_sum_of(ClaimClientItem), zero),
            own=Coalesce(_sum_of(ClaimProviderItem), zero),
        )
        .values_list("pk", "clients", "own")
    )
    return {pk: Decimal(clients) + Decimal(own) for pk, clients, own in rows}


def claim_total(claim: OneOffClaim) -> Decimal:
    """The claim's total payable: the sum of its client and provider items to the penny."""
    return claim_totals_of([claim.pk]).get(claim.pk, Decimal("0.00"))


def claim_allowed(source: RuleSource, council_id: int, provider_id: int, on: date) -> bool:
    """Whether the payment rule of the provider's contract with the council in force on the day
    allows one-off claims (no rule: it does not)."""
    kind = source.contract_type(council_id, provider_id, on)
    rule = source.payment_rules.get((council_id, kind))
    return rule is not None and rule.one_off_claims_allowed


@dataclass(frozen=True)
class ClaimDates:
    """The Dates of Claim a provider may choose: each council's latest periods (the claim is
    dated the period's end) under a contract whose payment rule allows one-off claims."""

    periods: list[Period]

    def choices(self) -> list[tuple[int, str]]:
        """(period id, its end date) for a select, latest first; each date named with its
        council when they come from several."""
        several = len({period.council_id for period in self.periods}) > 1
        return [
            (
                period.pk,
                f"{period.end_date:%d/%m/%Y} ({period.council.name})"
                if several
                else f"{period.end_date:%d/%m/%Y}",
            )
            for period in self.periods
        ]

    def __bool__(self) -> bool:
        return bool(self.periods)


def claim_dates_for(user: User, *, council_id: int | None = None) -> ClaimDates:
    """The periods a provider's user may date a claim by (see ClaimDates); none for anyone
    else. `council_id`: one council's only."""
    if user.provider_id is None:
        return ClaimDates([])
    contracts = Contract.objects.filter(provider_id=user.provider_id)
    if council_id is not None:
        contracts = contracts.filter(council_id=council_id)
    councils = set(contracts.values_list("council_id", flat=True))
    source = RuleSource.load(councils)
    started = (
        Period.objects.filter(council_id__in=councils, start_date__lte=today())
        .select_related("council")
        .order_by("council__name", "council_id", "-start_date")
    )
    offered: list[Period] = []
    counts: dict[int, int] = {}
    for period in started:
        if counts.get(period.council_id, 0) >= CLAIM_DATES_OFFERED:
            continue
        if claim_allowed(source, period.council_id, user.provider_id, period.start_date):
            offered.append(period)
            counts[period.council_id] = counts.get(period.council_id, 0) + 1
    return ClaimDates(offered)


def claim_services_for(user: User) -> QuerySet[Service]:
    """The provider's services a claim may be for."""
    if user.provider_id is None:
        return Service.objects.none()
    return Service.objects.filter(provider_id=user.provider_id).order_by("name")


def claim_cpli(claim: OneOffClaim, ss_ref: str, absence_start: date) -> Cpli | None:
    """The agreed CPLI of the claim's service with its council, for the client with this SS Ref,
    running on the absence's first day, whose rate prices the hours claimed (one in hours
    before any other unit, then the latest started); None when there is none."""
    person = ServiceUser.objects.filter(council_id=claim.council_id, ss_ref=ss_ref).first()
    if person is None:
        return None
    candidates = (
        Cpli.objects.filter(
            council_id=claim.council_id,
            provider_id=claim.provider_id,
            service_id=claim.service_id,
            service_user=person,
            status__in=AGREED,
            start_date__lte=absence_start,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=absence_start))
        .select_related("service_level", "service_user")
        .order_by("-start_date", "-pk")
    )
    found = list(candidates)
    found.sort(key=lambda cpli: cpli.unit != Unit.HOURS)
    return found[0] if found else None


def claim_action_types(council_id: int) -> list[ActionType]:
    """The council's action types the payments team may tell a provider its decision with:
    active and not a safeguarding concern, those of the payments team's first."""
    types = ActionType.objects.filter(
        council_id=council_id, is_active=True, is_safeguarding=False
    ).select_related("default_team")
    return sorted(
        types,
        key=lambda t: (
            t.default_team is None or t.default_team.kind != TeamKind.PAYMENTS,
            t.name.casefold(),
            t.pk,
        ),
    )
