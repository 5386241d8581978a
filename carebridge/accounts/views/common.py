"""What the log-in, reset and account pages share: the visitor's address, logging in (and the
session's record), a service's errors against a field, the current password asked before a
change, and the authenticator page."""

import base64
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from carebridge.accounts import services
from carebridge.accounts.forms import AuthenticatorCodeForm, AuthenticatorEnrolForm
from carebridge.accounts.models import User
from carebridge.core import ratelimits

LOCKED_MESSAGE = (
    "This account is locked after too many wrong tries. Reset your password or passcode with "
    "the link below, or ask your council's portal administrator to unlock it."
)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def log_in(request: HttpRequest, user: User) -> None:
    """Every step passed: Django's log-in (a new session key), the activity and lifetime clocks
    started (accounts.middleware), and the session recorded against the user."""
    login(request, user, backend="carebridge.accounts.backends.EmailBackend")
    started = time.time()
    request.session["last_seen"] = started
    request.session["logged_in_at"] = started
    record_session(request, user)


def keep_session_after_password_change(request: HttpRequest, user: User) -> None:
    """A new password ended every session of the user (`services.password_change`); the one
    that changed it goes on, with a new key (Django's session hash) and its record made again."""
    update_session_auth_hash(request, user)
    record_session(request, user)


def record_session(request: HttpRequest, user: User) -> None:
    """This session, recorded against the user, with the time it logged in (a session from
    before sessions were recorded: now)."""
    if request.session.session_key is None:
        request.session.save()
    assert request.session.session_key is not None
    started = request.session.get("logged_in_at")
    services.session_begin(
        user=user,
        session_key=request.session.session_key,
        ip=ratelimits.client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        logged_in_at=(
            datetime.fromtimestamp(started, tz=UTC) if isinstance(started, int | float) else None
        ),
    )


def saved(form: Any, field: str, save: Any) -> bool:
    """Run a service; a rule it finds broken is shown against the form's field."""
    try:
        save()
    except ValidationError as error:
        form.add_error(field, error)
        return False
    return True


def own_secret_saved(request: HttpRequest, form: Any, user: User, field: str) -> bool:
    """The user's new password ("new_password") or passcode ("new_passcode") from the form,
    changed by the user themselves; a rule it breaks is shown against the field."""
    change: dict[str, Callable[..., User]] = {
        "new_password": services.password_change,
        "new_passcode": services.passcode_change,
    }
    return saved(
        form,
        field,
        lambda: change[field](
            user=user, by=user, ip=client_ip(request), **{field: form.cleaned_data[field]}
        ),
    )


def confirm_current_password(request: HttpRequest, form: Any, user: User) -> HttpResponse | bool:
    """The current password, asked before any change to how the user logs in.

    True when it is right; False, with the error against the field, when it is wrong (it
    counts towards the lock like a log-in failure, or the page would let a stolen session guess
    the password); a response that logs them out when that answer locked the account.
    """
    outcome = services.password_confirm(
        user=user, password=form.cleaned_data["current_password"], ip=client_ip(request)
    )
    if outcome is services.Outcome.LOCKED:
        logout(request)
        messages.info(request, LOCKED_MESSAGE)
        return redirect("accounts:login")
    if outcome is not services.Outcome.OK:
        form.add_error("current_password", "Your current password is not right")
        return False
    return True


AUTHENTICATOR_KEY = "authenticator_key"


def authenticator_key(request: HttpRequest, user: User) -> str:
    """The secret of the app being set up, kept in the session, not the database, until a code
    from it is entered: the page can be shown again (a mistyped code does not void the scan)
    without its GET writing a device."""
    kept = request.session.get(AUTHENTICATOR_KEY)
    device = services.authenticator_start(
        user=user,
        key=kept["key"] if isinstance(kept, dict) and kept.get("user") == user.pk else None,
    )
    request.session[AUTHENTICATOR_KEY] = {"user": user.pk, "key": device.key}
    return str(device.key)


def authenticator_context(request: HttpRequest, user: User) -> dict[str, Any]:
    device = services.authenticator_start(user=user, key=authenticator_key(request, user))
    uri = device.config_url
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    return {"qr_svg": svg, "secret_key": grouped}


def authenticator_page(
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
        confirmed = not ask_current_password or confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            if services.authenticator_confirm(
                user=user,
                key=authenticator_key(request, user),
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            ):
                request.session.pop(AUTHENTICATOR_KEY, None)
                return on_success()
            form.add_error(
                "code",
                "The code is not right. Check the app shows this account and try the newest code",
            )
    return render(request, template, {"form": form, **authenticator_context(request, user)})
