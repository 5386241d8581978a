from django.http import HttpRequest

from carebridge.actions.selectors import indicator_for
from carebridge.core.permissions import Function, can_view
from carebridge.home.navigation import navigation_for


def page_shell(request: HttpRequest) -> dict[str, object]:
    """What every page's header needs: the organisation's name, the user's navigation and the
    actions indicator (open actions waiting for the user's side, in one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"organisation_name": "", "navigation": [], "actions_indicator": None}
    indicator = None
    if can_view(user.role, Function.ACTIONS):
        indicator = indicator_for(user)
    return {
        "organisation_name": user.organisation.name,
        "navigation": navigation_for(user, request.path),
        "actions_indicator": indicator,
    }
