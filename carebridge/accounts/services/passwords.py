"""Passwords: confirming the current one, when a new one is due, changing it, and a new
account's one-off password."""

import secrets
import string
from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.services.common import record_about, secret_changed
from carebridge.accounts.services.lockout import (
    Outcome,
    give_back_try,
    refuse_as_locked,
    register_failure,
    reserve_try,
    tries_before_lock,
)
from carebridge.accounts.services.sessions import sessions_end_all
from carebridge.core.calendar import now


def password_confirm(*, user: User, password: str, ip: str | None = None) -> Outcome:
    """Check the current password of a logged-in user before a change to how they log in.

    A wrong answer counts towards the lock like a log-in failure, and each answer reserves a
    try first (`reserve_try`): otherwise a stolen session could guess the password freely.
    """
    step = "current password"
    limit = tries_before_lock(user)
    if not reserve_try(user, limit=limit):
        make_password(password)  # spend the same time as a real check
        return refuse_as_locked(user, step=step, ip=ip, limit=limit)
    if not user.check_password(password):
        return register_failure(user, step=step, ip=ip, limit=limit)
    if not give_back_try(user):
        return refuse_as_locked(user, step=step, ip=ip, limit=limit)
    record_about(user, action="password.confirmed", by=user, ip_address=ip)
    return Outcome.OK


def password_has_expired(user: User) -> bool:
    expiry = login_policy_for(user).password_expiry
    changed = user.password_changed_at or user.created_at
    return expiry is not None and changed + expiry <= now()


def password_change_is_due(user: User) -> bool:
    return user.must_change_password or password_has_expired(user)


def check_new_password(*, user: User, password: str) -> None:
    """Raise ValidationError listing every rule the new password breaks."""
    validate_password(password, user)
    if user.check_password(password):
        raise ValidationError(
            "Your new password must be different from your current one", code="password_reused"
        )


def _tell_password_changed(user_id: int, changed_at: datetime) -> None:
    from carebridge.notifications.services import password_changed

    password_changed(user_id, changed_at)


@transaction.atomic
def password_change(
    *, user: User, new_password: str, by: User | None, ip: str | None = None
) -> User:
    check_new_password(user=user, password=new_password)
    first_password = user.password_changed_at is None
    changed_at = now()
    user.set_password(new_password)
    user.password_changed_at = changed_at
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    if not first_password:
        # The first password, chosen when the account is set up, is no news to its owner.
        transaction.on_commit(lambda: _tell_password_changed(user.pk, changed_at), robust=True)
    secret_changed(
        user, purpose=ResetLink.Purpose.PASSWORD, action="password.changed", by=by, ip=ip
    )
    # Django's session hash already makes every session of the old password useless; their
    # rows go now, so the list of sessions shows none that cannot be used (the page that
    # changed it keeps its own: accounts.views.common.keep_session_after_password_change).
    sessions_end_all(user=user, by=by, ip=ip, why="the password changed")
    return user


def initial_password(user: User) -> str:
    """A random password meeting every rule, for the administrator to give the new user."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = (
            [secrets.choice(string.ascii_uppercase) for _ in range(3)]
            + [secrets.choice(string.digits) for _ in range(3)]
            + [secrets.choice(alphabet) for _ in range(10)]
        )
        secrets.SystemRandom().shuffle(candidate)
        password = "".join(candidate)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
