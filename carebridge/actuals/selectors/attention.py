"""The home page's actuals items: what is waiting for the user to confirm, or to chase."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Max
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Confirmation
from carebridge.actuals.selectors.periods import council_standings, overdue_periods
from carebridge.actuals.selectors.visible import periods_visible_to
from carebridge.core.attention import AttentionItem
from carebridge.core.calendar import today
from carebridge.core.permissions import Function, can_edit


def actuals_attention_for(user: User, *, council_id: int | None = None) -> list[Any]:
    """Home page: a provider's ended periods (of one council, when it chose one) with actuals
    not (or no longer) confirmed; a council's providers that have not confirmed the latest
    ended period. A few queries."""

    if not can_edit(user.role, Function.ACTUALS):
        return []
    recent = (
        periods_visible_to(user)
        .filter(end_date__lt=today(), end_date__gte=today() - timedelta(days=91))
        .filter(payment_processed_at__isnull=True)
    )
    if council_id is not None:
        recent = recent.filter(council_id=council_id)
    if user.provider_id is not None:
        changed = dict(
            Actual.objects.filter(provider_id=user.provider_id, period__in=recent)
            .values_list("period_id")
            .annotate(at=Max("changed_at"))
        )
        confirmed = dict(
            Confirmation.objects.filter(provider_id=user.provider_id, period_id__in=list(changed))
            .values_list("period_id")
            .annotate(at=Max("confirmed_at"))
        )
        waiting_ids = {
            pk for pk, at in changed.items() if pk not in confirmed or at > confirmed[pk]
        }
        # However old, a period past its deadline and not confirmed is still waiting, even one
        # with nothing entered yet.
        waiting = len(waiting_ids | {p.pk for p in overdue_periods(user, council_id=council_id)})
        if not waiting:
            return []
        return [
            AttentionItem(
                "Actuals periods waiting for you to confirm",
                waiting,
                reverse("actuals:period_list"),
                "Review each period's exceptions, then confirm its actuals.",
            )
        ]
    latest = recent.order_by("-end_date").first()
    if latest is None:
        return []
    assert user.council_id is not None
    waiting = sum(
        1
        for s in council_standings(user.council_id, latest)
        if s.rows and s.status in ("not_confirmed", "changed")
    )
    if not waiting:
        return []
    return [
        AttentionItem(
            f"Providers who have not confirmed actuals for {latest.start_date:%d/%m/%Y} to "
            f"{latest.end_date:%d/%m/%Y}",
            waiting,
            f"{reverse('actuals:council_overview')}?period={latest.pk}",
            "Their confirmation is due by the period's deadline; payment follows confirmation.",
        )
    ]
