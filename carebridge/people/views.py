from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.audit.selectors import history_of
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.people import services
from carebridge.people.access import access_service_user
from carebridge.people.filters import ServiceUserFilters
from carebridge.people.selectors import service_users_list


@require_GET
def service_user_list(request: HttpRequest) -> HttpResponse:
    require_function(acting_user(request), Function.SERVICE_USERS)
    filters = ServiceUserFilters(request.GET, service_users_list(acting_user(request)))
    page = page_of(request, filters.qs, per_page=LONG_PAGE_SIZE)
    search = filters.chosen()["q"] or ""
    return render(request, "people/service_user_list.html", {"page": page, "q": search})


@require_GET
def service_user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access_service_user(acting_user(request), pk)
    services.service_user_viewed(
        person=person, by=acting_user(request), ip=request.META.get("REMOTE_ADDR")
    )
    changes = history_of(person).exclude(action="service_user.viewed").select_related("actor")
    can_send_referral = can_edit(acting_user(request).role, Function.REFERRALS)
    return render(
        request,
        "people/service_user_detail.html",
        {"person": person, "changes": changes, "can_send_referral": can_send_referral},
    )
