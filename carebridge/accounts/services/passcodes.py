"""The second step of logging in, a passcode or an authenticator app: which one an account
uses, and changing it."""

import re
import time
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from carebridge.accounts.access import AccountChange, check_account_change
from carebridge.accounts.models import ResetLink, User
from carebridge.accounts.passcodes import validate_passcode
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.services.common import record_about, secret_changed
from carebridge.core.calendar import now


class SecondStep(StrEnum):
    PASSCODE = "passcode"
    AUTHENTICATOR = "authenticator"


def authenticator_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_step_for(user: User) -> SecondStep:
    """An authenticator app when the user has one or the rulebook requires it; else the passcode."""
    if login_policy_for(user).require_authenticator or authenticator_device(user) is not None:
        return SecondStep.AUTHENTICATOR
    return SecondStep.PASSCODE


def second_step_to_check(user: User) -> SecondStep | None:
    """What the log-in's second step asks for: the app once set up, else the passcode once
    chosen; None for an account with neither yet, which chooses one straight after the password.

    A passcode holder whose council has come to require an app gives the passcode before
    setting the app up: the password alone never replaces a second step the account has.
    """
    if authenticator_device(user) is not None:
        return SecondStep.AUTHENTICATOR
    return SecondStep.PASSCODE if user.has_passcode else None


def second_step_is_set_up(user: User) -> bool:
    if second_step_for(user) is SecondStep.AUTHENTICATOR:
        return authenticator_device(user) is not None
    return user.has_passcode


def _tell_second_step_changed(user: User, change: str) -> None:
    """E-mail the user, once the change is committed, through the e-mail outbox."""
    from carebridge.notifications.services import second_step_changed

    changed_at = now()
    transaction.on_commit(lambda: second_step_changed(user.pk, changed_at, change), robust=True)


@transaction.atomic
def passcode_change(
    *, user: User, new_passcode: str, by: User | None, ip: str | None = None
) -> User:
    validate_passcode(new_passcode)
    if user.check_passcode(new_passcode):
        raise ValidationError(
            "Your new passcode must be different from your current one", code="passcode_reused"
        )
    if user.has_passcode:
        # The first passcode, chosen when the account is set up, is no news to its owner.
        _tell_second_step_changed(user, "passcode")
    user.set_passcode(new_passcode)
    user.passcode_changed_at = now()
    user.save(update_fields=["passcode", "passcode_changed_at"])
    secret_changed(
        user, purpose=ResetLink.Purpose.PASSCODE, action="passcode.changed", by=by, ip=ip
    )
    return user


AUTHENTICATOR_NAME = "Authenticator app"
_KEY = re.compile(r"[0-9a-f]{40}")


def authenticator_start(*, user: User, key: str | None = None) -> TOTPDevice:
    """An authenticator for the user to scan, not saved: showing it writes nothing, and it is
    saved only once they enter a code from it (`authenticator_confirm`).

    `key` is the secret shown before (the page keeps it in the session), so a mistyped code
    does not void the scan; a missing or malformed one gives a new secret from os.urandom.
    """
    device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    if key is not None and _KEY.fullmatch(key):
        device.key = key
    return device


def _code_matches(device: TOTPDevice, code: str) -> bool:
    """django-otp's check of a code, without its throttle's save of a device not yet saved;
    the time step it accepts is kept, so the confirming code cannot log in later."""
    try:
        token = int(code.strip().replace(" ", ""))
    except ValueError:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(token, device.tolerance, device.last_t + 1):
        return False
    device.last_t = totp.t()
    device.drift = totp.drift
    device.last_used_at = now()
    return True


@transaction.atomic
def authenticator_confirm(*, user: User, key: str, code: str, ip: str | None = None) -> bool:
    """The app whose secret is `key` replaces the user's authenticator, when `code` is its
    current code; a wrong code writes nothing."""
    device = authenticator_start(user=user, key=key)
    if device.key != key or not _code_matches(device, code):
        return False
    if user.has_passcode or authenticator_device(user) is not None:
        # Only a brand-new account's very first second step is no news to its owner.
        _tell_second_step_changed(user, "authenticator")
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
    record_about(user, action="authenticator.enrolled", by=user, ip_address=ip)
    return True


@transaction.atomic
def authenticator_reset(*, user: User, by: User) -> bool:
    """An administrator takes away the authenticator app of someone who lost it: they log in
    with their passcode next time, or, where the council requires an app, set up a new one
    after their password and passcode. Like unlocking, any council a provider works for may do
    it for the provider's people (`access.RESTORING`): it lets no one new in."""
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=AccountChange.AUTHENTICATOR,
    )
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        return False
    _tell_second_step_changed(user, "authenticator reset")
    record_about(user, action="authenticator.reset", by=by)
    return True


def authenticator_remove(*, user: User, ip: str | None = None) -> None:
    if login_policy_for(user).require_authenticator:
        raise PermissionDenied("Your council requires an authenticator app.")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        _tell_second_step_changed(user, "authenticator removed")
    TOTPDevice.objects.filter(user=user).delete()
    record_about(user, action="authenticator.removed", by=user, ip_address=ip)
