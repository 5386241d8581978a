"""Resets by e-mailed link (a forgotten password or passcode), and a new account's set-up link.

Each link is a one-hop door (as Django's PasswordResetConfirmView): the token goes into the
session and the page is served at the same URL with `core.logs.LINK_OPENED` in its place."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from carebridge.accounts import services
from carebridge.accounts.forms import NewPasscodeForm, NewPasswordForm, ResetRequestForm
from carebridge.accounts.models import ResetLink
from carebridge.accounts.passwords import password_rules
from carebridge.accounts.views.common import client_ip
from carebridge.core.logs import LINK_OPENED
from carebridge.core.ratelimits import rate_limited


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("password-reset")
def reset_request(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None, initial={"purpose": request.GET.get("purpose")})
    if request.method == "POST" and form.is_valid():
        services.reset_link_request(
            email=form.cleaned_data["email"],
            purpose=form.cleaned_data["purpose"],
            ip=client_ip(request),
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


def _link_page(*secrets: str) -> Callable[[Callable[..., HttpResponse]], Any]:
    """A page an e-mailed link opens: reached without logging in, never cached, limited like
    every e-mailed link, and the `secrets` it is posted kept out of error reports."""
    decorators = (
        login_not_required,
        sensitive_post_parameters(*secrets),
        never_cache,
        require_http_methods(["GET", "POST"]),
        rate_limited("e-mailed-link"),
    )

    def decorate(view: Any) -> Any:
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return decorate


def _link_problem(
    request: HttpRequest, problem: services.LinkProblem, shown_as: str, status: int
) -> HttpResponse:
    return render(
        request,
        "accounts/reset_link_problem.html",
        {"problem": problem.value, "purpose": shown_as},
        status=status,
    )


def _session_key(shown_as: str) -> str:
    return f"accounts-link:{shown_as}"


def _open_link(
    request: HttpRequest, token: str, *, purpose: str, shown_as: str, page: str
) -> HttpResponse:
    """The e-mailed link's one hop: a genuine token goes into the session and the browser moves
    at once to the page without it, so no address bar, history, Referer or later log line holds
    it. A link that cannot be used shows its problem here, as before."""
    link = services.reset_link_check(token=token, purpose=purpose)
    if isinstance(link, services.LinkProblem):
        status = 404 if link is services.LinkProblem.UNKNOWN else 410
        return _link_problem(request, link, shown_as, status)
    request.session[_session_key(shown_as)] = token
    return redirect(page, token=LINK_OPENED)


def _choose_with_link(
    request: HttpRequest,
    token: str,
    *,
    purpose: str,
    shown_as: str,
    template: str,
    done: str,
    page: str,
) -> HttpResponse:
    """The page an e-mailed link opens: a new password or passcode, chosen once.

    `shown_as` names the link on the page saying it cannot be used ("password", "passcode" or
    "set-up") and its place in the session; `done` is the message on the log-in page after;
    `page` is the view's URL name."""
    if token != LINK_OPENED:
        return _open_link(request, token, purpose=purpose, shown_as=shown_as, page=page)
    kept = request.session.get(_session_key(shown_as))
    if not isinstance(kept, str):
        return _link_problem(request, services.LinkProblem.UNKNOWN, shown_as, 404)
    link = services.reset_link_check(token=kept, purpose=purpose)
    if isinstance(link, services.LinkProblem):
        request.session.pop(_session_key(shown_as), None)
        status = 404 if link is services.LinkProblem.UNKNOWN else 410
        return _link_problem(request, link, shown_as, status)
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
                token=kept, purpose=purpose, secret=form.cleaned_data[field], ip=client_ip(request)
            )
        except ValidationError as error:
            form.add_error(field, error)
        else:
            request.session.pop(_session_key(shown_as), None)
            if isinstance(outcome, services.LinkProblem):
                return _link_problem(request, outcome, shown_as, 410)
            messages.success(request, done)
            return redirect("accounts:login")
    return render(request, template, {"form": form, "purpose": purpose, "account": link.user})


def _reset_with_link(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    return _choose_with_link(
        request,
        token,
        purpose=purpose,
        shown_as=purpose,
        template="accounts/reset_choose.html",
        done=f"Your {purpose} has been changed. You can now log in.",
        page=f"accounts:reset_{purpose}",
    )


@_link_page("new_password", "confirm_password")
def reset_password(request: HttpRequest, token: str) -> HttpResponse:
    return _reset_with_link(request, token, ResetLink.Purpose.PASSWORD)


@_link_page("new_passcode", "confirm_passcode")
def reset_passcode(request: HttpRequest, token: str) -> HttpResponse:
    return _reset_with_link(request, token, ResetLink.Purpose.PASSCODE)


@_link_page("new_password", "confirm_password")
def set_up(request: HttpRequest, token: str) -> HttpResponse:
    """A new account's holder chooses their password from the e-mailed link; their first log-in
    then asks them to choose a passcode."""
    return _choose_with_link(
        request,
        token,
        purpose=ResetLink.Purpose.PASSWORD,
        shown_as="set-up",
        template="accounts/set_up.html",
        done=(
            "Your password is set. Log in now with your e-mail address and your new "
            "password: you will then choose a 6-digit passcode."
        ),
        page="accounts:set_up",
    )
