"""Signing in step by step: the password, the second step, and the log-in itself; log-out."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F

from carebridge.accounts.models import SingleSignOn, UnknownAddressFailure, User
from carebridge.accounts.policy import default_failures_before_lock
from carebridge.accounts.services.common import find_user, record_about
from carebridge.accounts.services.lockout import (
    Outcome,
    give_back_try,
    refuse_as_locked,
    register_failure,
    reserve_try,
    tries_before_lock,
)
from carebridge.accounts.services.passcodes import (
    SecondStep,
    authenticator_device,
    second_step_for,
    second_step_to_check,
)
from carebridge.audit.services import record
from carebridge.core.calendar import now
from carebridge.organisations.validators import normalise_email


@dataclass(frozen=True)
class StepResult:
    outcome: Outcome
    user: User | None = None


def _register_unknown_address_failure(email: str, *, ip: str | None) -> Outcome:
    failure, _ = UnknownAddressFailure.objects.get_or_create(
        email=email, defaults={"last_failed_at": now()}
    )
    UnknownAddressFailure.objects.filter(pk=failure.pk).update(
        failed_attempts=F("failed_attempts") + 1, last_failed_at=now()
    )
    failure.refresh_from_db()
    record(
        action="login.failed",
        detail={"step": "password", "email": email, "reason": "no such account"},
        ip_address=ip,
    )
    if failure.failed_attempts >= default_failures_before_lock():
        return Outcome.LOCKED
    return Outcome.WRONG


def single_sign_on_required(user: User) -> bool:
    """A council's staff member whose council's rulebook makes its single sign-on the only way
    in (`carebridge.accounts.sso`), while that sign-on is on: a council that turns it off is not
    locked out. Providers are never forced: they may work for several councils."""
    if user.council_id is None or user.council is None:
        return False
    rulebook = getattr(user.council, "rulebook", None)
    return bool(
        rulebook is not None
        and rulebook.staff_single_sign_on_required
        and SingleSignOn.objects.filter(council_id=user.council_id, enabled=True).exists()
    )


def login_check_password(*, email: str, password: str, ip: str | None = None) -> StepResult:
    """The first step of logging in. Answers the same for unknown and known addresses.

    Not one transaction: the try is reserved and committed before the password is checked
    (`reserve_try`), so answers sent together cannot all be checked before one locks.
    """
    email = normalise_email(email)
    user = find_user(email)
    if user is None:
        return StepResult(_unknown_address(email, password=password, ip=ip))
    limit = tries_before_lock(user)
    if not reserve_try(user, limit=limit):
        make_password(password)  # spend the same time as a real check
        return StepResult(refuse_as_locked(user, step="password", ip=ip, limit=limit))
    if not user.check_password(password):
        return StepResult(register_failure(user, step="password", ip=ip, limit=limit))
    if not give_back_try(user):
        return StepResult(refuse_as_locked(user, step="password", ip=ip, limit=limit))
    for flag, outcome in (
        (not user.is_active, Outcome.CLOSED),
        (user.is_suspended, Outcome.SUSPENDED),
    ):
        if flag:
            record_about(
                user,
                action="login.refused",
                detail={"reason": outcome.value},
                ip_address=ip,
            )
            return StepResult(outcome, user)
    # Told only once the password is right: before, it would say which addresses are staff.
    if single_sign_on_required(user):
        record_about(
            user,
            action="login.refused",
            detail={"reason": "single sign-on required"},
            ip_address=ip,
        )
        return StepResult(Outcome.SINGLE_SIGN_ON, user)
    return StepResult(Outcome.OK, user)


@transaction.atomic
def _unknown_address(email: str, *, password: str, ip: str | None) -> Outcome:
    make_password(password)  # spend the same time as a real check
    locked = UnknownAddressFailure.objects.filter(
        email=email, failed_attempts__gte=default_failures_before_lock()
    ).exists()
    if locked:
        record(action="login.refused", detail={"email": email, "reason": "locked"}, ip_address=ip)
        return Outcome.LOCKED
    return _register_unknown_address_failure(email, ip=ip)


def login_check_second_step(*, user: User, answer: str, ip: str | None = None) -> StepResult:
    """The second step: the full 6-digit passcode, or a code from the authenticator app.

    Like the password, each answer reserves a try before it is checked (`reserve_try`).
    """
    user = User.objects.select_related("council__rulebook").get(pk=user.pk)
    answer = answer.strip().replace(" ", "")
    limit = tries_before_lock(user)
    step = second_step_to_check(user) or second_step_for(user)
    if not reserve_try(user, limit=limit):
        make_password(answer)  # spend the same time as a real check
        return StepResult(refuse_as_locked(user, step=step.value, ip=ip, limit=limit), user)
    if step is SecondStep.AUTHENTICATOR:
        device = authenticator_device(user)
        correct = device is not None and device.verify_token(answer)
    else:
        correct = user.check_passcode(answer)
    if not correct:
        return StepResult(register_failure(user, step=step.value, ip=ip, limit=limit), user)
    if not give_back_try(user):
        return StepResult(refuse_as_locked(user, step=step.value, ip=ip, limit=limit), user)
    return StepResult(Outcome.OK, user)


@transaction.atomic
def login_complete(*, user: User, ip: str | None = None) -> Outcome:
    """Both steps passed and the account is in order: the user is logged in.

    The lock is checked again here, in the same statement that clears the count: the account
    may have locked (or been closed or suspended) since the steps were passed.
    """
    if not User.objects.filter(
        pk=user.pk, locked_at__isnull=True, is_active=True, suspended_at__isnull=True
    ).update(failed_attempts=0, last_login=now()):
        user.refresh_from_db(fields=["locked_at", "is_active", "suspended_at"])
        outcome = (
            Outcome.LOCKED
            if user.is_locked
            else Outcome.CLOSED
            if not user.is_active
            else Outcome.SUSPENDED
        )
        record_about(user, action="login.refused", detail={"reason": outcome.value}, ip_address=ip)
        return outcome
    record_about(user, action="login.succeeded", by=user, ip_address=ip)
    return Outcome.OK


def logout_record(
    *, user: User, ip: str | None = None, timed_out: bool = False, why: str = ""
) -> None:
    """The user has logged out, or was logged out after a spell without activity or at the end
    of the session's lifetime (`why`): their organisation's logs say so."""
    action = "session.timed_out" if timed_out else "logout"
    record_about(user, action=action, by=user, ip_address=ip, detail={"why": why} if why else {})
