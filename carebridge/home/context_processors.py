from django.http import HttpRequest

from carebridge.actions.selectors import indicator_for
from carebridge.core.permissions import Function, can_view
from carebridge.home.navigation import navigation_for
from carebridge.organisations.focus import focus_of


def page_shell(request: HttpRequest) -> dict[str, object]:
    """What every page's header needs: the organisation's name, the user's navigation (sections
    and the current section's pages), the actions indicator (open actions waiting for the user's
    side, in one query) and the council a provider is looking at."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"organisation_name": "", "navigation": None, "actions_indicator": None}
    indicator = None
    if can_view(user.role, Function.ACTIONS):
        indicator = indicator_for(user)
    return {
        "organisation_name": user.organisation.name,
        "navigation": navigation_for(user, request.path),
        "actions_indicator": indicator,
        "council_focus": focus_of(request) if user.provider_id else None,
    }
