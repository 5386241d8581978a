"""The inbox: the provider's actions, or the council team's, through the inbox's filters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.actions import selectors
from carebridge.actions.filters import InboxFilters
from carebridge.actions.views.labels import assigned_label, is_council, related_to
from carebridge.core import calendar
from carebridge.core.http import acting_user
from carebridge.core.lists import page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.organisations.focus import narrow


@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require_function(user, Function.ACTIONS)
    # A provider of several councils that chose one sees its actions with that council.
    filters = InboxFilters(request.GET, narrow(selectors.inbox(user), request), user=user)
    page = page_of(request, filters.qs.values_list("pk", flat=True))
    actions = selectors.inbox_rows(list(page.object_list))
    today = calendar.today()
    related = related_to(user, actions)
    rows = [
        {
            "action": action,
            "re": related[action.pk].label,
            "assigned": assigned_label(user, action),
            "overdue": action.is_overdue_on(today),
        }
        for action in actions
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters.form,
        "chosen": filters.chosen(),
        "is_council": is_council(user),
        "can_raise": can_edit(user.role, Function.ACTIONS),
    }
    return render(request, "actions/action_list.html", context)
