"""Changing one's own e-mail address (ASVS 7.5.1): asked with the current password (checked by
the view through `password_confirm`), confirmed from a link e-mailed to the new address (a
`ResetLink` of purpose "email": single use, 24 hours, only its hash kept), with a notice to the
old address either way.

A council user's address changes when the link is confirmed. A provider's contact's details
change only by a change request the council approves (docs/decisions/0003), so confirming the
link raises that request and the approval makes the change (`receivers.contact_change_apply`).
"""

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string

from carebridge.accounts import tasks
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.services.common import record_about
from carebridge.accounts.services.links import LinkProblem, reset_link_check, token_hash
from carebridge.accounts.services.sessions import sessions_end_others
from carebridge.accounts.services.signin import single_sign_on_required
from carebridge.audit.services import snapshot
from carebridge.core.calendar import now
from carebridge.core.formats import guide_datetime
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import Function, can_edit
from carebridge.notifications import services as notifications
from carebridge.notifications.models import NotificationKind
from carebridge.organisations.choices import ChangeRequestKind
from carebridge.organisations.models import ChangeRequest, Council
from carebridge.organisations.services import change_request_raise
from carebridge.organisations.validators import normalise_email

EMAIL_CHANGE_LINK_LIFETIME = timedelta(hours=24)
EMAIL = ResetLink.Purpose.EMAIL
# Said of an address that is another account's, only to someone who has shown they read its
# e-mail (the confirmation): the request page never says it (see email_change_request).
CANNOT_USE = "You cannot use this e-mail address"


def email_change_refusal(user: User) -> str | None:
    """Why this user cannot change their address here, in words; None when they can."""
    if single_sign_on_required(user):
        return (
            "You sign in through your council's single sign-on, which knows you by your "
            "e-mail address. Ask your council's portal administrator to change it."
        )
    if user.provider_id is not None and not can_edit(user.role, Function.CONTACTS):
        return (
            "Your organisation's contacts are changed by its Super User or Administration "
            "users, through a change request to the council. Ask one of them to change your "
            "e-mail address."
        )
    return None


def _new_address(user: User, new_email: str) -> str:
    email = normalise_email(new_email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an e-mail address in the correct format, like name@example.com"}
        ) from None
    if len(email) > 254:
        raise ValidationError({"email": "The e-mail address must be 254 characters or fewer"})
    if email == normalise_email(user.email):
        raise ValidationError({"email": "This is already your e-mail address"})
    return email


def _taken(user: User, email: str) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def _tell_old_address(user: User, new_email: str, moment: datetime) -> None:
    """The notice to the address the account has now, so a change its owner did not ask for is
    noticed; sent through the outbox once (its key), whatever their e-mail choices."""
    body = render_to_string(
        "accounts/email/email_change_notice.txt",
        {"user": user, "new_email": new_email, "asked_at": guide_datetime(moment)},
    )
    notification = notifications.notification_create(
        user=None,
        to_email=user.email,
        kind=NotificationKind.PASSWORD_IMMEDIATE,
        key=f"email-change:{user.pk}:{moment}",
        subject="Someone asked to change your Carebridge e-mail address",
        body=body,
    )
    if notification is not None:
        notifications.notifications_queue([notification])


@transaction.atomic
@once_per_key(
    "accounts.email_change_request",
    find=lambda pk, call: call["user"] if pk == call["user"].pk else None,
)
def email_change_request(
    *, user: User, new_email: str, ip: str | None = None, idempotency_key: str | None = None
) -> User:
    """E-mail a link confirming `new_email` to that address, and a notice to the old one.

    The page answers the same whether or not the address is another account's, so it tells no
    one which addresses have accounts (as the reset page): an address in use gets no link, and
    only someone who reads its e-mail would notice. Any earlier link not yet used is spent, so
    only the newest works. A repeat of the form's key (a double click) sends nothing more."""
    refusal = email_change_refusal(user)
    if refusal is not None:
        raise PermissionDenied(refusal)
    email = _new_address(user, new_email)
    moment = now()
    ResetLink.objects.filter(user=user, purpose=EMAIL, used_at__isnull=True).update(used_at=moment)
    if _taken(user, email):
        record_about(
            user,
            action="email_change.refused",
            by=user,
            detail={"reason": "address in use"},
            ip_address=ip,
        )
    else:
        token = secrets.token_urlsafe(32)
        link = ResetLink.objects.create(
            user=user,
            purpose=EMAIL,
            token_hash=token_hash(token),
            created_at=moment,
            expires_at=moment + EMAIL_CHANGE_LINK_LIFETIME,
            new_email=email,
        )
        record_about(
            user,
            action="email_change.requested",
            by=user,
            detail={"new_email": email},
            ip_address=ip,
        )
        transaction.on_commit(lambda: tasks.send_email_change_link(link.pk, token))
    _tell_old_address(user, email, moment)
    return user


def email_change_check(*, user: User, token: str) -> ResetLink | LinkProblem:
    """The user's own open link for this token; another user's is as good as unknown."""
    link = reset_link_check(token=token, purpose=EMAIL)
    if isinstance(link, ResetLink) and link.user_id != user.pk:
        return LinkProblem.UNKNOWN
    return link


def _change_now(user: User, email: str, *, ip: str | None) -> None:
    before = snapshot(user, ["email"])
    User.objects.filter(pk=user.pk).update(email=email)
    user.email = email
    # Links still open were e-mailed to the old address.
    ResetLink.objects.filter(user=user, used_at__isnull=True).update(used_at=now())
    record_about(
        user,
        action="account.email_changed",
        by=user,
        before=before,
        after=snapshot(user, ["email"]),
        ip_address=ip,
    )


@transaction.atomic
def email_change_confirm(
    *,
    user: User,
    token: str,
    keep_session: str | None,
    council: Council | None = None,
    ip: str | None = None,
) -> ChangeRequest | User | LinkProblem:
    """Confirm the new address from the link (once). A council user's changes at once (the
    account returned); a provider's contact raises the change request for it to `council` (when
    the provider works for several), returned. Either way the user's other sessions end.

    ValidationError (the address taken meanwhile, a request already waiting) rolls everything
    back, the link's use included."""
    link = email_change_check(user=user, token=token)
    if isinstance(link, LinkProblem):
        record_about(
            user,
            action="email_change.refused",
            by=user,
            detail={"reason": link.value},
            ip_address=ip,
        )
        return link
    if not ResetLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now()):
        return LinkProblem.USED  # a double submission: the first one won
    if _taken(user, link.new_email):
        raise ValidationError(CANNOT_USE)
    result: ChangeRequest | User
    if user.provider_id is None:
        _change_now(user, link.new_email, ip=ip)
        result = user
    else:
        result = change_request_raise(
            by=user,
            kind=ChangeRequestKind.UPDATE_CONTACT,
            proposed={"email": link.new_email},
            council=council,
            contact=user,
        )
    sessions_end_others(
        user=user, keep=keep_session, by=user, ip=ip, why="the e-mail address changed"
    )
    return result
