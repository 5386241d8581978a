"""Guesses sent all at once: a try is reserved before a secret is checked, so no more than the
rulebook's number of guesses is ever checked, and a right answer that comes back after the lock
does not get through (run on PostgreSQL, where requests really overlap)."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from carebridge.accounts import services
from carebridge.accounts.models import User
from carebridge.accounts.services import Outcome, StepResult
from carebridge.audit.models import Event
from tests.support import PASSCODE, PASSWORD, make_council, make_user, run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]

AT_ONCE = 30
LIMIT = 3


class Checks:
    """Every secret actually checked, recorded by wrapping the check itself.

    `hold_right_until_locked`: a right answer, once checked, comes back only after the account
    has locked, as when the wrong guesses sent with it are answered first.
    """

    def __init__(self, monkeypatch: Any, owner: type, name: str, *, hold_right_until_locked=False):
        self.answers: list[tuple[str, bool]] = []
        self.right_is_being_checked = threading.Event()
        self._lock = threading.Lock()
        original = getattr(owner, name)

        def check(instance: Any, raw: str) -> bool:
            result = original(instance, raw)
            if result and hold_right_until_locked:
                self.right_is_being_checked.set()
                self._wait_for_lock(instance.user_id if owner is TOTPDevice else instance.pk)
            with self._lock:
                self.answers.append((raw, result))
            return result

        monkeypatch.setattr(owner, name, check)

    @staticmethod
    def _wait_for_lock(user_id: int) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if User.objects.filter(pk=user_id, locked_at__isnull=False).exists():
                return
            time.sleep(0.01)

    @property
    def wrong(self) -> int:
        return sum(1 for _raw, right in self.answers if not right)


def _answers(right: str | None, wrong: Callable[[int], str]) -> Callable[[], str]:
    """Hands each thread its answer: one right one (if any) among wrong ones."""
    lock = threading.Lock()
    pool = [wrong(n) for n in range(AT_ONCE - (1 if right else 0))] + ([right] if right else [])
    pool.reverse()  # the right answer first, so it is among the first threads to start

    def next_answer() -> str:
        with lock:
            return pool.pop()

    return next_answer


def _user_with_authenticator() -> tuple[User, TOTPDevice]:
    user = make_user(council=make_council(login_failures_before_lock=LIMIT))
    device = services.authenticator_start(user=user)
    assert services.authenticator_confirm(
        user=user, key=device.key, code=str(totp(device.bin_key)).zfill(6)
    )
    # The device shown is not saved (a GET writes nothing): the confirmation saves its own.
    return user, TOTPDevice.objects.get(user=user, confirmed=True)


def _step(step: str, user: User) -> Callable[[str], StepResult]:
    if step == "password":
        return lambda answer: services.login_check_password(email=user.email, password=answer)
    if step == "current password":
        return lambda answer: StepResult(services.password_confirm(user=user, password=answer))
    return lambda answer: services.login_check_second_step(user=user, answer=answer)


STEPS = {
    # step: (what is checked, a wrong answer)
    "password": ((User, "check_password"), lambda n: f"Wrong-Guess-{n:02d}"),
    "passcode": ((User, "check_passcode"), lambda n: f"{100000 + n * 7919:06d}"),
    "current password": ((User, "check_password"), lambda n: f"Wrong-Guess-{n:02d}"),
}


def _user_for() -> User:
    return make_user(council=make_council(login_failures_before_lock=LIMIT))


@pytest.mark.parametrize("step", STEPS)
def test_thirty_wrong_answers_at_once_check_no_more_than_the_rulebooks_number(monkeypatch, step):
    user = _user_for()
    (owner, name), wrong = STEPS[step]
    checks = Checks(monkeypatch, owner, name)
    answer = _answers(None, wrong)
    attempt = _step(step, user)

    outcomes = run_together(lambda: attempt(answer()).outcome, AT_ONCE)

    user.refresh_from_db()
    assert checks.wrong <= LIMIT, f"{checks.wrong} guesses were checked"
    assert user.is_locked
    assert user.failed_attempts == LIMIT
    assert set(outcomes) <= {Outcome.WRONG, Outcome.LOCKED}
    assert outcomes.count(Outcome.WRONG) <= LIMIT - 1
    about_user = Event.objects.filter(object_id=str(user.pk))
    assert about_user.filter(action="login.failed").count() == checks.wrong
    assert about_user.filter(action="account.locked").count() == 1


def test_thirty_wrong_authenticator_codes_at_once_check_no_more_than_the_rulebooks_number(
    monkeypatch,
):
    user, device = _user_with_authenticator()
    checks = Checks(monkeypatch, TOTPDevice, "verify_token")
    right = str(totp(device.bin_key)).zfill(6)
    answer = _answers(None, lambda n: f"{(int(right) + 1 + n) % 1_000_000:06d}")

    outcomes = run_together(
        lambda: services.login_check_second_step(user=user, answer=answer()).outcome, AT_ONCE
    )

    user.refresh_from_db()
    assert len(checks.answers) <= LIMIT
    assert user.is_locked
    assert outcomes.count(Outcome.WRONG) <= LIMIT - 1


@pytest.mark.parametrize("right_goes_first", [False, True], ids=["all-at-once", "right-first"])
@pytest.mark.parametrize("step", ["password", "passcode"])
def test_the_right_answer_among_thirty_at_once_never_passes_once_the_account_has_locked(
    monkeypatch, step, right_goes_first
):
    """All thirty at once; or the right one first (so it surely holds a try) and the 29 wrong
    ones at once while it is being checked. Either way it comes back after the lock."""
    user = _user_for()
    (owner, name), wrong = STEPS[step]
    right = PASSWORD if step == "password" else PASSCODE
    checks = Checks(monkeypatch, owner, name, hold_right_until_locked=True)
    answer = _answers(right, wrong)
    attempt = _step(step, user)
    lock = threading.Lock()
    answered: dict[str, list[StepResult]] = {"right": [], "wrong": []}

    def one() -> None:
        given = answer()
        if given != right and right_goes_first:
            assert checks.right_is_being_checked.wait(timeout=20)
        result = attempt(given)
        with lock:
            answered["right" if given == right else "wrong"].append(result)

    run_together(one, AT_ONCE)

    [for_right] = answered["right"]
    # Refused, and in words no different from a wrong guess refused by the lock.
    assert for_right.outcome is Outcome.LOCKED
    assert for_right in answered["wrong"]
    user.refresh_from_db()
    assert user.is_locked
    assert checks.wrong <= LIMIT
    if right_goes_first:
        assert (right, True) in checks.answers, "the right answer was checked"
    assert not Event.objects.filter(action="login.succeeded").exists()


def test_the_right_password_sent_twice_at_once_after_two_typos_does_not_lock_the_account():
    user = _user_for()
    for n in range(LIMIT - 1):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")

    outcomes = run_together(
        lambda: services.login_check_password(email=user.email, password=PASSWORD).outcome, 2
    )

    user.refresh_from_db()
    assert not user.is_locked
    assert Outcome.OK in outcomes
    assert user.failed_attempts == LIMIT - 1
