"""The council's review of one provider's actuals in one of its periods: every client's CPLI rows
with their figures, cost, comments and exceptions, the choices its filters offer, and the totals.

Only the council's own rows: a provider working for two councils has each council's actuals in
that council's own period, and `actuals_visible_to` keeps a council user to its own. The page and
the exports run the same number of queries however many rows there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Period
from carebridge.actuals.rules import ZERO, shown
from carebridge.actuals.selectors.visible import actuals_visible_to, periods_visible_to
from carebridge.organisations.models import Provider

# A row with any of these differs from what Generate actuals entered from the plan.
CHANGED_FROM_PLAN = ~Q(actual=F("planned")) | Q(frustrated__gt=0) | Q(missed__gt=0) | Q(extra__gt=0)
EXCEPTION = (
    Q(does_not_add_up=True)
    | Q(over_threshold=True)
    | Q(zero_without_comment=True)
    | Q(varies_from_fixed=True)
)


def review_period(user: User, pk: int) -> Period | None:
    """One of the council user's own periods; None for another council's or none at all."""
    if user.council_id is None:
        return None
    return periods_visible_to(user).filter(pk=pk).select_related("council__rulebook").first()


def review_provider(user: User, pk: int) -> Provider | None:
    """A provider the council user's council contracts with; None for any other."""
    if user.council_id is None:
        return None
    return Provider.objects.filter(pk=pk, contracts__council_id=user.council_id).distinct().first()


def review_actuals(user: User, period: Period, provider: Provider) -> QuerySet[Actual]:
    """The provider's actuals in the council's period, by client, service, service level and
    week: what the filters narrow."""
    return (
        actuals_visible_to(user)
        .filter(period=period, provider=provider, council_id=period.council_id)
        .select_related("service", "service_user", "cpli__service_level")
        .order_by(
            "service_user__last_name",
            "service_user__first_name",
            "service_user_id",
            "service__name",
            "cpli__service_level__name",
            "cpli_id",
            "week_start",
        )
    )


def review_choices(
    actuals: QuerySet[Actual],
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The services and the service levels of the rows, for the filters: two queries."""
    plain = actuals.order_by()
    services = sorted(
        set(plain.values_list("service_id", "service__name")), key=lambda each: each[1]
    )
    levels = sorted(
        set(plain.values_list("cpli__service_level_id", "cpli__service_level__name")),
        key=lambda each: each[1],
    )
    return services, levels


@dataclass(frozen=True)
class ReviewTotals:
    """The filtered rows' totals: how many rows and clients, planned cost and cost, and how many
    rows have exceptions. Quantities are not added up: hours and nights do not sum."""

    rows: int
    clients: int
    planned_cost: Decimal
    cost: Decimal
    exceptions: int


def review_totals(actuals: QuerySet[Actual]) -> ReviewTotals:
    """One query, however many rows."""
    found = actuals.order_by().aggregate(
        rows=Count("pk"),
        clients=Count("service_user_id", distinct=True),
        planned_cost=Sum("planned_cost"),
        cost=Sum("cost"),
        exceptions=Count("pk", filter=EXCEPTION),
    )
    return ReviewTotals(
        rows=found["rows"],
        clients=found["clients"],
        planned_cost=found["planned_cost"] or ZERO,
        cost=found["cost"] or ZERO,
        exceptions=found["exceptions"],
    )


def client_costs(actuals: QuerySet[Actual], client_ids: list[int]) -> dict[int, Decimal]:
    """Each of these clients' cost over all of their filtered rows (one query), so a client whose
    rows run on to the next page shows the same total on both."""
    return dict(
        actuals.filter(service_user_id__in=client_ids)
        .order_by()
        .values_list("service_user_id")
        .annotate(total=Sum("cost"))
        .values_list("service_user_id", "total")
    )


def exception_words(actual: Actual, over_percent: int) -> list[str]:
    """A row's exceptions as the provider's pages name them, with the sum that does not add up."""
    words = []
    if actual.does_not_add_up:
        expected = actual.planned - actual.frustrated - actual.missed + actual.extra
        words.append(
            f"Does not add up: Pl - Frstd - Msd + Xtr = {shown(expected)}, "
            f"but Actual is {shown(actual.actual)}"
        )
    if actual.over_threshold:
        words.append(f"Over plan by more than {over_percent}%")
    if actual.zero_without_comment:
        words.append("Zero without comment")
    if actual.varies_from_fixed:
        words.append("Fixed hours varied")
    return words
