"""Passkeys: the user's own list (add after the current password, name, remove) and the
log-in's passkey step (check one, or set one up once when the council requires it).

The ceremonies' JSON endpoints use django-otp-webauthn's helper and its JavaScript (served as
static files, so the CSP needs no inline script); the user is ours, not `request.user`: during a
log-in it is the pending user of `login.py`.
"""

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware import csrf
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp_webauthn.exceptions import NotAuthenticated
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import BaseWebAuthnView

from carebridge.accounts import services
from carebridge.accounts.forms import CurrentPasswordForm, PasskeyNameForm
from carebridge.accounts.models import User
from carebridge.accounts.services import passkeys
from carebridge.accounts.views import login as login_steps
from carebridge.accounts.views.common import LOCKED_MESSAGE, client_ip, confirm_current_password
from carebridge.accounts.views.sessions import after_a_change
from carebridge.core.http import acting_user

REGISTER_STATE = "passkey_register_state"
AUTH_STATE = "passkey_auth_state"
CONFIRMED_AT = "passkey_add_confirmed_at"
CONFIRMED_LIFETIME_SECONDS = 10 * 60


def _posted(request: HttpRequest) -> dict:
    """The ceremony's JSON, parsed by the library's `BaseWebAuthnView`."""
    return getattr(request, "data", {})


def _helper(request: HttpRequest) -> Any:
    return WebAuthnCredential.get_webauthn_helper(request=request)


def _pop_state(request: HttpRequest, key: str) -> dict:
    # Popped and saved before anything else, so a ceremony's challenge is never used twice.
    state = request.session.pop(key, None)
    request.session.save()
    if not state:
        raise NotAuthenticated()
    return state


def script_config(request: HttpRequest, *, register: str, authenticate: str) -> dict[str, Any]:
    """The configuration django-otp-webauthn's scripts read from the page."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginRegistrationUrl": reverse(f"accounts:{register}_begin"),
        "completeRegistrationUrl": reverse(f"accounts:{register}_complete"),
        "beginAuthenticationUrl": reverse(f"accounts:{authenticate}_begin"),
        "completeAuthenticationUrl": reverse(f"accounts:{authenticate}_complete"),
    }


class _Ceremony(BaseWebAuthnView):
    """A JSON step of a passkey ceremony, for the user `ceremony_user` gives."""

    http_method_names = ["post"]

    def ceremony_user(self, request: HttpRequest) -> User | None:
        raise NotImplementedError

    user: User

    def initial(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        user = self.ceremony_user(request)
        if user is None:
            raise NotAuthenticated()
        self.user = user


class _AccountCeremony(_Ceremony):
    """Adding a passkey from "Your account", minutes after giving the current password."""

    def ceremony_user(self, request: HttpRequest) -> User | None:
        confirmed = request.session.get(CONFIRMED_AT, 0)
        if time.time() - confirmed > CONFIRMED_LIFETIME_SECONDS:
            return None
        return acting_user(request)


class _LoginSetUpCeremony(_Ceremony):
    """Setting up the passkey a council requires, during a log-in that has passed its other
    second step: the password alone never adds one."""

    def ceremony_user(self, request: HttpRequest) -> User | None:
        user = login_steps.pending_user(request)
        if user is None or not login_steps.second_step_done(request):
            return None
        return user


def _register_begin(view: _Ceremony, request: HttpRequest) -> JsonResponse:
    data, state = _helper(request).register_begin(user=view.user)
    request.session[REGISTER_STATE] = state
    return JsonResponse(data)


def _register_complete(view: _Ceremony, request: HttpRequest) -> Any:
    state = _pop_state(request, REGISTER_STATE)
    return passkeys.passkey_registered(
        user=view.user,
        helper=_helper(request),
        state=state,
        data=_posted(request),
        ip=client_ip(request),
    )


@method_decorator(never_cache, name="dispatch")
class AccountRegisterBegin(_AccountCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        return _register_begin(self, request)


@method_decorator(never_cache, name="dispatch")
class AccountRegisterComplete(_AccountCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        device = _register_complete(self, request)
        request.session.pop(CONFIRMED_AT, None)
        return JsonResponse({"id": device.pk})


@method_decorator([login_not_required, never_cache], name="dispatch")
class LoginRegisterBegin(_LoginSetUpCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        return _register_begin(self, request)


@method_decorator([login_not_required, never_cache], name="dispatch")
class LoginRegisterComplete(_LoginSetUpCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        device = _register_complete(self, request)
        # Proving the new passkey just now counts as passing the passkey step.
        login_steps.mark_second_step_done(request, how="passkey")
        return JsonResponse({"id": device.pk})


class _LoginCheckCeremony(_Ceremony):
    def ceremony_user(self, request: HttpRequest) -> User | None:
        user = login_steps.pending_user(request)
        return user if user is not None and passkeys.has_passkey(user) else None


@method_decorator([login_not_required, never_cache], name="dispatch")
class LoginAuthBegin(_LoginCheckCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        data, state = _helper(request).authenticate_begin(
            user=self.user, require_user_verification=True
        )
        request.session[AUTH_STATE] = state
        return JsonResponse(data)


# Rate limited where it is routed (accounts/urls.py), so the limit is seen on the view.
@method_decorator([login_not_required, never_cache], name="dispatch")
class LoginAuthComplete(_LoginCheckCeremony):
    def post(self, request: HttpRequest) -> JsonResponse:
        state = _pop_state(request, AUTH_STATE)
        outcome = passkeys.login_check_passkey(
            user=self.user,
            helper=_helper(request),
            state=state,
            data=_posted(request),
            ip=client_ip(request),
        )
        if outcome is services.Outcome.LOCKED:
            request.session.pop(login_steps.PENDING, None)
            return JsonResponse({"detail": LOCKED_MESSAGE, "code": "locked"}, status=403)
        if outcome is not services.Outcome.OK:
            return JsonResponse(
                {"detail": "The passkey was not accepted. Try again.", "code": "wrong"},
                status=403,
            )
        login_steps.mark_second_step_done(request, how="passkey")
        # The library's script reads a truthy "id" as success, then follows "redirect_url".
        return JsonResponse(
            {"id": "verified", "redirect_url": reverse("accounts:login_second_step")}
        )


# Pages


def _passkeys_of(user: User) -> Any:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


@sensitive_post_parameters("current_password")
@never_cache
@require_http_methods(["GET", "POST"])
def passkeys_page(request: HttpRequest) -> HttpResponse:
    """The user's passkeys, and adding one after giving the current password."""
    user = acting_user(request)
    form = CurrentPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            request.session[CONFIRMED_AT] = time.time()
            return redirect("accounts:passkey_add")
    return render(
        request,
        "accounts/passkeys.html",
        {
            "form": form,
            "passkeys": _passkeys_of(user),
            "required": passkeys.passkey_required(user),
        },
    )


@never_cache
@require_http_methods(["GET"])
def passkey_add(request: HttpRequest) -> HttpResponse:
    confirmed = request.session.get(CONFIRMED_AT, 0)
    if time.time() - confirmed > CONFIRMED_LIFETIME_SECONDS:
        return redirect("accounts:passkeys")
    return render(
        request,
        "accounts/passkey_add.html",
        {
            "webauthn_config": script_config(
                request, register="passkey_register", authenticate="login_passkey"
            ),
            "after": reverse("accounts:passkeys"),
        },
    )


def _own_passkey(request: HttpRequest, pk: int) -> Any:
    device = _passkeys_of(acting_user(request)).filter(pk=pk).first()
    if device is None:
        raise Http404
    return device


@never_cache
@require_http_methods(["GET", "POST"])
def passkey_rename(request: HttpRequest, pk: int) -> HttpResponse:
    device = _own_passkey(request, pk)
    form = PasskeyNameForm(request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        passkeys.passkey_rename(
            user=acting_user(request),
            passkey_id=device.pk,
            name=form.cleaned_data["name"],
            ip=client_ip(request),
        )
        messages.success(request, "Your passkey's name has been changed.")
        return redirect("accounts:passkeys")
    return render(request, "accounts/passkey_rename.html", {"form": form, "passkey": device})


@never_cache
@require_http_methods(["GET", "POST"])
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    device = _own_passkey(request, pk)
    refusal = ""
    if request.method == "POST":
        try:
            passkeys.passkey_remove(
                user=acting_user(request), passkey_id=device.pk, ip=client_ip(request)
            )
        except passkeys.PasskeyRefused as refused:
            refusal = refused.message
        else:
            return after_a_change(request, acting_user(request), "Your passkey has been removed.")
    return render(request, "accounts/passkey_remove.html", {"passkey": device, "refusal": refusal})


@login_not_required
@never_cache
@require_http_methods(["GET"])
def login_passkey_set_up(request: HttpRequest) -> HttpResponse:
    """A council that requires a passkey: its staff member sets one up, once, during a log-in
    that has passed its other second step."""
    user = login_steps.pending_user(request)
    if user is None:
        return login_steps.restart_login(request, login_steps.TIMED_OUT)
    if not login_steps.second_step_done(request) or passkeys.has_passkey(user):
        return login_steps.continue_login(request, user)
    return render(
        request,
        "accounts/login_passkey_set_up.html",
        {
            "webauthn_config": script_config(
                request, register="login_passkey_register", authenticate="login_passkey"
            ),
            "after": reverse("accounts:login_passkey_set_up"),
        },
    )
