"""Reads of service users, scoped to what the acting user's organisation may see."""

from typing import TYPE_CHECKING

from django.db import models

from carebridge.core.bounds import parse_id
from carebridge.core.permissions import Function, can_view
from carebridge.people.models import ServiceUser

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def service_users_visible_to(user: "User") -> models.QuerySet[ServiceUser]:
    """Council staff whose role may see clients see their own council's service users.

    Providers see service users only through the care they are asked to give (later issues link
    them through referrals and care packages), so none here.
    """
    if user.council_id is None or not can_view(user.role, Function.SERVICE_USERS):
        return ServiceUser.objects.none()
    return ServiceUser.objects.filter(council_id=user.council_id)


def service_users_search(
    people: models.QuerySet[ServiceUser], search: str
) -> models.QuerySet[ServiceUser]:
    """Those matching every word: a name, an SS Ref, an NHS number or a postcode."""
    for word in search.split():
        people = people.filter(
            models.Q(first_name__icontains=word)
            | models.Q(last_name__icontains=word)
            | models.Q(ss_ref__iexact=word)
            | models.Q(nhs_number=word.replace(" ", ""))
            | models.Q(postcode__icontains=word)
        )
    return people


def service_users_list(
    user, *, search: str = "", district: str = ""
) -> models.QuerySet[ServiceUser]:
    people = service_users_search(service_users_visible_to(user).select_related("district"), search)
    if (district_id := parse_id(district)) is not None:
        people = people.filter(district_id=district_id)
    return people.order_by("last_name", "first_name", "pk")
