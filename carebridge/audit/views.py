from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.audit.filters import EventFilters
from carebridge.audit.selectors import events_visible_to
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, require_function


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require_function(acting_user(request), Function.AUDIT_LOG)
    filters = EventFilters(
        request.GET, events_visible_to(acting_user(request)).select_related("actor")
    )
    action = filters.chosen()["action"] or ""
    page = page_of(request, filters.qs, per_page=LONG_PAGE_SIZE)
    return render(request, "audit/event_list.html", {"page": page, "action": action})
