"""The user's own sessions, shown on Your account: where they are logged in now, and logging
out of the others after their current password (ASVS 7.4.3, 7.5.2). The pages that change how
the user logs in send them there afterwards."""

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from carebridge.accounts import services
from carebridge.accounts.forms import SessionsEndForm
from carebridge.accounts.models import User
from carebridge.accounts.selectors import SessionRow, sessions_of
from carebridge.accounts.views.common import (
    client_ip,
    confirm_current_password,
    record_session,
)
from carebridge.core.bounds import parse_id
from carebridge.core.formats import guide_datetime

EVERY_OTHER = "others"
# The part of Your account that lists the sessions.
ANCHOR = "sessions"


def _rows(request: HttpRequest, user: User) -> list[SessionRow]:
    """The user's sessions, this one among them: a session logged in before sessions were
    recorded is recorded when its owner first looks."""
    key = request.session.session_key
    rows = sessions_of(user, current_key=key)
    if key and not any(row.current for row in rows):
        record_session(request, user)
        rows = sessions_of(user, current_key=key)
    return rows


def _label(row: SessionRow) -> str:
    where = f" from {row.ip_address}" if row.ip_address else ""
    return f"{row.browser}{where}, logged in {guide_datetime(row.logged_in_at)}"


def after_a_change(request: HttpRequest, user: User, message: str) -> HttpResponse:
    """Where a page that changed how the user logs in goes next: Your account, at the list of
    their sessions offering to log out of the others when they have others."""
    rows = sessions_of(user, current_key=request.session.session_key)
    if any(not row.current for row in rows):
        message += " If someone else may have used your account, log out of your other sessions."
        messages.success(request, message)
        return redirect(f"{reverse('accounts:account')}#{ANCHOR}")
    messages.success(request, message)
    return redirect("accounts:account")


def sessions_section(request: HttpRequest, user: User) -> HttpResponse | dict[str, Any]:
    """The "Where you are logged in" part of Your account: the user's sessions, and the form
    that logs out of the others (posted to Your account). A response when the post is done."""
    rows = _rows(request, user)
    others = [row for row in rows if not row.current]
    form = SessionsEndForm(request.POST or None)
    cast(forms.ChoiceField, form.fields["which"]).choices = [
        (EVERY_OTHER, "Every other session"),
        *((str(row.id), _label(row)) for row in others),
    ]
    if request.method == "POST" and others and form.is_valid():
        confirmed = confirm_current_password(request, form, user)
        if isinstance(confirmed, HttpResponse):
            return confirmed
        if confirmed:
            which = form.cleaned_data["which"]
            ended = services.sessions_end_others(
                user=user,
                keep=request.session.session_key,
                by=user,
                ip=client_ip(request),
                chosen=None if which == EVERY_OTHER else parse_id(which),
            )
            messages.success(
                request,
                f"You have logged out of {ended} other session{'' if ended == 1 else 's'}."
                if ended
                else "That session had already ended.",
            )
            return redirect(f"{reverse('accounts:account')}#{ANCHOR}")
    return {"sessions_form": form, "sessions": rows, "other_sessions": others}
