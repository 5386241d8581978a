from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.http import acting_user
from carebridge.home import selectors
from carebridge.organisations.focus import chosen_council


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What needs the user's attention: one page for council staff, one for providers."""
    user = acting_user(request)
    if user.is_council_user:
        context = selectors.council_home(user)
        return render(request, "home/home_council.html", context)
    # The page's own council filter, else the council a provider of several chose to look at.
    chosen = chosen_council(request)
    context = selectors.provider_home(
        user,
        council_slug=request.GET.get("council"),
        chosen_slug=chosen.slug if chosen is not None else "",
    )
    return render(request, "home/home_provider.html", context)
