"""Object access for front-door requests: a council's front-door staff read their council's
requests alone; anything else is 404, and a role without the front door is refused."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from carebridge.accounts.models import User
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.frontdoor.models import FrontDoorRequest
from carebridge.frontdoor.requests.selectors import requests_visible_to


def access_request(user: User, pk: int, *, for_change: bool = False) -> FrontDoorRequest:
    require_function(user, Function.FRONT_DOOR)
    request = (
        requests_visible_to(user)
        .select_related("council", "service_user", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    if for_change and not can_edit(user.role, Function.FRONT_DOOR):
        raise PermissionDenied
    return request
