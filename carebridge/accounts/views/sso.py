"""Single sign-on pages: the button's POST that sends the person to their council's identity
provider, the way back from it, and the council administrator's settings. The flow is in
`carebridge.accounts.sso`."""

import time
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts import services, sso
from carebridge.accounts.models import SingleSignOn
from carebridge.accounts.sso import Reason, SignOnRefused
from carebridge.accounts.views.common import client_ip, log_in
from carebridge.accounts.views.login import OUTCOME_MESSAGES, PENDING
from carebridge.core.forms import GovForm
from carebridge.core.http import acting_user
from carebridge.core.outbound import url_refusal
from carebridge.core.permissions import Function, require_function
from carebridge.core.ratelimits import rate_limited

# The sign-ins this browser has started and not finished, by their `state`.
SESSION_PENDING = "sso_pending"
# The council whose sign-on this session came in through (the settings page asks for it before
# the council's staff may be required to use it).
SESSION_SIGNED_IN_WITH = "sso_council"

_TRY_AGAIN = "Please go back to the log-in page and try again."
_PROBLEMS: dict[Reason, tuple[str, str]] = {
    Reason.NOT_OFFERED: (
        "Single sign-on is not available",
        "This council does not offer single sign-on at the moment. Log in with your e-mail "
        "address and password instead.",
    ),
    Reason.EXPIRED: (
        "Your sign-in has expired",
        f"The sign-in took too long, or this page was opened twice. {_TRY_AGAIN}",
    ),
    Reason.PROVIDER_REFUSED: (
        "You were not signed in",
        f"{{name}} did not sign you in. {_TRY_AGAIN} If it happens again, ask your IT service "
        "desk.",
    ),
    Reason.UNAVAILABLE: (
        "{name} cannot be reached",
        "We could not reach your council's sign-on service. Try again in a few minutes.",
    ),
    Reason.EMAIL_UNVERIFIED: (
        "Your e-mail address was not confirmed",
        "{name} did not confirm your e-mail address, so we cannot match it to a portal account. "
        "Ask your IT service desk to check your account there.",
    ),
    Reason.NO_ACCOUNT: (
        "There is no portal account for you",
        "There is no portal account with the e-mail address you signed in with at {name}. Ask "
        "your organisation's portal administrator to add you with that address.",
    ),
    Reason.NO_MFA: (
        "{name} did not ask for a second step",
        "Your council requires a second step at {name} (a code, an app or a security key), "
        "and it signed you in with a password alone. Sign in again and complete its second "
        "step. If it does not ask for one, ask your IT service desk to turn on multi-factor "
        "authentication for your account.",
    ),
    Reason.SUBJECT_CHANGED: (
        "You were not signed in",
        "The portal account with your e-mail address was set up for someone else at {name}. "
        "Ask your organisation's portal administrator to check the account.",
    ),
    Reason.TOKEN_EXPIRED: (
        "Your sign-in has expired",
        f"{{name}} sent a sign-in that has already expired. {_TRY_AGAIN}",
    ),
}
_UNTRUSTED = (
    "You were not signed in",
    f"{{name}} sent an answer we could not trust, so you have not been signed in. {_TRY_AGAIN} "
    "If it happens again, tell your council's portal administrator.",
)
_ACCOUNT_OUTCOMES = {
    Reason.CLOSED: services.Outcome.CLOSED,
    Reason.LOCKED: services.Outcome.LOCKED,
    Reason.SUSPENDED: services.Outcome.SUSPENDED,
}


def _problem(request: HttpRequest, refusal: SignOnRefused) -> HttpResponse:
    """The refusal in plain words, on a GOV.UK page (it is in the audit log already)."""
    name = refusal.sso.name if refusal.sso is not None else "Your council's sign-on service"
    if refusal.reason in _ACCOUNT_OUTCOMES:
        title, text = "You cannot log in", OUTCOME_MESSAGES[_ACCOUNT_OUTCOMES[refusal.reason]]
    else:
        title, text = _PROBLEMS.get(refusal.reason, _UNTRUSTED)
    status = 503 if refusal.reason is Reason.UNAVAILABLE else 403
    return render(
        request,
        "accounts/sso_problem.html",
        {"title": title.format(name=name), "text": text.format(name=name)},
        status=status,
    )


def _callback_address(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback"))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@login_not_required
@never_cache
@require_POST
@rate_limited("log-in")
def sso_start(request: HttpRequest, council_slug: str) -> HttpResponse:
    """The sign-in page's button: off to the council's identity provider. Someone logged in
    already may sign in again (as another account, say): the new log-in replaces the old."""
    try:
        address, pending = sso.sso_start(
            council_slug=council_slug[:100],
            redirect_uri=_callback_address(request),
            ip=client_ip(request),
        )
    except SignOnRefused as refusal:
        return _problem(request, refusal)
    pending["next"] = _safe_next(request)
    started = {
        state: kept
        for state, kept in request.session.get(SESSION_PENDING, {}).items()
        if time.time() - kept["at"] <= sso.PENDING_LIFETIME_SECONDS
    }
    newest = sorted(started.items(), key=lambda item: item[1]["at"])[-(sso.MAX_PENDING - 1) :]
    request.session[SESSION_PENDING] = {**dict(newest), pending["state"]: pending}
    return redirect(address)


@login_not_required
@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The way back from the provider. The `state` is taken out of the session before anything
    else, so the same answer used twice (a replayed callback) finds nothing."""
    state = request.GET.get("state", "")[:200]
    started = request.session.get(SESSION_PENDING, {})
    pending = started.pop(state, None) if state else None
    request.session[SESSION_PENDING] = started
    request.session.save()
    try:
        user = sso.sso_finish(
            pending=pending,
            params=request.GET,
            redirect_uri=_callback_address(request),
            ip=client_ip(request),
        )
    except SignOnRefused as refusal:
        return _problem(request, refusal)
    assert pending is not None  # sso_finish refuses a sign-in nobody started
    # As the password log-in ends (views.login.continue_login): a new session key, the
    # activity and lifetime clocks started, the session recorded, and any half-done password
    # log-in dropped.
    request.session.pop(PENDING, None)
    request.session.pop(SESSION_PENDING, None)
    log_in(request, user)
    request.session[SESSION_SIGNED_IN_WITH] = pending["council"]
    return redirect(pending.get("next") or "home:home")


class SingleSignOnForm(GovForm):
    name = forms.CharField(
        label="Name on the sign-in button",
        max_length=100,
        help_text="What your staff know it as, like Microsoft Entra ID.",
    )
    issuer = forms.URLField(
        label="Issuer",
        max_length=200,
        assume_scheme="https",
        help_text="Like https://login.microsoftonline.com/<tenant id>/v2.0. Its settings are "
        "read from the issuer's /.well-known/openid-configuration.",
    )
    client_id = forms.CharField(label="Client ID", max_length=200)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "class": "govuk-input"}),
        help_text="Never shown again once saved. Leave blank to keep the one saved.",
    )
    enabled = forms.BooleanField(label="Offer it on the sign-in page", required=False)
    providers_may_use = forms.BooleanField(
        label="Staff of providers working for the council may sign in with it", required=False
    )
    staff_single_sign_on_required = forms.BooleanField(
        label="The council's staff must sign in with it, not with a password",
        required=False,
        help_text="Providers' staff are never required to.",
    )
    sso_requires_mfa = forms.BooleanField(
        label="Require multi-factor at the identity provider",
        required=False,
        help_text="A sign-on is refused unless the provider says it asked for more than a "
        "password (its ID token's amr claim names mfa, otp, hwk, swk or fido).",
    )

    def clean_issuer(self) -> str:
        issuer: str = self.cleaned_data["issuer"]
        refusal = url_refusal(issuer)
        if refusal:
            raise ValidationError(refusal)
        return issuer


def _initial(council: Any) -> dict[str, Any]:
    current = sso.sso_settings_of(council)
    initial: dict[str, Any] = {
        "name": SingleSignOn._meta.get_field("name").get_default(),
        "enabled": True,
        "staff_single_sign_on_required": council.rulebook.staff_single_sign_on_required,
        "sso_requires_mfa": council.rulebook.sso_requires_mfa,
    }
    if current is not None:
        initial.update({name: getattr(current, name) for name in sso.SETTINGS_FIELDS})
    return initial


@never_cache
@sensitive_post_parameters("client_secret")
@require_http_methods(["GET", "POST"])
def sso_settings(request: HttpRequest) -> HttpResponse:
    """The council's single sign-on, for its administrators (the connections function)."""
    user = acting_user(request)
    require_function(user, Function.CONNECTIONS, edit=True)
    if user.council is None:
        raise PermissionDenied
    council = user.council
    current = sso.sso_settings_of(council)
    form = SingleSignOnForm(request.POST or None, initial=_initial(council))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            sso.sso_settings_update(
                council=council,
                by=user,
                client_secret=data.pop("client_secret"),
                staff_single_sign_on_required=data.pop("staff_single_sign_on_required"),
                sso_requires_mfa=data.pop("sso_requires_mfa"),
                signed_in_through_it=request.session.get(SESSION_SIGNED_IN_WITH) == council.pk,
                **data,
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            messages.success(request, "The single sign-on settings are saved.")
            return redirect("accounts:sso_settings")
    return render(
        request,
        "accounts/sso_settings.html",
        {
            "form": form,
            "council": council,
            "current": current,
            "callback_address": _callback_address(request),
        },
    )
