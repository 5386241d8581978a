"""Races that only a real database server shows: run on PostgreSQL (CI runs the suite there too)."""

import datetime
import threading

import pytest
from django.db import connection

from carebridge.accounts import services
from carebridge.accounts.models import ResetLink
from carebridge.audit.models import Event
from tests.support import PASSWORD, make_council, make_user, run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


def test_simultaneous_wrong_passwords_use_up_the_tries_and_lock_once():
    user = make_user(council=make_council(login_failures_before_lock=3))
    outcomes = run_together(
        lambda: services.login_check_password(email=user.email, password="Wrong-99").outcome, 6
    )
    user.refresh_from_db()
    about_user = Event.objects.filter(object_id=str(user.pk))
    failed = about_user.filter(action="login.failed").count()
    refused = about_user.filter(action="login.refused", detail__reason="locked").count()
    # Each attempt reserves a try before its password is checked: three get one and are
    # counted; the others are refused unchecked (a locked account must not confirm a guess).
    assert failed + refused == 6
    assert user.failed_attempts == failed == 3
    assert user.is_locked
    assert outcomes.count(services.Outcome.LOCKED) >= 4
    assert about_user.filter(action="account.locked").count() == 1


def test_a_reset_link_used_twice_at_once_works_only_once():
    user = make_user(council=make_council())
    import hashlib
    import secrets

    from carebridge.core.calendar import now

    token = secrets.token_urlsafe(32)
    ResetLink.objects.create(
        user=user,
        purpose="password",
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        created_at=now(),
        expires_at=now() + services.RESET_LINK_LIFETIME,
    )
    secrets_tried = iter(
        ["Kestrel-Lantern-71", "Heron-Lantern-72", "Otter-Lantern-73", "Badger-Lantern-74"]
    )
    lock = threading.Lock()

    def use() -> object:
        with lock:
            secret = next(secrets_tried)
        return services.reset_link_use(token=token, purpose="password", secret=secret)

    results = run_together(use, 4)
    assert sum(1 for result in results if result == user) == 1
    assert results.count(services.LinkProblem.USED) == 3
    assert Event.objects.filter(action="reset.completed").count() == 1
    user.refresh_from_db()
    assert not user.check_password(PASSWORD)


def _pending_referral_and_its_providers_users(count: int):
    from tests.support import make_contract, make_provider, make_referral

    council = make_council()
    provider = make_provider()
    make_contract(council, provider)
    referral = make_referral(council, provider, by=make_user(council=council, role="broker"))
    users = [
        make_user(provider=provider, role="super_user_scheduled", ready=False) for _ in range(count)
    ]
    return referral, users


def _accept_together(referral, users, first_visits) -> list:
    """Every user accepts at once, each with its own first visit; a refusal is an outcome."""
    from carebridge.referrals import services as referrals

    requests = iter(zip(users, first_visits, strict=True))
    lock = threading.Lock()

    def accept() -> object:
        with lock:
            user, first_visit_at = next(requests)
        try:
            return referrals.referral_accept(
                referral=referral, by=user, first_visit_at=first_visit_at
            )
        except referrals.TransitionRefused as refusal:
            return refusal

    # run_together fails the test on any exception but TransitionRefused, which accept returns.
    return run_together(accept, len(users))


def _accepted_once(referral) -> None:
    from carebridge.referrals.choices import ReferralEventKind, ReferralStatus
    from carebridge.referrals.models import ReferralEvent

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert ReferralEvent.objects.filter(referral=referral).count() == 2  # added and accepted
    assert (
        ReferralEvent.objects.filter(referral=referral, kind=ReferralEventKind.ACCEPTED).count()
        == 1
    )
    assert Event.objects.filter(action="referral.accepted", object_id=str(referral.pk)).count() == 1


def test_twenty_identical_accepts_at_once_accept_the_referral_once():
    from carebridge.core.calendar import now
    from carebridge.referrals.models import Referral

    referral, users = _pending_referral_and_its_providers_users(20)
    first_visit_at = now().replace(microsecond=0) + datetime.timedelta(hours=6)
    outcomes = _accept_together(referral, users, [first_visit_at] * 20)
    _accepted_once(referral)
    # Each caller, winner or not, gets the one accepted referral back, as for a double click.
    assert all(isinstance(outcome, Referral) for outcome in outcomes), outcomes
    assert {outcome.pk for outcome in outcomes} == {referral.pk}
    assert {outcome.answered_by_id for outcome in outcomes} == {referral.answered_by_id}
    assert {outcome.first_visit_at for outcome in outcomes} == {first_visit_at}
    assert referral.answered_by_id in {user.pk for user in users}


def test_twenty_different_accepts_at_once_accept_one_and_refuse_the_others():
    from carebridge.core.calendar import now
    from carebridge.referrals import services as referrals
    from carebridge.referrals.models import Referral

    referral, users = _pending_referral_and_its_providers_users(20)
    start = now().replace(microsecond=0) + datetime.timedelta(hours=6)
    first_visits = [start + datetime.timedelta(minutes=15 * number) for number in range(20)]
    outcomes = _accept_together(referral, users, first_visits)
    _accepted_once(referral)
    won = [outcome for outcome in outcomes if isinstance(outcome, Referral)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, referrals.TransitionRefused)]
    assert len(won) == 1 and len(refused) == 19, outcomes
    assert won[0].pk == referral.pk
    winner = next(user for user in users if user.pk == referral.answered_by_id)
    assert referral.first_visit_at == first_visits[users.index(winner)]
    assert won[0].first_visit_at == referral.first_visit_at
