"""Log-in step by step, and log-out.

A user is logged in (Django's `login`) only once every step is passed and the account is in
order; until then the session holds only a pending log-in that expires after ten minutes.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts import services, sso
from carebridge.accounts.forms import (
    AuthenticatorCodeForm,
    LoginForm,
    NewPasscodeForm,
    NewPasswordForm,
    PasscodeForm,
)
from carebridge.accounts.models import User
from carebridge.accounts.passwords import password_rules
from carebridge.accounts.policy import default_failures_before_lock, login_policy_for
from carebridge.accounts.services import passkeys
from carebridge.accounts.views.common import (
    LOCKED_MESSAGE,
    authenticator_page,
    client_ip,
    log_in,
    own_secret_saved,
)
from carebridge.core.http import acting_user
from carebridge.core.ratelimits import rate_limited

PENDING = "pending_login"
PENDING_LIFETIME_SECONDS = 10 * 60
TIMED_OUT = "Your log-in timed out. Please start again."

OUTCOME_MESSAGES = {
    services.Outcome.WRONG: "The e-mail address or password is not right",
    services.Outcome.LOCKED: LOCKED_MESSAGE,
    services.Outcome.SUSPENDED: (
        "Your account is suspended because it has not been used for a long time. Ask your "
        "council's portal administrator to restore it."
    ),
    services.Outcome.CLOSED: (
        "This account has been closed. Ask your organisation's portal administrator if you "
        "still need to use the portal."
    ),
    services.Outcome.SINGLE_SIGN_ON: (
        "Your council asks its staff to sign in with its single sign-on, not a password: use "
        "the sign-in button for your council below."
    ),
}


def pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_LIFETIME_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return (
        User.objects.select_related("council__rulebook", "provider")
        .filter(
            pk=pending["user"], is_active=True, locked_at__isnull=True, suspended_at__isnull=True
        )
        .first()
    )


def second_step_done(request: HttpRequest) -> bool:
    return bool(request.session.get(PENDING, {}).get("second_step_done"))


def mark_second_step_done(request: HttpRequest, *, how: str = "secret") -> None:
    """The second step is passed: `how` is "passkey" or "secret" (passcode or app)."""
    pending = request.session[PENDING]
    pending["second_step_done"] = how
    request.session[PENDING] = pending


def _must_use_passkey(request: HttpRequest, user: User) -> bool:
    """The council requires a passkey, the user has one, and this log-in has not used it."""
    return (
        passkeys.passkey_required(user)
        and passkeys.has_passkey(user)
        and request.session.get(PENDING, {}).get("second_step_done") != "passkey"
    )


def _owes_second_step(request: HttpRequest, user: User) -> bool:
    """A second step the account has and this log-in has not passed yet."""
    return not second_step_done(request) and services.second_step_to_check(user) is not None


def restart_login(request: HttpRequest, message: str = "") -> HttpResponse:
    request.session.pop(PENDING, None)
    if message:
        messages.info(request, message)
    return redirect("accounts:login")


def continue_login(request: HttpRequest, user: User) -> HttpResponse:
    """Send the user to the next step they owe, or log them in when there is none."""
    if _owes_second_step(request, user) or _must_use_passkey(request, user):
        return redirect("accounts:login_second_step")
    set_up = services.second_step_is_set_up(user)
    if services.password_change_is_due(user):
        return redirect("accounts:login_new_password")
    if not set_up:
        if services.second_step_for(user) is services.SecondStep.PASSCODE:
            return redirect("accounts:login_new_passcode")
        return redirect("accounts:login_authenticator")
    if passkeys.passkey_required(user) and not passkeys.has_passkey(user):
        return redirect("accounts:login_passkey_set_up")
    pending = request.session.pop(PENDING, {})
    outcome = services.login_complete(user=user, ip=client_ip(request))
    if outcome is not services.Outcome.OK:
        return restart_login(request, OUTCOME_MESSAGES[outcome])
    log_in(request, user)
    return redirect(pending.get("next") or "home:home")


def _after_second_step(
    view: Callable[[HttpRequest, User], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A step of a pending log-in that comes after the second step: the view is given the
    pending user, once the log-in has not timed out and owes no second step."""

    @wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return restart_login(request, TIMED_OUT)
        if _owes_second_step(request, user):
            return redirect("accounts:login_second_step")
        return view(request, user)

    return step


def _posted_and_saved(request: HttpRequest, form: Any, user: User, field: str) -> bool:
    """The user's own new password or passcode (`field`), posted and saved."""
    return (
        request.method == "POST"
        and form.is_valid()
        and own_secret_saved(request, form, user, field)
    )


def _safe_next(request: HttpRequest) -> str:
    """The page the user asked for before logging in, if it is one of ours."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("log-in")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_check_password(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
        )
        if result.outcome is services.Outcome.OK and result.user is not None:
            request.session.cycle_key()
            request.session[PENDING] = {
                "user": result.user.pk,
                "at": time.time(),
                "next": _safe_next(request),
            }
            return continue_login(request, result.user)
        form.add_error(None, OUTCOME_MESSAGES[result.outcome])
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "failures": default_failures_before_lock(),
            "single_sign_ons": sso.sign_in_choices(),
        },
    )


@login_not_required
@sensitive_post_parameters("passcode", "code")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("log-in")
def login_second_step(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        return restart_login(request, TIMED_OUT)
    if _must_use_passkey(request, user):
        return _passkey_only(request)
    step = services.second_step_to_check(user)
    if step is None or second_step_done(request):
        return continue_login(request, user)
    form_class = PasscodeForm if step is services.SecondStep.PASSCODE else AuthenticatorCodeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = next(iter(form.cleaned_data.values()))
        result = services.login_check_second_step(user=user, answer=answer, ip=client_ip(request))
        if result.outcome is services.Outcome.OK:
            mark_second_step_done(request)
            return continue_login(request, user)
        if result.outcome is services.Outcome.LOCKED:
            return restart_login(request, LOCKED_MESSAGE)
        user.refresh_from_db(fields=["failed_attempts"])
        # Tries still being checked at the same moment are counted already.
        left = max(1, login_policy_for(user).failures_before_lock - user.failed_attempts)
        what = "passcode" if step is services.SecondStep.PASSCODE else "code"
        field = next(iter(form.fields))
        form.add_error(
            field,
            f"The {what} is not right. You have {left} more {'try' if left == 1 else 'tries'} "
            f"before your account is locked.",
        )
    return render(
        request,
        "accounts/login_second_step.html",
        {
            "form": form,
            "step": step.value,
            "webauthn_config": _passkey_config(request, user),
        },
    )


def _passkey_config(request: HttpRequest, user: User) -> dict | None:
    """The passkey scripts' configuration, where the user has a passkey to offer."""
    if not passkeys.has_passkey(user):
        return None
    from carebridge.accounts.views.passkeys import script_config

    return script_config(request, register="login_passkey_register", authenticate="login_passkey")


def _passkey_only(request: HttpRequest) -> HttpResponse:
    """The second step of a council's staff member who must use their passkey: the passcode
    and the app are not offered, and a posted one is not looked at."""
    from carebridge.accounts.views.passkeys import script_config

    config = script_config(request, register="login_passkey_register", authenticate="login_passkey")
    return render(
        request, "accounts/login_passkey.html", {"webauthn_config": config, "required": True}
    )


@login_not_required
@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
@_after_second_step
def login_new_password(request: HttpRequest, user: User) -> HttpResponse:
    if not services.password_change_is_due(user):
        return continue_login(request, user)
    form = NewPasswordForm(request.POST or None, rules=password_rules(user))
    if _posted_and_saved(request, form, user, "new_password"):
        return continue_login(request, user)
    reason = "first" if user.must_change_password else "expired"
    return render(request, "accounts/login_new_password.html", {"form": form, "reason": reason})


@login_not_required
@sensitive_post_parameters("new_passcode", "confirm_passcode")
@never_cache
@require_http_methods(["GET", "POST"])
@_after_second_step
def login_new_passcode(request: HttpRequest, user: User) -> HttpResponse:
    if services.second_step_is_set_up(user) or services.password_change_is_due(user):
        return continue_login(request, user)
    form = NewPasscodeForm(request.POST or None)
    if _posted_and_saved(request, form, user, "new_passcode"):
        # Choosing the second step just now counts as passing it.
        mark_second_step_done(request)
        return continue_login(request, user)
    return render(request, "accounts/login_new_passcode.html", {"form": form})


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("log-in")
@_after_second_step
def login_authenticator(request: HttpRequest, user: User) -> HttpResponse:
    if services.second_step_is_set_up(user) or services.password_change_is_due(user):
        return continue_login(request, user)
    return authenticator_page(
        request,
        user,
        template="accounts/login_authenticator.html",
        on_success=lambda: _set_up_and_continue(request, user),
    )


def _set_up_and_continue(request: HttpRequest, user: User) -> HttpResponse:
    # Confirming a code from the newly set-up app counts as passing the second step.
    mark_second_step_done(request)
    return continue_login(request, user)


# What the browser keeps of the portal is cleared at log-out (ASVS 14.3.1). Not "cookies": that
# would also clear the CSRF cookie the next log-in's form is checked against, the cookie that
# carries "You have logged out." to the log-in page, and the cookies of every other site on the
# council's domain; the session cookie itself is emptied by the log-out.
CLEAR_SITE_DATA = '"cache", "storage"'


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_record(user=acting_user(request), ip=client_ip(request))
    logout(request)
    messages.success(request, "You have logged out.")
    response = redirect("accounts:login")
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
