from datetime import timedelta

import pytest
from django.core import mail

from carebridge.accounts import services
from carebridge.accounts.models import User
from carebridge.accounts.services import Outcome
from carebridge.accounts.tests.support import new_broker
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import PASSCODE, PASSWORD, make_council, make_user

pytestmark = pytest.mark.django_db


def actions():
    return list(Event.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def council():
    return make_council(
        login_failures_before_lock=3, suspend_after_days=60, password_expiry_days=365
    )


@pytest.fixture
def user(council):
    return make_user(council=council)


def test_it_accepts_the_right_password_and_passcode(user):
    first = services.login_check_password(email=user.email, password=PASSWORD)
    assert first.outcome is Outcome.OK
    second = services.login_check_second_step(user=user, answer=PASSCODE)
    assert second.outcome is Outcome.OK
    services.login_complete(user=user)
    assert "login.succeeded" in actions()


def test_it_finds_the_account_whatever_the_case_of_the_email(user):
    assert (
        services.login_check_password(email=user.email.upper(), password=PASSWORD).outcome
        is Outcome.OK
    )


def test_a_wrong_password_is_refused_and_audited(user):
    assert (
        services.login_check_password(email=user.email, password="Wrong-Guess-99").outcome
        is Outcome.WRONG
    )
    event = Event.objects.filter(action="login.failed").get()
    assert event.object_id == str(user.pk)
    assert event.detail["step"] == "password"


def test_an_unknown_email_gets_the_same_answer_as_a_known_one(user):
    known = services.login_check_password(email=user.email, password="Wrong-Guess-99")
    unknown = services.login_check_password(email="nobody@example.org", password="Wrong-Guess-99")
    assert known.outcome is unknown.outcome is Outcome.WRONG
    assert Event.objects.filter(action="login.failed", detail__email="nobody@example.org").exists()


def test_an_unknown_email_also_locks_after_three_tries_so_locks_reveal_nothing(user):
    outcomes = [
        services.login_check_password(email="nobody@example.org", password="x").outcome
        for _ in range(4)
    ]
    assert outcomes == [Outcome.WRONG, Outcome.WRONG, Outcome.LOCKED, Outcome.LOCKED]


def test_three_wrong_passwords_lock_the_account(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = [
            services.login_check_password(email=user.email, password="Wrong-99").outcome
            for _ in range(3)
        ]
    assert outcomes == [Outcome.WRONG, Outcome.WRONG, Outcome.LOCKED]
    user.refresh_from_db()
    assert user.is_locked
    assert "account.locked" in actions()
    assert mail.outbox[-1].subject == "Your Carebridge account is locked"


def test_a_locked_account_refuses_even_the_right_password(user):
    for _ in range(3):
        services.login_check_password(email=user.email, password="Wrong-99")
    assert (
        services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.LOCKED
    )


def test_wrong_passcodes_count_towards_the_lock(user):
    services.login_check_password(email=user.email, password="Wrong-99")
    assert services.login_check_second_step(user=user, answer="000001").outcome is Outcome.WRONG
    assert services.login_check_second_step(user=user, answer="000002").outcome is Outcome.LOCKED
    user.refresh_from_db()
    assert user.is_locked


def test_a_full_log_in_clears_earlier_failures(user):
    services.login_check_password(email=user.email, password="Wrong-99")
    services.login_check_password(email=user.email, password="Wrong-99")
    services.login_complete(user=user)
    user.refresh_from_db()
    assert user.failed_attempts == 0
    assert (
        services.login_check_password(email=user.email, password="Wrong-99").outcome
        is Outcome.WRONG
    )


def test_the_lock_threshold_comes_from_the_rulebook():
    user = make_user(council=make_council(login_failures_before_lock=5))
    outcomes = [
        services.login_check_password(email=user.email, password="Wrong-99").outcome
        for _ in range(5)
    ]
    assert outcomes[:4] == [Outcome.WRONG] * 4
    assert outcomes[4] is Outcome.LOCKED


def test_an_administrator_unlocks_an_account(council, user):
    admin = make_user(council=council)
    for _ in range(3):
        services.login_check_password(email=user.email, password="Wrong-99")
    assert services.account_unlock(user=user, by=admin)
    assert services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.OK
    event = Event.objects.get(action="account.unlocked")
    assert event.actor == admin


def test_unlocking_an_unlocked_account_changes_nothing(council, user):
    assert not services.account_unlock(user=user, by=make_user(council=council))
    assert "account.unlocked" not in actions()


def test_a_suspended_account_is_refused_after_the_right_password_only(user):
    User.objects.filter(pk=user.pk).update(suspended_at=now())
    assert (
        services.login_check_password(email=user.email, password="Wrong-99").outcome
        is Outcome.WRONG
    )
    assert (
        services.login_check_password(email=user.email, password=PASSWORD).outcome
        is Outcome.SUSPENDED
    )


def test_a_closed_account_cannot_log_in(council, user):
    services.account_close(user=user, by=make_user(council=council))
    assert (
        services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.CLOSED
    )


def test_a_new_user_must_change_the_password_given_to_them(council):
    admin = make_user(council=council)
    user, initial = new_broker(council, by=admin)
    assert (
        services.login_check_password(email="new@example.org", password=initial).outcome
        is Outcome.OK
    )
    assert services.password_change_is_due(user)
    assert not services.second_step_is_set_up(user)


def test_the_initial_password_meets_the_councils_rules(council):
    user, initial = new_broker(council)
    from django.contrib.auth.password_validation import validate_password

    validate_password(initial, user)


def test_a_password_expires_after_the_rulebooks_days(user):
    User.objects.filter(pk=user.pk).update(password_changed_at=now() - timedelta(days=364))
    user.refresh_from_db()
    assert not services.password_change_is_due(user)
    User.objects.filter(pk=user.pk).update(password_changed_at=now() - timedelta(days=366))
    user.refresh_from_db()
    assert services.password_change_is_due(user)


def test_a_password_never_expires_where_the_rulebook_has_no_expiry():
    user = make_user(council=make_council(password_expiry_days=0))
    User.objects.filter(pk=user.pk).update(password_changed_at=now() - timedelta(days=3000))
    user.refresh_from_db()
    assert not services.password_change_is_due(user)


def test_a_new_password_must_differ_from_the_current_one(user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.password_change(user=user, new_password=PASSWORD, by=user)


def test_an_authenticator_replaces_the_passcode(user):
    from django_otp.oath import totp

    device = services.authenticator_start(user=user)
    assert services.second_step_for(user) is services.SecondStep.PASSCODE
    assert services.authenticator_confirm(
        user=user, key=device.key, code=str(totp(device.bin_key)).zfill(6)
    )
    assert services.second_step_for(user) is services.SecondStep.AUTHENTICATOR
    assert services.login_check_second_step(user=user, answer=PASSCODE).outcome is Outcome.WRONG


def test_a_council_can_require_an_authenticator_for_its_staff():
    user = make_user(council=make_council(staff_require_authenticator=True))
    assert services.second_step_for(user) is services.SecondStep.AUTHENTICATOR
    assert not services.second_step_is_set_up(user)


def test_a_role_change_is_audited_with_before_and_after(council, user):
    admin = make_user(council=council)
    services.account_role_change(user=user, role="broker", by=admin)
    event = Event.objects.get(action="account.role_changed")
    assert event.before == {"role": "council_administrator"}
    assert event.after == {"role": "broker"}


def test_a_provider_role_cannot_be_given_to_council_staff(council, user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.account_role_change(user=user, role="read_only", by=user)


def test_a_log_in_does_not_complete_when_the_account_locked_after_its_steps_passed():
    user = make_user(council=make_council(login_failures_before_lock=3))
    assert services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.OK
    assert services.login_check_second_step(user=user, answer=PASSCODE).outcome is Outcome.OK
    # Meanwhile someone else uses up the tries with wrong passwords.
    for n in range(3):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")

    assert services.login_complete(user=user) is Outcome.LOCKED

    user.refresh_from_db()
    assert user.is_locked
    assert user.failed_attempts == 3
    assert not Event.objects.filter(action="login.succeeded").exists()


def test_a_right_answer_costs_no_try(user):
    for n in range(2):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    assert services.login_check_password(email=user.email, password=PASSWORD).outcome is Outcome.OK
    user.refresh_from_db()
    assert user.failed_attempts == 2
    assert services.login_check_second_step(user=user, answer="000001").outcome is Outcome.LOCKED


def test_a_locked_account_refuses_the_right_passcode_without_saying_it_was_right(user):
    for n in range(3):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    right = services.login_check_second_step(user=user, answer=PASSCODE)
    wrong = services.login_check_second_step(user=user, answer="000001")
    assert right == wrong == services.StepResult(Outcome.LOCKED, user)
    user.refresh_from_db()
    assert user.failed_attempts == 3


def test_failures_counted_under_a_higher_threshold_lock_once_the_council_lowers_it():
    from carebridge.organisations import services as org

    council = make_council(login_failures_before_lock=5)
    user = make_user(council=council)
    for n in range(4):
        services.login_check_password(email=user.email, password=f"Wrong-Guess-{n}")
    org.rulebook_update(council=council, by=None, login_failures_before_lock=3)

    outcome = services.login_check_password(email=user.email, password=PASSWORD).outcome

    assert outcome is Outcome.LOCKED
    user.refresh_from_db()
    assert user.is_locked, "so that an administrator can see it and unlock it"
