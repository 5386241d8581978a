"""Passkeys (WebAuthn, through django-otp-webauthn): added, named and removed by their owner,
and checked as the second step of a log-in, where a wrong one counts towards the lock like a
wrong passcode. A council's rulebook can make its staff use one (`passkey_required`)."""

from typing import Any

from django.db import transaction
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions

from carebridge.accounts.models import User
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.services.common import record_about
from carebridge.accounts.services.lockout import (
    Outcome,
    give_back_try,
    refuse_as_locked,
    register_failure,
    reserve_try,
    tries_before_lock,
)
from carebridge.core.errors import Refused

PASSKEY_NAME_MAX = 64


class PasskeyRefused(Refused):
    """A passkey change that is not allowed (the last one of a user who must use one)."""


def passkey_required(user: User) -> bool:
    """A council's staff member whose council requires a passkey; providers never are."""
    return login_policy_for(user).require_passkey


def has_passkey(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def passkey_registered(*, user: User, helper: Any, state: dict, data: dict, ip: str | None) -> Any:
    """A new passkey of the user's, checked by the library and recorded."""
    with transaction.atomic(), rewrite_exceptions(logger=None):
        device = helper.register_complete(user=user, state=state, data=data)
        record_about(
            user,
            action="passkey.added",
            by=user,
            ip_address=ip,
            detail={"passkey": device.pk, "name": device.name},
        )
    return device


@transaction.atomic
def passkey_rename(*, user: User, passkey_id: int, name: str, ip: str | None) -> None:
    device = WebAuthnCredential.objects.get(pk=passkey_id, user=user)
    old = device.name
    WebAuthnCredential.objects.filter(pk=device.pk, user=user).update(name=name[:PASSKEY_NAME_MAX])
    record_about(
        user,
        action="passkey.renamed",
        by=user,
        ip_address=ip,
        detail={"passkey": device.pk, "from": old, "to": name[:PASSKEY_NAME_MAX]},
    )


@transaction.atomic
def passkey_remove(*, user: User, passkey_id: int, ip: str | None) -> None:
    """Remove one of the user's passkeys; never the last of a user who must use one."""
    device = WebAuthnCredential.objects.select_for_update().get(pk=passkey_id, user=user)
    others = WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
    if passkey_required(user) and not others.exists():
        raise PasskeyRefused(
            "Your council requires a passkey. Add another passkey before you remove this one."
        )
    name = device.name
    device.delete()
    record_about(
        user,
        action="passkey.removed",
        by=user,
        ip_address=ip,
        detail={"passkey": passkey_id, "name": name},
    )


def login_check_passkey(
    *, user: User, helper: Any, state: dict, data: dict, ip: str | None = None
) -> Outcome:
    """The second step answered with a passkey. Like a passcode, the answer reserves a try
    before it is checked (`reserve_try`), and a passkey that fails keeps it."""
    user = User.objects.select_related("council__rulebook").get(pk=user.pk)
    limit = tries_before_lock(user)
    if not reserve_try(user, limit=limit):
        return refuse_as_locked(user, step="passkey", ip=ip, limit=limit)
    try:
        with rewrite_exceptions(logger=None):
            device = helper.authenticate_complete(user=user, state=state, data=data)
    except (OTPWebAuthnApiError, ValueError, KeyError, TypeError):
        return register_failure(user, step="passkey", ip=ip, limit=limit)
    if not device.confirmed:
        return register_failure(user, step="passkey", ip=ip, limit=limit)
    if not give_back_try(user):
        return refuse_as_locked(user, step="passkey", ip=ip, limit=limit)
    return Outcome.OK
