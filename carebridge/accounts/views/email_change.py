"""Changing one's own e-mail address: the new address and the current password, then the link
e-mailed to the new address, confirmed with a button (a GET changes nothing).

The link is a one-hop door like the reset links (`views.reset`): its token goes into the session
and the page is served at the same URL with `core.logs.LINK_OPENED` in its place. Unlike them it
needs the user logged in, and only its own user can use it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from carebridge.accounts import services
from carebridge.accounts.forms import EmailChangeConfirmForm, EmailChangeForm
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.views.common import client_ip, confirm_current_password
from carebridge.core.http import acting_user
from carebridge.core.idempotency import key_from_form
from carebridge.core.logs import LINK_OPENED
from carebridge.core.ratelimits import rate_limited
from carebridge.organisations.selectors import councils_of_provider

SENT_TO = "email_change_sent_to"
KEPT = "accounts-link:email"


@sensitive_post_parameters("current_password")
@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("email-change")
def email_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    refusal = services.email_change_refusal(user)
    form = EmailChangeForm(request.POST or None)
    if refusal is None and request.method == "POST" and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            try:
                services.email_change_request(
                    user=user,
                    new_email=form.cleaned_data["email"],
                    ip=client_ip(request),
                    idempotency_key=key_from_form(request),
                )
            except ValidationError as error:
                form.add_errors(error)
            else:
                request.session[SENT_TO] = services.normalise_email(form.cleaned_data["email"])
                return redirect("accounts:email_change_sent")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form, "refusal": refusal, "account": user},
    )


@require_GET
def email_change_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/email_change_sent.html",
        {"email": request.session.get(SENT_TO, ""), "account": acting_user(request)},
    )


def _problem(request: HttpRequest, problem: services.LinkProblem) -> HttpResponse:
    status = 404 if problem is services.LinkProblem.UNKNOWN else 410
    return render(
        request, "accounts/email_change_problem.html", {"problem": problem.value}, status=status
    )


def _councils(user: User) -> list[object]:
    if user.provider_id is None:
        return []
    return list(councils_of_provider(user.provider_id).order_by("name"))


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("e-mailed-link")
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    user = acting_user(request)
    if token != LINK_OPENED:
        opened = services.email_change_check(user=user, token=token)
        if isinstance(opened, services.LinkProblem):
            return _problem(request, opened)
        request.session[KEPT] = token
        return redirect("accounts:email_change_confirm", token=LINK_OPENED)
    kept = request.session.get(KEPT)
    if not isinstance(kept, str):
        return _problem(request, services.LinkProblem.UNKNOWN)
    link = services.email_change_check(user=user, token=kept)
    if isinstance(link, services.LinkProblem):
        request.session.pop(KEPT, None)
        return _problem(request, link)
    # A form with no fields (one council, or none to choose) still posts.
    posted = request.POST if request.method == "POST" else None
    form = EmailChangeConfirmForm(posted, councils=_councils(user))
    if request.method == "POST" and form.is_valid():
        try:
            done = services.email_change_confirm(
                user=user,
                token=kept,
                keep_session=request.session.session_key,
                council=form.council(),
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_errors(error)
        else:
            request.session.pop(KEPT, None)
            return _confirmed(request, link, done)
    return render(
        request,
        "accounts/email_change_confirm.html",
        {"form": form, "new_email": link.new_email, "for_provider": user.provider_id is not None},
    )


def _confirmed(request: HttpRequest, link: ResetLink, done: object) -> HttpResponse:
    if isinstance(done, services.LinkProblem):
        return _problem(request, done)
    if isinstance(done, User):
        messages.success(
            request,
            f"Your e-mail address is now {link.new_email}: log in with it from now on. You "
            "have been logged out everywhere else.",
        )
    else:
        council = getattr(done, "council", None)
        messages.success(
            request,
            f"Your request to change your e-mail address to {link.new_email} has been sent to "
            f"{council.name if council else 'the council'}. Your log-in changes when they "
            "approve it; Change requests shows their answer. You have been logged out "
            "everywhere else.",
        )
    return redirect("accounts:account")
