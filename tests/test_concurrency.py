"""Races that only a real database server shows: run on PostgreSQL (CI runs the suite there too)."""

import threading

import pytest
from django.db import connection, connections

from carebridge.accounts import services
from carebridge.accounts.models import ResetLink
from carebridge.audit.models import Event
from tests.support import PASSWORD, make_council, make_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
]


def run_together(work, times: int) -> list:
    """Start `times` threads on one barrier so their transactions overlap."""
    barrier = threading.Barrier(times)
    results: list = []
    errors: list = []

    def runner() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_simultaneous_wrong_passwords_are_all_counted_and_lock_once():
    user = make_user(council=make_council(login_failures_before_lock=3))
    outcomes = run_together(
        lambda: services.login_check_password(email=user.email, password="Wrong-99").outcome, 6
    )
    user.refresh_from_db()
    assert user.failed_attempts == 6
    assert user.is_locked
    assert outcomes.count(services.Outcome.LOCKED) >= 4
    assert Event.objects.filter(action="account.locked", object_id=str(user.pk)).count() == 1


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
