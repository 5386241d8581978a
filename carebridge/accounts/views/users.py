"""User accounts, for the council's administrators: the list, a new account, an account's
page with its role, sessions and history, and unlocking, restoring, logging out everywhere or
closing it."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts import services
from carebridge.accounts.access import AccountChange, access_user, may_change_account
from carebridge.accounts.filters import UserFilters
from carebridge.accounts.forms import RoleForm, UserCreateForm
from carebridge.accounts.selectors import providers_managed_by, sessions_of, users_list
from carebridge.audit.selectors import events_visible_to, history_of
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.lists import LONG_PAGE_SIZE, page_of
from carebridge.core.permissions import Function, can_edit, require_function
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.selectors import providers_of_council


@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_function(actor, Function.USER_ACCOUNTS)
    filters = UserFilters(request.GET, users_list(actor))
    chosen = filters.chosen()
    page = page_of(request, filters.qs, per_page=LONG_PAGE_SIZE)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "status": chosen["status"] or "",
            "q": chosen["q"] or "",
            "can_edit": can_edit(actor.role, Function.USER_ACCOUNTS),
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("e-mail-sending")
def user_create(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_function(actor, Function.USER_ACCOUNTS, edit=True)
    assert actor.council is not None and actor.council_id is not None
    # A provider that also works for another council asks for its contacts through change
    # requests instead (docs/decisions/0006), so it is not offered here.
    providers = list(providers_managed_by(actor.council_id).order_by("name"))
    shared = providers_of_council(actor.council_id).exclude(pk__in=[p.pk for p in providers])
    form = UserCreateForm(
        request.POST or None, council_name=actor.council.name, providers=providers
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data["organisation"]
        try:
            user, password = services.account_create(
                by=actor,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                council=actor.council if organisation == "council" else None,
                provider=form.providers.get(organisation),
                idempotency_key=key_from_form(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            # The one-off password is shown once, here, to be given to the user by phone.
            return render(
                request, "accounts/user_created.html", {"new_user": user, "password": password}
            )
    return render(
        request,
        "accounts/user_create.html",
        {
            "form": form,
            "shared_providers": list(shared.order_by("name").values_list("name", flat=True)),
        },
    )


@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    changing = request.method == "POST"
    user = access_user(actor, pk, change=AccountChange.ROLE if changing else None)
    form = RoleForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_role_change(user=user, role=form.cleaned_data["role"], by=actor)
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, f"{user.full_name}'s role is now {user.get_role_display()}.")
            return redirect("accounts:user_detail", pk=user.pk)
    # The account's history as the actor's own log holds it: a provider's account events are in
    # each of its councils' logs, one copy each.
    events = (
        (history_of(user) & events_visible_to(actor))
        .select_related("actor")
        .order_by("-at", "-id")[:20]
    )
    may = {change.value: may_change_account(actor, user, change) for change in AccountChange}
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": user,
            "form": form,
            "events": events,
            "can_edit": can_edit(actor.role, Function.USER_ACCOUNTS),
            "may": may,
            "has_authenticator": services.authenticator_device(user) is not None,
            "sessions": sessions_of(user),
            "managed_by_provider": user.provider_id is not None and not may["role"],
        },
    )


@require_POST
@rate_limited("e-mail-sending")
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = acting_user(request)
    actions: dict[str, tuple[Any, str]] = {
        "unlock": (services.account_unlock, "{name}'s account is unlocked."),
        "reinstate": (services.account_reinstate, "{name}'s account is restored."),
        "close": (services.account_close, "{name}'s account is closed."),
        "authenticator": (
            services.authenticator_reset,
            "{name}'s authenticator app is removed: they will use their passcode, or set up a "
            "new app if your council requires one, when they next log in.",
        ),
        "sessions": (
            services.account_sessions_end,
            "{name} is logged out everywhere: they must log in again.",
        ),
    }
    if action not in actions:
        return render(
            request, "core/error.html", {"title": "Page not found", "status": 404}, status=404
        )
    user = access_user(actor, pk, change=AccountChange(action))
    service, message = actions[action]
    if service(user=user, by=actor):
        messages.success(request, message.format(name=user.full_name))
    return redirect(reverse("accounts:user_detail", kwargs={"pk": user.pk}))
