"""Periods, their exceptions and who has confirmed them: the provider's list of periods (with
every overdue one, however old), a period's exceptions and total, and the council's view of its
providers' confirmations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Confirmation, Period
from carebridge.actuals.periods import weeks_between
from carebridge.actuals.rules import ZERO
from carebridge.actuals.selectors.visible import actuals_visible_to, periods_visible_to
from carebridge.actuals.services import RUNNING, ConfirmationState
from carebridge.contracts.models import Cpli
from carebridge.core.calendar import now, today
from carebridge.organisations.deadlines import actuals_confirm_by
from carebridge.organisations.models import Provider, Rulebook


def provider_periods(user: User, *, count: int = 12, council_id: int | None = None) -> list[Period]:
    """The provider's councils' periods (one council's, when `council_id`) that have started,
    newest first: the latest `count`, then every older one still waiting to be confirmed past
    its deadline, however old (an overdue period must never drop off the list the provider
    confirms from)."""
    recent = list(
        _of_council(periods_visible_to(user), council_id)
        .filter(start_date__lte=today())
        .select_related("council")
        .order_by("-start_date", "council__name")[:count]
    )
    overdue = overdue_periods(user, excluding=[p.pk for p in recent], council_id=council_id)
    return recent + overdue


def _of_council(periods: QuerySet[Period], council_id: int | None) -> QuerySet[Period]:
    return periods if council_id is None else periods.filter(council_id=council_id)


def overdue_periods(
    user: User, *, excluding: list[int] | None = None, council_id: int | None = None
) -> list[Period]:
    """The provider's periods, newest first, that have ended and are not paid, in which it had
    lines with the council, that it has not confirmed (or changed since), and whose deadline has
    passed. Four queries, however many periods."""
    if user.provider_id is None:
        return []
    provider_id = user.provider_id
    had_lines = Cpli.objects.filter(
        provider_id=provider_id,
        council_id=OuterRef("council_id"),
        status__in=RUNNING,
        start_date__lte=OuterRef("end_date"),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
    candidates = list(
        _of_council(periods_visible_to(user), council_id)
        .filter(end_date__lt=today(), payment_processed_at__isnull=True)
        .exclude(pk__in=excluding or [])
        .filter(Exists(had_lines))
        .select_related("council__rulebook")
        .order_by("-start_date", "council__name")
    )
    ids = [p.pk for p in candidates]
    confirmed = dict(
        Confirmation.objects.filter(provider_id=provider_id, period_id__in=ids)
        .values_list("period_id")
        .annotate(at=Max("confirmed_at"))
    )
    changed = dict(
        Actual.objects.filter(provider_id=provider_id, period_id__in=ids)
        .values_list("period_id")
        .annotate(at=Max("changed_at"))
    )
    moment = now()
    return [
        p
        for p in candidates
        if (p.pk not in confirmed or (p.pk in changed and changed[p.pk] > confirmed[p.pk]))
        and actuals_confirm_by(p.council.rulebook, p.end_date) < moment
    ]


# A row with any exception: Actual.has_exception as a filter.
EXCEPTION = (
    Q(does_not_add_up=True)
    | Q(over_threshold=True)
    | Q(zero_without_comment=True)
    | Q(varies_from_fixed=True)
)


def exceptions_of(user: User, period: Period) -> QuerySet[Actual]:
    return (
        actuals_visible_to(user)
        .filter(period=period)
        .filter(EXCEPTION)
        .select_related("service", "service_user", "cpli__service_level")
        .order_by("week_start", "service__name", "service_user__last_name", "pk")
    )


@dataclass(frozen=True)
class ProviderStanding:
    provider: Provider
    confirmed_at: Any
    late: bool
    changed_since: bool
    exceptions: int
    rows: int
    total: Decimal

    @property
    def status(self) -> str:
        if self.confirmed_at is None:
            return "not_confirmed"
        if self.changed_since:
            return "changed"
        return "late" if self.late else "confirmed"


def council_standings(council_id: int, period: Period) -> list[ProviderStanding]:
    """Every provider the council contracts with, for a period: whether and when it confirmed,
    its exceptions and its total. Four queries, however many providers."""
    providers = list(
        Provider.objects.filter(contracts__council_id=council_id).distinct().order_by("name")
    )
    figures = {
        row["provider_id"]: row
        for row in Actual.objects.filter(period=period)
        .values("provider_id")
        .annotate(
            rows=Count("pk"),
            total=Sum("cost"),
            changed=Max("changed_at"),
            exceptions=Count(
                "pk",
                filter=EXCEPTION,
            ),
        )
    }
    confirmations: dict[int, Confirmation] = {}
    for confirmation in Confirmation.objects.filter(period=period).order_by("confirmed_at"):
        confirmations[confirmation.provider_id] = confirmation  # the latest wins
    standings = []
    for provider in providers:
        row = figures.get(provider.pk, {})
        latest = confirmations.get(provider.pk)
        standings.append(
            ProviderStanding(
                provider=provider,
                confirmed_at=latest.confirmed_at if latest else None,
                late=latest.late if latest else False,
                changed_since=bool(latest and row and row["changed"] > latest.confirmed_at),
                exceptions=row.get("exceptions", 0),
                rows=row.get("rows", 0),
                total=row.get("total") or ZERO,
            )
        )
    return standings


def period_deadline(period: Period) -> Any:
    rulebook = Rulebook.objects.get(council_id=period.council_id)
    return actuals_confirm_by(rulebook, period.end_date)


def period_total(user: User, period: Period) -> Decimal:
    return actuals_visible_to(user).filter(period=period).aggregate(t=Sum("cost"))["t"] or ZERO


def provider_confirmations(user: User, periods: list[Period]) -> dict[int, ConfirmationState]:
    """Each period's confirmation state as `confirmation_state` gives it, without the lines
    still to enter (the list shows status and deadline only: they are counted on the period's
    own page). At most three queries, however many periods: the latest confirmations, the last
    change of the confirmed periods, the councils' rulebooks."""
    assert user.provider_id is not None
    if not periods:
        return {}
    ids = [p.pk for p in periods]
    latest: dict[int, tuple[Any, bool]] = {}
    for period_id, at, late in (
        Confirmation.objects.filter(provider_id=user.provider_id, period_id__in=ids)
        .order_by("confirmed_at", "pk")
        .values_list("period_id", "confirmed_at", "late")
    ):
        latest[period_id] = (at, late)  # the latest wins
    changed: dict[int, Any] = {}
    if latest:
        changed = dict(
            Actual.objects.filter(provider_id=user.provider_id, period_id__in=list(latest))
            .values_list("period_id")
            .annotate(at=Max("changed_at"))
            .order_by()
        )
    rulebooks = {
        r.council_id: r
        for r in Rulebook.objects.filter(council_id__in={p.council_id for p in periods})
    }
    states = {}
    for p in periods:
        at, late = latest.get(p.pk, (None, False))
        last_change = changed.get(p.pk)
        states[p.pk] = ConfirmationState(
            period=p,
            deadline=actuals_confirm_by(rulebooks[p.council_id], p.end_date),
            confirmed_at=at,
            changed_since=at is not None and last_change is not None and last_change > at,
            missing=0,
            confirmed_late=late,
        )
    return states


def weeks_of(period: Period) -> list[date]:
    return list(weeks_between(period.start_date, period.end_date))
