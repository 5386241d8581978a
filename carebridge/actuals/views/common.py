"""What the provider's actuals pages share: who is asking, and which service and week."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from carebridge.accounts.models import User
from carebridge.actuals import selectors
from carebridge.actuals.access import require_actuals_offered
from carebridge.actuals.periods import week_of
from carebridge.core.bounds import parse_iso_date
from carebridge.core.http import acting_user
from carebridge.core.permissions import Function, require_function
from carebridge.organisations.focus import chosen_council_id
from carebridge.organisations.models import Rulebook, Service


def provider_user(request: HttpRequest, *, edit: bool = False) -> User:
    user = acting_user(request)
    require_function(user, Function.ACTUALS, edit=edit)
    if user.provider_id is None:
        raise PermissionDenied
    # Not to a provider no council (or not the one it looks at) pays on actuals.
    require_actuals_offered(user, chosen_council_id(request))
    return user


def provider_id(user: User) -> int:
    assert user.provider_id is not None
    return user.provider_id


def first_weekday(user: User) -> int:
    """The weekday the provider's councils start their weeks on (Monday unless they say)."""
    day = (
        Rulebook.objects.filter(council__contracts__provider_id=provider_id(user))
        .values_list("actuals_week_start", flat=True)
        .first()
    )
    return day if day is not None else 0


def chosen_week(value: str | None, week_start: int) -> date:
    """The week asked for, or the default week when the date is missing, malformed or outside
    the years any care is recorded in (a week in year 1 or 9999 overflows the date arithmetic)."""
    day = parse_iso_date(value)
    return week_of(day, week_start) if day is not None else selectors.default_week(week_start)


def chosen_service(user: User, value: str | None, services_: list[Service]) -> Service:
    if not services_:
        raise Http404("No services")
    if not value:
        return services_[0]
    for service in services_:
        if str(service.pk) == value:
            return service
    historical = selectors.actual_services_of(user, include_historical=True)
    for service in historical:
        if str(service.pk) == value:
            return service
    return services_[0]


def week_url(service: Service, week: date, **extra: Any) -> str:
    query = {"service": service.pk, "week": week.isoformat(), **extra}
    return f"{reverse('actuals:week')}?{urlencode({k: v for k, v in query.items() if v})}"
