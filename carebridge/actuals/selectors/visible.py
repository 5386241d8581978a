"""What of actuals a user may see: a council's own, a provider's own."""

from __future__ import annotations

from django.db.models import QuerySet

from carebridge.accounts.models import User
from carebridge.actuals.models import Actual, Period
from carebridge.core.permissions import Function, can_view
from carebridge.organisations.models import Service


def actuals_visible_to(user: User) -> QuerySet[Actual]:
    if not can_view(user.role, Function.ACTUALS):
        return Actual.objects.none()
    if user.council_id is not None:
        return Actual.objects.filter(council_id=user.council_id)
    if user.provider_id is not None:
        return Actual.objects.filter(provider_id=user.provider_id)
    return Actual.objects.none()


def periods_visible_to(user: User) -> QuerySet[Period]:
    """A council's own periods; for a provider, those of the councils it contracts with."""
    if not can_view(user.role, Function.ACTUALS):
        return Period.objects.none()
    if user.council_id is not None:
        return Period.objects.filter(council_id=user.council_id)
    if user.provider_id is not None:
        return Period.objects.filter(council__contracts__provider_id=user.provider_id).distinct()
    return Period.objects.none()


def actual_services_of(user: User, *, include_historical: bool = False) -> list[Service]:
    if user.provider_id is None or not can_view(user.role, Function.ACTUALS):
        return []
    services = Service.objects.filter(provider_id=user.provider_id)
    if not include_historical:
        services = services.filter(is_active=True)
    return list(services.order_by("name"))
