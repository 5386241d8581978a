from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.access import require_function
from carebridge.accounts.http import acting_user
from carebridge.accounts.roles import Function
from carebridge.audit.selectors import events_visible_to


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require_function(acting_user(request), Function.AUDIT_LOG)
    action = request.GET.get("action", "")[:100]
    events = events_visible_to(acting_user(request)).select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "action": action})
