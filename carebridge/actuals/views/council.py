"""The council's view of actuals: for a period, which providers have confirmed (and whether
late), their exceptions and totals, each linking to its rows (review.py), and when its payment
was processed (by the payment run, which the payments pages prepare)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.models import User
from carebridge.actuals import selectors
from carebridge.core.calendar import today
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function


def council_user(request: HttpRequest, *, edit: bool = False) -> tuple[User, int]:
    user = acting_user(request)
    require_function(user, Function.ACTUALS, edit=edit)
    if user.council_id is None:
        raise PermissionDenied
    return user, user.council_id


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user, council_id = council_user(request)
    periods = list(
        selectors.periods_visible_to(user)
        .filter(start_date__lte=today())
        .order_by("-start_date")[:26]
    )
    chosen = next((p for p in periods if str(p.pk) == request.GET.get("period")), None)
    if chosen is None:
        # The latest period that has ended: the one whose confirmations are due or late.
        ended = [p for p in periods if p.end_date < today()]
        chosen = ended[0] if ended else (periods[0] if periods else None)
    standings = selectors.council_standings(council_id, chosen) if chosen else []
    return render(
        request,
        "actuals/council_overview.html",
        {
            "periods": periods,
            "period": chosen,
            "standings": standings,
            "deadline": selectors.period_deadline(chosen) if chosen else None,
            "not_confirmed": sum(1 for s in standings if s.status in ("not_confirmed", "changed")),
            "ended": chosen is not None and chosen.end_date < today(),
        },
    )
