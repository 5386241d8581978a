from datetime import timedelta

import pytest

from carebridge.accounts import services
from carebridge.accounts.models import User
from carebridge.audit.models import Event
from carebridge.core.calendar import now
from tests.support import make_contract, make_council, make_provider, make_user

pytestmark = pytest.mark.django_db


def last_used(user, days_ago):
    User.objects.filter(pk=user.pk).update(last_login=now() - timedelta(days=days_ago))


def test_it_suspends_accounts_unused_for_the_rulebooks_days():
    council = make_council(suspend_after_days=60)
    stale, fresh = make_user(council=council), make_user(council=council)
    last_used(stale, 61)
    last_used(fresh, 59)
    assert services.accounts_suspend_unused() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.is_suspended and not fresh.is_suspended
    assert Event.objects.filter(action="account.suspended", object_id=str(stale.pk)).exists()


def test_each_council_uses_its_own_number_of_days():
    sixty = make_user(council=make_council(suspend_after_days=60))
    ninety = make_user(council=make_council(suspend_after_days=90))
    last_used(sixty, 75)
    last_used(ninety, 75)
    services.accounts_suspend_unused()
    sixty.refresh_from_db()
    ninety.refresh_from_db()
    assert sixty.is_suspended and not ninety.is_suspended


def test_a_provider_working_for_two_councils_follows_the_shorter_limit():
    provider = make_provider()
    make_contract(make_council(suspend_after_days=60), provider)
    make_contract(make_council(suspend_after_days=90), provider)
    user = make_user(provider=provider)
    last_used(user, 75)
    services.accounts_suspend_unused()
    user.refresh_from_db()
    assert user.is_suspended


def test_an_account_never_used_counts_from_its_creation():
    council = make_council(suspend_after_days=60)
    user = make_user(council=council)
    User.objects.filter(pk=user.pk).update(last_login=None, created_at=now() - timedelta(days=61))
    assert services.accounts_suspend_unused() == 1


def test_running_it_twice_suspends_nothing_more():
    user = make_user(council=make_council(suspend_after_days=60))
    last_used(user, 61)
    assert services.accounts_suspend_unused() == 1
    assert services.accounts_suspend_unused() == 0
    assert Event.objects.filter(action="account.suspended").count() == 1


def test_an_administrator_restores_a_suspended_account():
    council = make_council(suspend_after_days=60)
    user, admin = make_user(council=council), make_user(council=council)
    last_used(user, 61)
    services.accounts_suspend_unused()
    assert services.account_reinstate(user=user, by=admin)
    user.refresh_from_db()
    assert not user.is_suspended
    # Restoring counts as use, so the nightly task does not suspend it again at once.
    assert services.accounts_suspend_unused() == 0


def test_the_nightly_task_runs_the_suspension():
    from carebridge.accounts.tasks import suspend_unused_accounts

    user = make_user(council=make_council(suspend_after_days=60))
    last_used(user, 61)
    suspend_unused_accounts.call_local()
    user.refresh_from_db()
    assert user.is_suspended
