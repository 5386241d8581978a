"""Log-in step by step, resets by e-mailed link, the user's own account, and administration.

A user is logged in (Django's `login`) only once every step is passed and the account is in
order; until then the session holds only a pending log-in that expires after ten minutes.
"""

import base64
import time
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts import services
from carebridge.accounts.access import (
    AccountChange,
    access_user,
    may_change_account,
    require_function,
)
from carebridge.accounts.forms import (
    AuthenticatorCodeForm,
    AuthenticatorEnrolForm,
    CurrentPasswordForm,
    LoginForm,
    NewPasscodeForm,
    NewPasswordForm,
    PasscodeChangeForm,
    PasscodeForm,
    PasswordChangeForm,
    ResetRequestForm,
    RoleForm,
    UserCreateForm,
)
from carebridge.accounts.http import acting_user
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.passwords import password_rules
from carebridge.accounts.policy import default_failures_before_lock, login_policy_for
from carebridge.accounts.selectors import providers_managed_by, users_list
from carebridge.audit.selectors import events_visible_to, history_of
from carebridge.core.idempotency import key_from_form
from carebridge.core.permissions import Function, can_edit
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.selectors import providers_of_council

PENDING = "pending_login"
PENDING_LIFETIME_SECONDS = 10 * 60

LOCKED_MESSAGE = (
    "This account is locked after too many wrong tries. Reset your password or passcode with "
    "the link below, or ask your council's portal administrator to unlock it."
)
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
}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _pending_user(request: HttpRequest) -> User | None:
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


def _second_step_done(request: HttpRequest) -> bool:
    return bool(request.session.get(PENDING, {}).get("second_step_done"))


def _mark_second_step_done(request: HttpRequest) -> None:
    pending = request.session[PENDING]
    pending["second_step_done"] = True
    request.session[PENDING] = pending


def _owes_second_step(request: HttpRequest, user: User) -> bool:
    """A second step the account has and this log-in has not passed yet."""
    return not _second_step_done(request) and services.second_step_to_check(user) is not None


def _restart_login(request: HttpRequest, message: str = "") -> HttpResponse:
    request.session.pop(PENDING, None)
    if message:
        messages.info(request, message)
    return redirect("accounts:login")


def _continue_login(request: HttpRequest, user: User) -> HttpResponse:
    """Send the user to the next step they owe, or log them in when there is none."""
    if _owes_second_step(request, user):
        return redirect("accounts:login_second_step")
    set_up = services.second_step_is_set_up(user)
    if services.password_change_is_due(user):
        return redirect("accounts:login_new_password")
    if not set_up:
        if services.second_step_for(user) is services.SecondStep.PASSCODE:
            return redirect("accounts:login_new_passcode")
        return redirect("accounts:login_authenticator")
    pending = request.session.pop(PENDING, {})
    outcome = services.login_complete(user=user, ip=_ip(request))
    if outcome is not services.Outcome.OK:
        return _restart_login(request, OUTCOME_MESSAGES[outcome])
    login(request, user, backend="carebridge.accounts.backends.EmailBackend")
    request.session["last_seen"] = time.time()
    return redirect(pending.get("next") or "home:home")


def _safe_next(request: HttpRequest) -> str:
    """The page the user asked for before logging in, if it is one of ours."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


def _saved(form: Any, field: str, save: Any) -> bool:
    """Run a service; a rule it finds broken is shown against the form's field."""
    try:
        save()
    except ValidationError as error:
        form.add_error(field, error)
        return False
    return True


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
            ip=_ip(request),
        )
        if result.outcome is services.Outcome.OK and result.user is not None:
            request.session.cycle_key()
            request.session[PENDING] = {
                "user": result.user.pk,
                "at": time.time(),
                "next": _safe_next(request),
            }
            return _continue_login(request, result.user)
        form.add_error(None, OUTCOME_MESSAGES[result.outcome])
    return render(
        request, "accounts/login.html", {"form": form, "failures": default_failures_before_lock()}
    )


@login_not_required
@sensitive_post_parameters("passcode", "code")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("log-in")
def login_second_step(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _restart_login(request, "Your log-in timed out. Please start again.")
    step = services.second_step_to_check(user)
    if step is None or _second_step_done(request):
        return _continue_login(request, user)
    form_class = PasscodeForm if step is services.SecondStep.PASSCODE else AuthenticatorCodeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        answer = next(iter(form.cleaned_data.values()))
        result = services.login_check_second_step(user=user, answer=answer, ip=_ip(request))
        if result.outcome is services.Outcome.OK:
            _mark_second_step_done(request)
            return _continue_login(request, user)
        if result.outcome is services.Outcome.LOCKED:
            return _restart_login(request, LOCKED_MESSAGE)
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
    return render(request, "accounts/login_second_step.html", {"form": form, "step": step.value})


@login_not_required
@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_new_password(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _restart_login(request, "Your log-in timed out. Please start again.")
    if _owes_second_step(request, user):
        return redirect("accounts:login_second_step")
    if not services.password_change_is_due(user):
        return _continue_login(request, user)
    form = NewPasswordForm(request.POST or None, rules=password_rules(user))
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            "new_password",
            lambda: services.password_change(
                user=user, new_password=form.cleaned_data["new_password"], by=user, ip=_ip(request)
            ),
        )
    ):
        return _continue_login(request, user)
    reason = "first" if user.must_change_password else "expired"
    return render(request, "accounts/login_new_password.html", {"form": form, "reason": reason})


@login_not_required
@sensitive_post_parameters("new_passcode", "confirm_passcode")
@never_cache
@require_http_methods(["GET", "POST"])
def login_new_passcode(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _restart_login(request, "Your log-in timed out. Please start again.")
    if _owes_second_step(request, user):
        return redirect("accounts:login_second_step")
    if services.second_step_is_set_up(user) or services.password_change_is_due(user):
        return _continue_login(request, user)
    form = NewPasscodeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            "new_passcode",
            lambda: services.passcode_change(
                user=user, new_passcode=form.cleaned_data["new_passcode"], by=user, ip=_ip(request)
            ),
        )
    ):
        # Choosing the second step just now counts as passing it.
        _mark_second_step_done(request)
        return _continue_login(request, user)
    return render(request, "accounts/login_new_passcode.html", {"form": form})


def _authenticator_context(user: User) -> dict[str, Any]:
    device = services.authenticator_start(user=user)
    uri = device.config_url
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return {"qr_svg": svg, "secret_key": grouped}


def _authenticator_page(
    request: HttpRequest,
    user: User,
    *,
    template: str,
    on_success: Any,
    ask_current_password: bool = False,
) -> HttpResponse:
    form_class = AuthenticatorEnrolForm if ask_current_password else AuthenticatorCodeForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = not ask_current_password or _confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            if services.authenticator_confirm(
                user=user, code=form.cleaned_data["code"], ip=_ip(request)
            ):
                return on_success()
            form.add_error(
                "code",
                "The code is not right. Check the app shows this account and try the newest code",
            )
    return render(request, template, {"form": form, **_authenticator_context(user)})


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("log-in")
def login_authenticator(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return _restart_login(request, "Your log-in timed out. Please start again.")
    if _owes_second_step(request, user):
        return redirect("accounts:login_second_step")
    if services.second_step_is_set_up(user) or services.password_change_is_due(user):
        return _continue_login(request, user)
    return _authenticator_page(
        request,
        user,
        template="accounts/login_authenticator.html",
        on_success=lambda: _set_up_and_continue(request, user),
    )


def _set_up_and_continue(request: HttpRequest, user: User) -> HttpResponse:
    # Confirming a code from the newly set-up app counts as passing the second step.
    _mark_second_step_done(request)
    return _continue_login(request, user)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_record(user=acting_user(request), ip=_ip(request))
    logout(request)
    messages.success(request, "You have logged out.")
    return redirect("accounts:login")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("password-reset")
def reset_request(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None, initial={"purpose": request.GET.get("purpose")})
    if request.method == "POST" and form.is_valid():
        services.reset_link_request(
            email=form.cleaned_data["email"], purpose=form.cleaned_data["purpose"], ip=_ip(request)
        )
        request.session["reset_sent_to"] = form.cleaned_data["email"]
        return redirect("accounts:reset_sent")
    return render(request, "accounts/reset_request.html", {"form": form})


@login_not_required
@require_http_methods(["GET"])
def reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/reset_sent.html", {"email": request.session.get("reset_sent_to", "")}
    )


def _reset_with_link(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    link = services.reset_link_check(token=token, purpose=purpose)
    if isinstance(link, services.LinkProblem):
        status = 404 if link is services.LinkProblem.UNKNOWN else 410
        return render(
            request,
            "accounts/reset_link_problem.html",
            {"problem": link.value, "purpose": purpose},
            status=status,
        )
    is_password = purpose == ResetLink.Purpose.PASSWORD
    form: NewPasswordForm | NewPasscodeForm = (
        NewPasswordForm(request.POST or None, rules=password_rules(link.user))
        if is_password
        else NewPasscodeForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        field = "new_password" if is_password else "new_passcode"
        try:
            outcome = services.reset_link_use(
                token=token, purpose=purpose, secret=form.cleaned_data[field], ip=_ip(request)
            )
        except ValidationError as error:
            form.add_error(field, error)
        else:
            if isinstance(outcome, services.LinkProblem):
                return render(
                    request,
                    "accounts/reset_link_problem.html",
                    {"problem": outcome.value, "purpose": purpose},
                    status=410,
                )
            messages.success(request, f"Your {purpose} has been changed. You can now log in.")
            return redirect("accounts:login")
    return render(request, "accounts/reset_choose.html", {"form": form, "purpose": purpose})


@login_not_required
@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def reset_password(request: HttpRequest, token: str) -> HttpResponse:
    return _reset_with_link(request, token, ResetLink.Purpose.PASSWORD)


@login_not_required
@sensitive_post_parameters("new_passcode", "confirm_passcode")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def reset_passcode(request: HttpRequest, token: str) -> HttpResponse:
    return _reset_with_link(request, token, ResetLink.Purpose.PASSCODE)


@login_not_required
@sensitive_post_parameters("new_password", "confirm_password")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def set_up(request: HttpRequest, token: str) -> HttpResponse:
    """A new account's holder chooses their password from the e-mailed link; their first log-in
    then asks them to choose a passcode."""
    purpose = ResetLink.Purpose.PASSWORD
    link = services.reset_link_check(token=token, purpose=purpose)
    if isinstance(link, services.LinkProblem):
        status = 404 if link is services.LinkProblem.UNKNOWN else 410
        return render(
            request,
            "accounts/reset_link_problem.html",
            {"problem": link.value, "purpose": "set-up"},
            status=status,
        )
    form = NewPasswordForm(request.POST or None, rules=password_rules(link.user))
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.reset_link_use(
                token=token,
                purpose=purpose,
                secret=form.cleaned_data["new_password"],
                ip=_ip(request),
            )
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            if isinstance(outcome, services.LinkProblem):
                return render(
                    request,
                    "accounts/reset_link_problem.html",
                    {"problem": outcome.value, "purpose": "set-up"},
                    status=410,
                )
            messages.success(
                request,
                "Your password is set. Log in now with your e-mail address and your new "
                "password: you will then choose a 6-digit passcode.",
            )
            return redirect("accounts:login")
    return render(request, "accounts/set_up.html", {"form": form, "account": link.user})


@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "account": user,
            "policy": login_policy_for(user),
            "second_step": services.second_step_for(user).value,
            "has_authenticator": services.authenticator_device(user) is not None,
        },
    )


def _confirm_current_password(request: HttpRequest, form: Any, user: User) -> HttpResponse | bool:
    """The current password, asked before any change to how the user logs in.

    True when it is right; False, with the error against the field, when it is wrong (it
    counts towards the lock like a log-in failure, or the page would let a stolen session guess
    the password); a response that logs them out when that answer locked the account.
    """
    outcome = services.password_confirm(
        user=user, password=form.cleaned_data["current_password"], ip=_ip(request)
    )
    if outcome is services.Outcome.LOCKED:
        logout(request)
        messages.info(request, LOCKED_MESSAGE)
        return redirect("accounts:login")
    if outcome is not services.Outcome.OK:
        form.add_error("current_password", "Your current password is not right")
        return False
    return True


@sensitive_post_parameters("new_password", "confirm_password", "current_password")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(request.POST or None, rules=password_rules(user))
    if request.method == "POST" and form.is_valid():
        confirmed = _confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if not confirmed:
            return render(request, "accounts/password_change.html", {"form": form})
        if _saved(
            form,
            "new_password",
            lambda: services.password_change(
                user=user, new_password=form.cleaned_data["new_password"], by=user, ip=_ip(request)
            ),
        ):
            # Changing the password must not end the session that changed it.
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed.")
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters("current_password", "new_passcode", "confirm_passcode")
@never_cache
@require_http_methods(["GET", "POST"])
def passcode_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasscodeChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = _confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed and _saved(
            form,
            "new_passcode",
            lambda: services.passcode_change(
                user=user, new_passcode=form.cleaned_data["new_passcode"], by=user, ip=_ip(request)
            ),
        ):
            messages.success(request, "Your passcode has been changed.")
            return redirect("accounts:account")
    return render(request, "accounts/passcode_change.html", {"form": form})


@sensitive_post_parameters("current_password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def authenticator_enrol(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)

    def done() -> HttpResponse:
        messages.success(
            request, "Your authenticator app is set up. You will use it to log in from now on."
        )
        return redirect("accounts:account")

    return _authenticator_page(
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
        confirmed = _confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            services.authenticator_remove(user=user, ip=_ip(request))
            messages.success(
                request,
                "Your authenticator app has been removed. You will log in with your passcode.",
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/authenticator_remove.html",
        {"form": form, "has_passcode": user.has_passcode},
    )


@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_function(actor, Function.USER_ACCOUNTS)
    status = request.GET.get("status", "")
    search = request.GET.get("q", "")[:100]
    page = Paginator(users_list(actor, status=status, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "status": status,
            "q": search,
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
