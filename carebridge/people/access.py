"""Object access for service users: 404 when the acting user may not see the person."""

from django.http import Http404

from carebridge.people.models import ServiceUser
from carebridge.people.selectors import service_users_visible_to


def access_service_user(user, pk: int) -> ServiceUser:  # type: ignore[no-untyped-def]
    person = service_users_visible_to(user).select_related("district", "council").filter(pk=pk).first()
    if person is None:
        raise Http404("No such service user")
    return person
