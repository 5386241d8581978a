"""Lock-out: each answer to a secret (password, passcode, code) takes one of the account's tries
before it is checked, a right answer gives it back, and the answer that uses the last try
locks the account."""

from enum import StrEnum

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from carebridge.accounts import tasks
from carebridge.accounts.models import User
from carebridge.accounts.policy import login_policy_for
from carebridge.accounts.services.common import record_about
from carebridge.accounts.services.sessions import sessions_end_all
from carebridge.core.calendar import now


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    # The password was right, but the council's staff must sign in through its single sign-on.
    SINGLE_SIGN_ON = "single_sign_on"


def tries_before_lock(user: User) -> int:
    return login_policy_for(user).failures_before_lock


def reserve_try(user: User, *, limit: int) -> bool:
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


def give_back_try(user: User) -> bool:
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


def lock_account(user: User, *, ip: str | None) -> None:
    if User.objects.filter(pk=user.pk, locked_at__isnull=True).update(locked_at=now()):
        user.refresh_from_db(fields=["failed_attempts", "locked_at"])
        record_about(
            user,
            action="account.locked",
            detail={"failed_attempts": user.failed_attempts},
            ip_address=ip,
        )
        sessions_end_all(user=user, by=None, ip=ip, why="the account locked")
        # Best-effort, like the outbox's queueing: with the queue out of reach (Redis stopped)
        # the lock stands and the person is told so; only the e-mail is lost (and logged).
        transaction.on_commit(lambda: tasks.send_account_locked_email(user.pk), robust=True)


@transaction.atomic
def register_failure(user: User, *, step: str, ip: str | None, limit: int) -> Outcome:
    """A wrong answer keeps the try it reserved; the answer that used the last try locks."""
    user.refresh_from_db(fields=["failed_attempts", "locked_at"])
    record_about(
        user,
        action="login.failed",
        by=None,
        detail={"step": step, "failed_attempts": user.failed_attempts},
        ip_address=ip,
    )
    if user.failed_attempts < limit:
        return Outcome.WRONG
    lock_account(user, ip=ip)
    return Outcome.LOCKED


@transaction.atomic
def refuse_as_locked(user: User, *, step: str, ip: str | None, limit: int) -> Outcome:
    """No try left, or the account locked while a right answer was checked: "locked", whatever
    the answer, so the lock cannot be used to confirm a guess.

    The tries can all be taken with no lock yet, by answers still being checked: the wrong one
    among them that finds the count full locks the account, and a right one gives its try
    back. Locking here instead would lock out a user who clicks twice after two typos. Only
    a count above the limit, which no reservation makes (the council has lowered its number
    since), locks here: nothing else would, and an administrator could not unlock it.
    """
    if User.objects.filter(pk=user.pk, failed_attempts__gt=limit).exists():
        lock_account(user, ip=ip)
    record_about(
        user,
        action="login.refused",
        detail={"reason": "locked", "step": step},
        ip_address=ip,
    )
    return Outcome.LOCKED
