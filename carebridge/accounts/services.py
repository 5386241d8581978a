"""Every write about user accounts: log-in steps, lock-out, resets, suspension, administration.

Each function validates, writes with a compare-and-set where a state changes, and records an
audit event in the same transaction. Views only call these.
"""

import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django_otp.plugins.otp_totp.models import TOTPDevice

from carebridge.accounts import tasks
from carebridge.accounts.access import AccountChange, check_account_change
from carebridge.accounts.models import ResetLink, UnknownAddressFailure, User
from carebridge.accounts.passcodes import validate_passcode
from carebridge.accounts.policy import default_failures_before_lock, login_policy_for
from carebridge.audit.services import record, snapshot
from carebridge.core.calendar import now
from carebridge.core.idempotency import once_per_key
from carebridge.core.permissions import COUNCIL_ROLES, PROVIDER_ROLES, Role
from carebridge.organisations.models import ChangeRequest, Council, Provider
from carebridge.organisations.selectors import councils_of_provider
from carebridge.organisations.validators import normalise_email

RESET_LINK_LIFETIME = timedelta(hours=1)
# A new account's holder may not read their e-mail the same day.
SETUP_LINK_LIFETIME = timedelta(days=7)


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    SUSPENDED = "suspended"
    CLOSED = "closed"


@dataclass(frozen=True)
class StepResult:
    outcome: Outcome
    user: User | None = None


class SecondStep(StrEnum):
    PASSCODE = "passcode"
    AUTHENTICATOR = "authenticator"


def _record_about(user: User, *, action: str, **event: Any) -> None:
    """An event about an account, in its organisation's log (whoever caused it).

    A provider's log-in reaches the work of every council the provider works for, so the event
    goes into each of those councils' logs too (one row per council, the same detail): every
    council sees who was given, changed or used a log-in to its data, whichever council acted."""
    if user.provider_id is None:
        record(action=action, obj=user, council=user.council_id, **event)
        return
    councils: list[int | None] = list(
        councils_of_provider(user.provider_id).order_by("pk").values_list("pk", flat=True)
    )
    for council_id in councils or [None]:
        record(action=action, obj=user, council=council_id, provider=user.provider_id, **event)


def _on_request(change_request: ChangeRequest | None) -> dict[str, Any]:
    """The detail saying a change was made on the provider's own request."""
    return {"change_request": change_request.pk} if change_request is not None else {}


def _find_user(email: str) -> User | None:
    return (
        User.objects.select_related("council__rulebook", "provider")
        .filter(email__iexact=normalise_email(email))
        .first()
    )


def _tries_before_lock(user: User) -> int:
    return login_policy_for(user).failures_before_lock


def _reserve_try(user: User, *, limit: int) -> bool:
    """Take one of the account's tries before any secret is checked; False when none is left.

    The take is one conditional UPDATE, so answers that arrive together queue on the row and
    no more than `limit` of them ever get a try: the others are refused unchecked. It commits
    on its own, before the slow hash, so the try stays taken while the secret is checked and a
    guess that is never answered (a crash, a timeout) still counts.
    """
    with transaction.atomic():
        return bool(
            User.objects.filter(
                pk=user.pk, locked_at__isnull=True, failed_attempts__lt=limit
            ).update(failed_attempts=F("failed_attempts") + 1)
        )


def _give_back_try(user: User) -> bool:
    """A right answer returns its try, so it costs nothing, as before the tries were reserved.

    False when the account locked while the answer was being checked: a right answer that
    comes back after the lock is refused like any guess, so the lock never confirms it.
    """
    with transaction.atomic():
        return bool(
            User.objects.filter(pk=user.pk, locked_at__isnull=True).update(
                failed_attempts=Greatest(F("failed_attempts") - 1, Value(0))
            )
        )


def _lock(user: User, *, ip: str | None) -> None:
    if User.objects.filter(pk=user.pk, locked_at__isnull=True).update(locked_at=now()):
        user.refresh_from_db(fields=["failed_attempts", "locked_at"])
        _record_about(
            user,
            action="account.locked",
            detail={"failed_attempts": user.failed_attempts},
            ip_address=ip,
        )
        transaction.on_commit(lambda: tasks.send_account_locked_email(user.pk))


@transaction.atomic
def _register_failure(user: User, *, step: str, ip: str | None, limit: int) -> Outcome:
    """A wrong answer keeps the try it reserved; the answer that used the last try locks."""
    user.refresh_from_db(fields=["failed_attempts", "locked_at"])
    _record_about(
        user,
        action="login.failed",
        by=None,
        detail={"step": step, "failed_attempts": user.failed_attempts},
        ip_address=ip,
    )
    if user.failed_attempts < limit:
        return Outcome.WRONG
    _lock(user, ip=ip)
    return Outcome.LOCKED


@transaction.atomic
def _refuse_as_locked(user: User, *, step: str, ip: str | None, limit: int) -> Outcome:
    """No try left, or the account locked while a right answer was checked: "locked", whatever
    the answer, so the lock cannot be used to confirm a guess.

    The tries can all be taken with no lock yet, by answers still being checked: the wrong one
    among them that finds the count full locks the account, and a right one gives its try
    back. Locking here instead would lock out a user who clicks twice after two typos. Only
    a count above the limit, which no reservation makes (the council has lowered its number
    since), locks here: nothing else would, and an administrator could not unlock it.
    """
    if User.objects.filter(pk=user.pk, failed_attempts__gt=limit).exists():
        _lock(user, ip=ip)
    _record_about(
        user,
        action="login.refused",
        detail={"reason": "locked", "step": step},
        ip_address=ip,
    )
    return Outcome.LOCKED


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


def login_check_password(*, email: str, password: str, ip: str | None = None) -> StepResult:
    """The first step of logging in. Answers the same for unknown and known addresses.

    Not one transaction: the try is reserved and committed before the password is checked
    (`_reserve_try`), so answers sent together cannot all be checked before one locks.
    """
    email = normalise_email(email)
    user = _find_user(email)
    if user is None:
        return StepResult(_unknown_address(email, password=password, ip=ip))
    limit = _tries_before_lock(user)
    if not _reserve_try(user, limit=limit):
        make_password(password)  # spend the same time as a real check
        return StepResult(_refuse_as_locked(user, step="password", ip=ip, limit=limit))
    if not user.check_password(password):
        return StepResult(_register_failure(user, step="password", ip=ip, limit=limit))
    if not _give_back_try(user):
        return StepResult(_refuse_as_locked(user, step="password", ip=ip, limit=limit))
    for flag, outcome in (
        (not user.is_active, Outcome.CLOSED),
        (user.is_suspended, Outcome.SUSPENDED),
    ):
        if flag:
            _record_about(
                user,
                action="login.refused",
                detail={"reason": outcome.value},
                ip_address=ip,
            )
            return StepResult(outcome, user)
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


def login_check_second_step(*, user: User, answer: str, ip: str | None = None) -> StepResult:
    """The second step: the full 6-digit passcode, or a code from the authenticator app.

    Like the password, each answer reserves a try before it is checked (`_reserve_try`).
    """
    user = User.objects.select_related("council__rulebook").get(pk=user.pk)
    answer = answer.strip().replace(" ", "")
    limit = _tries_before_lock(user)
    step = second_step_to_check(user) or second_step_for(user)
    if not _reserve_try(user, limit=limit):
        make_password(answer)  # spend the same time as a real check
        return StepResult(_refuse_as_locked(user, step=step.value, ip=ip, limit=limit), user)
    if step is SecondStep.AUTHENTICATOR:
        device = authenticator_device(user)
        correct = device is not None and device.verify_token(answer)
    else:
        correct = user.check_passcode(answer)
    if not correct:
        return StepResult(_register_failure(user, step=step.value, ip=ip, limit=limit), user)
    if not _give_back_try(user):
        return StepResult(_refuse_as_locked(user, step=step.value, ip=ip, limit=limit), user)
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
        _record_about(user, action="login.refused", detail={"reason": outcome.value}, ip_address=ip)
        return outcome
    _record_about(user, action="login.succeeded", by=user, ip_address=ip)
    return Outcome.OK


def logout_record(*, user: User, ip: str | None = None, timed_out: bool = False) -> None:
    """The user has logged out, or was logged out after a spell without activity: their
    organisation's logs say so."""
    action = "session.timed_out" if timed_out else "logout"
    _record_about(user, action=action, by=user, ip_address=ip)


def password_confirm(*, user: User, password: str, ip: str | None = None) -> Outcome:
    """Check the current password of a logged-in user before a change to how they log in.

    A wrong answer counts towards the lock like a log-in failure, and each answer reserves a
    try first (`_reserve_try`): otherwise a stolen session could guess the password freely.
    """
    step = "current password"
    limit = _tries_before_lock(user)
    if not _reserve_try(user, limit=limit):
        make_password(password)  # spend the same time as a real check
        return _refuse_as_locked(user, step=step, ip=ip, limit=limit)
    if not user.check_password(password):
        return _register_failure(user, step=step, ip=ip, limit=limit)
    if not _give_back_try(user):
        return _refuse_as_locked(user, step=step, ip=ip, limit=limit)
    _record_about(user, action="password.confirmed", by=user, ip_address=ip)
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


def _tell_second_step_changed(user: User, change: str) -> None:
    """E-mail the user, once the change is committed, through the e-mail outbox."""
    from carebridge.notifications.services import second_step_changed

    changed_at = now()
    transaction.on_commit(lambda: second_step_changed(user.pk, changed_at, change), robust=True)


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
    ResetLink.objects.filter(
        user=user, purpose=ResetLink.Purpose.PASSWORD, used_at__isnull=True
    ).update(used_at=now())
    _record_about(
        user,
        action="password.changed",
        by=by,
        ip_address=ip,
    )
    return user


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
    ResetLink.objects.filter(
        user=user, purpose=ResetLink.Purpose.PASSCODE, used_at__isnull=True
    ).update(used_at=now())
    _record_about(
        user,
        action="passcode.changed",
        by=by,
        ip_address=ip,
    )
    return user


def authenticator_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; it counts once they enter a code.

    The same one is shown again until confirmed, so a mistyped code does not void the scan.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def authenticator_confirm(*, user: User, code: str, ip: str | None = None) -> bool:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        return False
    if user.has_passcode or authenticator_device(user) is not None:
        # Only a brand-new account's very first second step is no news to its owner.
        _tell_second_step_changed(user, "authenticator")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _record_about(user, action="authenticator.enrolled", by=user, ip_address=ip)
    return True


@transaction.atomic
def authenticator_remove(*, user: User, ip: str | None = None) -> None:
    if login_policy_for(user).require_authenticator:
        raise PermissionDenied("Your council requires an authenticator app.")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        _tell_second_step_changed(user, "authenticator removed")
    TOTPDevice.objects.filter(user=user).delete()
    _record_about(user, action="authenticator.removed", by=user, ip_address=ip)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def reset_link_request(*, email: str, purpose: str, ip: str | None = None) -> None:
    """E-mail a reset link if the address has an account; the answer is the same either way."""
    email = normalise_email(email)
    user = _find_user(email)
    if user is None or not user.is_active:
        record(
            action="reset.requested",
            detail={"email": email, "purpose": purpose, "reason": "no such account"},
            ip_address=ip,
        )
        return
    token = secrets.token_urlsafe(32)
    created = now()
    link = ResetLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=_token_hash(token),
        created_at=created,
        expires_at=created + RESET_LINK_LIFETIME,
    )
    _record_about(
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
        .filter(token_hash=_token_hash(token), purpose=purpose)
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
    _record_about(
        user, action="reset.completed", by=user, detail={"purpose": purpose}, ip_address=ip
    )
    if User.objects.filter(pk=user.pk, locked_at__isnull=False).update(
        locked_at=None, failed_attempts=0
    ):
        _record_about(
            user, action="account.unlocked", by=user, detail={"by_link": True}, ip_address=ip
        )
    else:
        User.objects.filter(pk=user.pk).update(failed_attempts=0)
    return user


@transaction.atomic
def account_unlock(*, user: User, by: User) -> bool:
    check_account_change(
        by, council_id=user.council_id, provider_id=user.provider_id, change=AccountChange.UNLOCK
    )
    if not User.objects.filter(pk=user.pk, locked_at__isnull=False).update(
        locked_at=None, failed_attempts=0
    ):
        return False
    _record_about(
        user,
        action="account.unlocked",
        by=by,
    )
    return True


@transaction.atomic
def account_reinstate(*, user: User, by: User) -> bool:
    """Restore a suspended account; its unused days count again from today."""
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=AccountChange.REINSTATE,
    )
    if not User.objects.filter(pk=user.pk, suspended_at__isnull=False).update(
        suspended_at=None, last_login=now()
    ):
        return False
    _record_about(
        user,
        action="account.reinstated",
        by=by,
    )
    return True


@transaction.atomic
def account_close(*, user: User, by: User, change_request: ChangeRequest | None = None) -> bool:
    """The person has left: they can no longer log in. Their history stays.

    `change_request`: the provider's own request this closure answers (docs/decisions/0006)."""
    if user.pk == by.pk:
        raise PermissionDenied("You cannot close your own account.")
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=AccountChange.CLOSE,
        change_request=change_request,
    )
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        return False
    _record_about(user, action="account.closed", by=by, detail=_on_request(change_request))
    return True


def _check_role_fits(role: str, *, council_id: int | None, provider_id: int | None) -> None:
    allowed = COUNCIL_ROLES if council_id is not None else PROVIDER_ROLES
    if role not in allowed:
        raise ValidationError({"role": "Choose a role for this kind of organisation"})


@transaction.atomic
def account_role_change(
    *, user: User, role: str, by: User, change_request: ChangeRequest | None = None
) -> User:
    """`change_request`: the provider's own request this change answers (docs/decisions/0006)."""
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=AccountChange.ROLE,
        change_request=change_request,
    )
    _check_role_fits(role, council_id=user.council_id, provider_id=user.provider_id)
    if user.role == role:
        return user
    before = snapshot(user, ["role"])
    if not User.objects.filter(pk=user.pk, role=user.role).update(role=role):
        raise ValidationError("Someone else changed this account at the same time; try again")
    user.role = role
    _record_about(
        user,
        action="account.role_changed",
        by=by,
        before=before,
        after=snapshot(user, ["role"]),
        detail=_on_request(change_request),
    )
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


def _account_made_before(pk: int, call: dict[str, Any]) -> tuple[User, str] | None:
    """The account a repeated Add user made, without its one-off password: that was shown
    once, on the first page, and is kept nowhere."""
    user = User.objects.filter(pk=pk, email__iexact=normalise_email(call["email"])).first()
    return (user, "") if user is not None else None


@transaction.atomic
@once_per_key("accounts.account_create", find=_account_made_before, pk_of=lambda made: made[0].pk)
def account_create(
    *,
    by: User | None,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    council: Council | None = None,
    provider: Provider | None = None,
    phone: str = "",
    title: str = "",
    change_request: ChangeRequest | None = None,
    idempotency_key: str | None = None,
) -> tuple[User, str]:
    """A new account with a one-off password the user must change at first log-in.

    `change_request`: the provider's own request for this contact (docs/decisions/0006)."""
    if (council is None) == (provider is None):
        raise ValueError("An account belongs to exactly one organisation")
    check_account_change(
        by,
        council_id=council.pk if council else None,
        provider_id=provider.pk if provider else None,
        change=AccountChange.CREATE,
        change_request=change_request,
    )
    _check_role_fits(
        role,
        council_id=council.pk if council else None,
        provider_id=provider.pk if provider else None,
    )
    email = normalise_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "There is already an account with this e-mail address"})
    user = User(
        email=email,
        title=title.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        role=Role(role),
        council=council,
        provider=provider,
        created_at=now(),
        must_change_password=True,
    )
    password = initial_password(user)
    user.set_password(password)
    user.save()
    _record_about(
        user,
        action="account.created",
        by=by,
        after=snapshot(user, ["email", "first_name", "last_name", "role", "council", "provider"]),
        detail=_on_request(change_request),
    )
    return user, password


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
        token_hash=_token_hash(token),
        created_at=created,
        expires_at=created + SETUP_LINK_LIFETIME,
    )
    _record_about(
        user, action="setup_link.created", by=by, detail={"expires_at": str(link.expires_at)}
    )
    return link, token


@transaction.atomic
def account_invite(
    *,
    by: User | None,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    council: Council | None = None,
    provider: Provider | None = None,
    phone: str = "",
    title: str = "",
    change_request: ChangeRequest | None = None,
) -> tuple[User, ResetLink, str]:
    """A new account whose holder chooses their own password from a set-up link, e-mailed to
    them once the transaction commits.

    Nobody ever knows a password for it until then: no one-off password is shown to anyone. The
    first log-in then asks for a passcode as usual. Returns the account, the link and its token.
    """
    user, _unused = account_create(
        by=by,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        council=council,
        provider=provider,
        phone=phone,
        title=title,
        change_request=change_request,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    link, token = setup_link_create(user=user, by=by)
    transaction.on_commit(lambda: tasks.send_setup_link_email(link.pk, token))
    return user, link, token


ACCOUNT_DETAILS = ("title", "first_name", "last_name", "email", "phone")


@transaction.atomic
def account_details_update(
    *, user: User, by: User, change_request: ChangeRequest | None = None, **details: str
) -> User:
    """Change a person's name, title, e-mail address (their log-in) or telephone number.

    `change_request`: the provider's own request this change answers (docs/decisions/0006)."""
    unknown = set(details) - set(ACCOUNT_DETAILS)
    if unknown:
        raise ValueError(f"Not an account detail: {', '.join(sorted(unknown))}")
    check_account_change(
        by,
        council_id=user.council_id,
        provider_id=user.provider_id,
        change=AccountChange.DETAILS,
        change_request=change_request,
    )
    user = User.objects.get(pk=user.pk)
    before = snapshot(user, list(details))
    for field, value in details.items():
        value = value.strip()
        setattr(user, field, normalise_email(value) if field == "email" else value)
    if (
        "email" in details
        and User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists()
    ):
        raise ValidationError({"email": "There is already an account with this e-mail address"})
    user.full_clean(exclude=["password", "passcode", "council", "provider", "role"])
    user.save(update_fields=list(details))
    after = snapshot(user, list(details))
    if after != before:
        _record_about(
            user,
            action="account.details_changed",
            by=by,
            before=before,
            after=after,
            detail=_on_request(change_request),
        )
    return user


def accounts_suspend_unused(*, at=None) -> int:
    """Suspend every account not used for its rulebook's number of days. Returns how many."""
    at = at or now()
    suspended = 0
    candidates = User.objects.filter(is_active=True, suspended_at__isnull=True)
    organisations = candidates.values_list("council_id", "provider_id").distinct()
    for council_id, provider_id in organisations:
        sample = candidates.filter(council_id=council_id, provider_id=provider_id).first()
        if sample is None:
            continue
        cutoff = at - login_policy_for(sample).suspend_after
        stale = candidates.filter(council_id=council_id, provider_id=provider_id).filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, created_at__lt=cutoff)
        )
        with transaction.atomic():
            for user in stale.select_for_update():
                if User.objects.filter(pk=user.pk, suspended_at__isnull=True).update(
                    suspended_at=at
                ):
                    _record_about(
                        user,
                        action="account.suspended",
                        detail={"unused_since": str(user.last_login or user.created_at)},
                    )
                    suspended += 1
    return suspended
