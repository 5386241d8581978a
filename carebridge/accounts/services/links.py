"""E-mailed links: a reset link for a forgotten password or passcode, and a new account's
set-up link. Only a token's hash is kept."""

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from django.db import transaction

from carebridge.accounts import tasks
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.services.common import find_user, record_about
from carebridge.accounts.services.passcodes import passcode_change
from carebridge.accounts.services.passwords import password_change
from carebridge.accounts.services.signin import single_sign_on_required
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.organisations.validators import normalise_email

RESET_LINK_LIFETIME = timedelta(hours=1)


# A new account's holder may not read their e-mail the same day.
SETUP_LINK_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def reset_link_request(*, email: str, purpose: str, ip: str | None = None) -> None:
    """E-mail a reset link if the address has an account; the answer is the same either way."""
    email = normalise_email(email)
    user = find_user(email)
    if user is None or not user.is_active:
        record(
            action="reset.requested",
            detail={"email": email, "purpose": purpose, "reason": "no such account"},
            ip_address=ip,
        )
        return
    if single_sign_on_required(user):
        # Their council's staff sign in through its single sign-on: a password or passcode is
        # no way in for them, so no link is sent (the page answers as for any address).
        record_about(
            user,
            action="reset.refused",
            detail={"purpose": purpose, "reason": "single sign-on required"},
            ip_address=ip,
        )
        return
    token = secrets.token_urlsafe(32)
    created = now()
    link = ResetLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=token_hash(token),
        created_at=created,
        expires_at=created + RESET_LINK_LIFETIME,
    )
    record_about(
        user,
        action="reset.requested",
        detail={"purpose": purpose},
        ip_address=ip,
    )
    transaction.on_commit(lambda: tasks.send_reset_link_email(link.pk, token))


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def reset_link_check(*, token: str, purpose: str) -> ResetLink | LinkProblem:
    link = (
        ResetLink.objects.select_related("user")
        .filter(token_hash=token_hash(token), purpose=purpose)
        .first()
    )
    if link is None:
        return LinkProblem.UNKNOWN
    if link.used_at is not None:
        return LinkProblem.USED
    if link.expires_at <= now():
        return LinkProblem.EXPIRED
    return link


@transaction.atomic
def reset_link_use(
    *, token: str, purpose: str, secret: str, ip: str | None = None
) -> User | LinkProblem:
    """Set the new password or passcode from a link; it also unlocks the account. Single use.

    A new secret that breaks a rule raises ValidationError and rolls everything back, so the
    link can be used again with a better one.
    """
    link = reset_link_check(token=token, purpose=purpose)
    if isinstance(link, LinkProblem):
        record(
            action="reset.refused", detail={"purpose": purpose, "reason": link.value}, ip_address=ip
        )
        return link
    if not ResetLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now()):
        return LinkProblem.USED  # a double submission: the first one won
    user = link.user
    if purpose == ResetLink.Purpose.PASSWORD:
        password_change(user=user, new_password=secret, by=user, ip=ip)
    else:
        passcode_change(user=user, new_passcode=secret, by=user, ip=ip)
    record_about(
        user, action="reset.completed", by=user, detail={"purpose": purpose}, ip_address=ip
    )
    if User.objects.filter(pk=user.pk, locked_at__isnull=False).update(
        locked_at=None, failed_attempts=0
    ):
        record_about(
            user, action="account.unlocked", by=user, detail={"by_link": True}, ip_address=ip
        )
    else:
        User.objects.filter(pk=user.pk).update(failed_attempts=0)
    return user


@transaction.atomic
def setup_link_create(*, user: User, by: User | None) -> tuple[ResetLink, str]:
    """A single-use link, valid for a week, for a new account's holder to choose a password.

    It is a password link with a longer life, so it works on the set-up page and the reset page
    alike and a password chosen either way uses it up. Only the token's hash is stored: the
    caller delivers the token (by e-mail, after the transaction commits) and then forgets it.
    """
    token = secrets.token_urlsafe(32)
    created = now()
    link = ResetLink.objects.create(
        user=user,
        purpose=ResetLink.Purpose.PASSWORD,
        token_hash=token_hash(token),
        created_at=created,
        expires_at=created + SETUP_LINK_LIFETIME,
    )
    record_about(
        user, action="setup_link.created", by=by, detail={"expires_at": str(link.expires_at)}
    )
    return link, token
