from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.audit.selectors import history_of
from carebridge.core.http import acting_user
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.people import services
from carebridge.people.access import access_service_user
from carebridge.people.filters import ServiceUserFilters
from carebridge.people.forms import CldDetailsForm, RectifyForm
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
        {
            "person": person,
            "changes": changes,
            "can_send_referral": can_send_referral,
            "can_edit_cld": can_edit(acting_user(request).role, Function.SERVICE_USERS),
        },
    )


@require_http_methods(["GET", "POST"])
def cld_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's Client Level Data details, recorded by staff who may change service users
    (brokers), at their own council only (access_service_user: 404 for another's)."""
    user = acting_user(request)
    require_function(user, Function.SERVICE_USERS, edit=True)
    person = access_service_user(user, pk)
    if request.method == "POST":
        form = CldDetailsForm(request.POST)
        if form.is_valid():
            try:
                services.cld_details_update(by=user, service_user=person, **form.cleaned_data)
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, "The Client Level Data details are saved.")
                return redirect("people:service_user_detail", pk=person.pk)
    else:
        form = CldDetailsForm(initial=CldDetailsForm.initial_of(person))
    return render(request, "people/cld_details.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
def rectify(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a person's details, with the reason, by staff who may change service users at
    the person's own council (access_service_user: 404 for another's)."""
    user = acting_user(request)
    require_function(user, Function.SERVICE_USERS, edit=True)
    person = access_service_user(user, pk)
    services.service_user_viewed(person=person, by=user, ip=request.META.get("REMOTE_ADDR"))
    if request.method == "POST":
        form = RectifyForm(request.POST, council=person.council)
        if form.is_valid():
            try:
                services.service_user_rectify(
                    person=person, by=user, reason=form.cleaned_data["reason"], **form.details()
                )
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, "The correction is saved.")
                return redirect("people:service_user_detail", pk=person.pk)
    else:
        form = RectifyForm(initial=RectifyForm.initial_of(person), council=person.council)
    return render(request, "people/rectify.html", {"person": person, "form": form})
