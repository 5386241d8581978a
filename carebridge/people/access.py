"""Object access for service users: 404 when the acting user may not see the person."""

from typing import TYPE_CHECKING

from django.http import Http404

from carebridge.people.models import ServiceUser
from carebridge.people.selectors import service_users_visible_to

if TYPE_CHECKING:
    from carebridge.accounts.models import User


def access_service_user(user: "User", pk: int) -> ServiceUser:
    person = (
        service_users_visible_to(user).select_related("district", "council").filter(pk=pk).first()
    )
    if person is None:
        raise Http404("No such service user")
    return person
