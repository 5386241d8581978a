from django.http import HttpRequest

from carebridge.core.navigation import navigation_for


def page_shell(request: HttpRequest) -> dict[str, object]:
    """What every page's header needs: the organisation's name and the user's navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"organisation_name": "", "navigation": []}
    return {
        "organisation_name": user.organisation.name,
        "navigation": navigation_for(user, request.path),
    }
