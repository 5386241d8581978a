"""The user's own account: how they log in, where they are logged in, and changing their
password, passcode or authenticator app (each after the current password, and each followed
by the offer to log out of their other sessions: views.sessions)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from carebridge.accounts import services
from carebridge.accounts.forms import CurrentPasswordForm, PasscodeChangeForm, PasswordChangeForm
from carebridge.accounts.passwords import password_rules
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.views.common import (
    authenticator_page,
    client_ip,
    confirm_current_password,
    keep_session_after_password_change,
    own_secret_saved,
)
from carebridge.accounts.views.sessions import after_a_change, sessions_section
from carebridge.core.http import acting_user


@sensitive_post_parameters("current_password")
@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The account's details and how it logs in; a post logs out of other sessions."""
    user = acting_user(request)
    sessions = sessions_section(request, user)
    if isinstance(sessions, HttpResponse):
        return sessions
    return render(
        request,
        "accounts/account.html",
        {
            **sessions,
            "account": user,
            "policy": login_policy_for(user),
            "second_step": services.second_step_for(user).value,
            "has_authenticator": services.authenticator_device(user) is not None,
        },
    )


@sensitive_post_parameters("new_password", "confirm_password", "current_password")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(request.POST or None, rules=password_rules(user))
    if request.method == "POST" and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if not confirmed:
            return render(request, "accounts/password_change.html", {"form": form})
        if own_secret_saved(request, form, user, "new_password"):
            # A new password ends every other session; not the one that changed it.
            keep_session_after_password_change(request, user)
            messages.success(
                request,
                "Your password has been changed, and you have been logged out everywhere else.",
            )
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters("current_password", "new_passcode", "confirm_passcode")
@never_cache
@require_http_methods(["GET", "POST"])
def passcode_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasscodeChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed and own_secret_saved(request, form, user, "new_passcode"):
            return after_a_change(request, user, "Your passcode has been changed.")
    return render(request, "accounts/passcode_change.html", {"form": form})


@sensitive_post_parameters("current_password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def authenticator_enrol(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)

    def done() -> HttpResponse:
        return after_a_change(
            request,
            user,
            "Your authenticator app is set up. You will use it to log in from now on.",
        )

    return authenticator_page(
        request,
        user,
        template="accounts/authenticator_enrol.html",
        on_success=done,
        ask_current_password=True,
    )


@sensitive_post_parameters("current_password")
@never_cache
@require_http_methods(["GET", "POST"])
def authenticator_remove(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if services.authenticator_device(user) is None:
        return redirect("accounts:account")
    if login_policy_for(user).require_authenticator:
        raise PermissionDenied("Your council requires an authenticator app.")
    form = CurrentPasswordForm(request.POST or None)
    if request.method == "POST" and user.has_passcode and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            services.authenticator_remove(user=user, ip=client_ip(request))
            return after_a_change(
                request,
                user,
                "Your authenticator app has been removed. You will log in with your passcode.",
            )
    return render(
        request,
        "accounts/authenticator_remove.html",
        {"form": form, "has_passcode": user.has_passcode},
    )
